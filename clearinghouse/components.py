"""The long-running parts that `clearinghouse up` starts, each as a child process of its own.

Later parts (FTP server, ingest scheduler, broker worker) add themselves to COMPONENTS; each is also
a `clearinghouse <name>` command, so any of them can run alone, on any machine.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from clearinghouse.config import Settings
from clearinghouse.db import Database, managed_cluster, migrate
from clearinghouse.db import database_url as resolve_url

if TYPE_CHECKING:
    from ingest.scheduler import Job

log = logging.getLogger("clearinghouse.up")


@dataclass(frozen=True)
class Component:
    name: str  # also the CLI command that runs it alone
    description: str


COMPONENTS: list[Component] = [
    Component("serve", "HTTP API"),
    Component("ftp", "FTP drop boxes"),
    Component("scheduler", "ingest scheduler"),
    Component("worker", "broker worker"),
]


def scheduler_jobs(db: Database, settings: Settings) -> list[Job]:
    """What the scheduler's process runs besides the scans (``ingest.scheduler.Job``): the hourly
    housekeeping of the API's tables."""
    from clearinghouse import maintenance
    from ingest.scheduler import Job

    tidy = functools.partial(maintenance.tidy, db, settings)
    return [Job("tidy", tidy, timedelta(hours=1), "housekeeping failed; it runs again in an hour")]


class _Stop(Exception):
    pass


def up(settings: Settings, *, grace: float = 15.0) -> int:
    """Start the database (when managed), migrate it, run and supervise every component until told
    to stop (exit status 0) or until one crashes too often (1)."""
    from clearinghouse.server import check_bindable
    from clearinghouse.supervisor import GaveUp, Supervisor

    check_bindable(settings.http, "CLEARINGHOUSE_HTTP")
    check_bindable(settings.ftp, "CLEARINGHOUSE_FTP")
    cluster = managed_cluster(settings) if settings.managed_database else None
    if cluster is not None:
        log.info("starting the managed database in %s", cluster.root)
        cluster.start()
    supervisor = Supervisor(
        COMPONENTS,
        lambda name: [sys.executable, "-m", "clearinghouse", name],
        max_crashes=settings.restart_limit,
    )
    told: list[str] = []

    def on_signal(signum, frame):
        told.append(signal.Signals(signum).name)
        if not supervising:  # starting up: no child yet to leave half-recorded
            raise _Stop(told[0])

    supervising = False
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        migrate.upgrade(resolve_url(settings))
        if settings.demo:
            _load_demo(settings)
        supervising = True
        supervisor.start()
        log.info("clearinghouse is up: http://%s/health", settings.http)
        while not told:
            supervisor.check()
            time.sleep(0.2)
        log.info("stopping (%s)", told[0])
    except _Stop as stop:
        log.info("stopping (%s)", stop)
    except GaveUp:
        status = 1
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop(grace)
        if cluster is not None:
            log.info("stopping the managed database")
            cluster.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _load_demo(settings: Settings) -> None:
    from clearinghouse.db import Database, make_engine
    from ingest import demo

    engine = make_engine(resolve_url(settings))
    try:
        if demo.load(Database(engine), settings):
            log.info(
                "the demo data set is loading; FTP passwords of its partners are in %s",
                settings.home / demo.PASSWORDS,
            )
    finally:
        engine.dispose()
