"""What the long-lived parts that answer no request (the ingest scheduler, the broker worker) say
of themselves: each running instance (host and process) records when it last beat and when it last
finished a pass of its work, so that an operator, on another machine, can tell a part that runs
from one that died or hangs.

A beat is written by a thread of its own every ``EVERY``; a part not heard of for ``STALE`` is
down. ``pass_done`` marks a completed pass (a scan of every drop box), whose age shows a part alive
but stuck. A failure to write is logged and forgotten: the next beat tries again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import String, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from clearinghouse.db import Database
from clearinghouse.db.base import Base
from clearinghouse.db.errors import log_failure

log = logging.getLogger(__name__)

EVERY = timedelta(seconds=10)
#: Three beats missed.
STALE = 3 * EVERY


class Heartbeat(Base):
    __tablename__ = "heartbeats"

    component: Mapped[str] = mapped_column(String(40), primary_key=True)
    instance: Mapped[str] = mapped_column(String(300), primary_key=True)  # host:pid
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
    pass_at: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(String(300))


def instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(
    db: Database,
    component: str,
    started: datetime,
    *,
    pass_done: bool = False,
    detail: str | None = None,
) -> None:
    values = {
        "component": component,
        "instance": instance(),
        "started_at": started,
        "beat_at": func.now(),
        "detail": detail,
    }
    if pass_done:
        values["pass_at"] = func.now()
    statement = insert(Heartbeat).values(values)
    kept = {k: statement.excluded[k] for k in values if k not in ("component", "instance")}
    try:
        with db.session() as session:
            session.execute(
                statement.on_conflict_do_update(index_elements=["component", "instance"], set_=kept)
            )
    except Exception:
        log_failure(log, "%s: the heartbeat was not recorded; the next one tries again", component)


class Beating:
    """A thread beating for ``component`` every ``EVERY`` until ``stopping`` is set; the first
    beat at once."""

    def __init__(self, db: Database, component: str, stopping: threading.Event, detail=None):
        self.db, self.component, self.stopping, self.detail = db, component, stopping, detail
        self.started = datetime.now().astimezone()

    def beat(self, *, pass_done: bool = False) -> None:
        beat(self.db, self.component, self.started, pass_done=pass_done, detail=self.detail)

    def _run(self) -> None:
        self.beat()
        while not self.stopping.wait(EVERY.total_seconds()):
            self.beat()

    def thread(self) -> threading.Thread:
        """The beating thread, not started."""
        return threading.Thread(target=self._run, name=f"heartbeat-{self.component}", daemon=True)

    def start(self) -> threading.Thread:
        thread = self.thread()
        thread.start()
        return thread


def latest(db: Database) -> dict[str, dict]:
    """Per component, its freshest instance: when it beat (and whether that is within
    ``STALE``), its last pass, how many instances are alive."""
    with db.session() as session:
        now = session.scalar(select(func.now()))
        rows = session.scalars(select(Heartbeat).order_by(Heartbeat.beat_at.desc())).all()
    found: dict[str, dict] = {}
    for row in rows:
        alive = now - row.beat_at <= STALE
        entry = found.setdefault(
            row.component,
            {
                "instance": row.instance,
                "beat_at": row.beat_at,
                "pass_at": row.pass_at,
                "started_at": row.started_at,
                "detail": row.detail,
                "alive": alive,
                "instances": 0,
            },
        )
        entry["instances"] += alive
    return found
