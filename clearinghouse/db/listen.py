"""Listening for NOTIFY on one channel, for as long as a process runs: reconnects when the
database goes away, calls back with each payload."""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable

import psycopg2
from sqlalchemy import Engine

log = logging.getLogger(__name__)

RECONNECT_WAIT = 2.0


def listen(
    engine: Engine,
    channel: str,
    notified: Callable[[str], None],
    stopping: threading.Event,
    *,
    name: str,
) -> None:
    """Call ``notified(payload)`` for every NOTIFY on ``channel`` until ``stopping`` is set."""
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stopping.is_set():
        try:
            conn = psycopg2.connect(dsn, connect_timeout=5, application_name=name)
        except psycopg2.Error as exc:
            log.warning("%s: cannot listen on %s (%s); retrying", name, channel, exc)
            stopping.wait(RECONNECT_WAIT)
            continue
        try:
            conn.autocommit = True
            conn.cursor().execute(f"LISTEN {channel}")
            while not stopping.is_set():
                if select.select([conn], [], [], 0.5)[0]:
                    conn.poll()
                    while conn.notifies:
                        notified(conn.notifies.pop(0).payload)
        except (psycopg2.Error, OSError) as exc:
            log.warning("%s: lost %s (%s); reconnecting", name, channel, exc)
            stopping.wait(RECONNECT_WAIT)
        finally:
            conn.close()
