"""The long-running parts that `clearinghouse up` starts, each as a child process of its own.

Later parts (FTP server, ingest scheduler, broker worker) add themselves to COMPONENTS; each is also
a `clearinghouse <name>` command, so any of them can run alone, on any machine.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from clearinghouse.config import Settings
from clearinghouse.db import database_url as resolve_url
from clearinghouse.db import managed_cluster, migrate

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


class _Stop(Exception):
    pass


def up(settings: Settings, *, grace: float = 15.0) -> int:
    """Start the database (when managed), migrate it, run every component until told to stop."""
    from clearinghouse.server import check_bindable

    check_bindable(settings.http, "CLEARINGHOUSE_HTTP")
    check_bindable(settings.ftp, "CLEARINGHOUSE_FTP")
    cluster = managed_cluster(settings) if settings.managed_database else None
    if cluster is not None:
        log.info("starting the managed database in %s", cluster.root)
        cluster.start()
    children: dict[str, subprocess.Popen] = {}
    status = 0

    def on_signal(signum, frame):
        raise _Stop(signal.Signals(signum).name)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        migrate.upgrade(resolve_url(settings))
        if settings.demo:
            _load_demo(settings)
        for component in COMPONENTS:
            log.info("starting %s", component.description)
            argv = [sys.executable, "-m", "clearinghouse", component.name]
            children[component.name] = subprocess.Popen(argv)
        log.info("clearinghouse is up: http://%s/health", settings.http)
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    log.error(
                        "%s stopped (exit status %s); stopping everything", name, child.returncode
                    )
                    raise _Stop(name)
            time.sleep(0.2)
    except _Stop as stop:
        log.info("stopping (%s)", stop)
        status = 0 if str(stop) in ("SIGINT", "SIGTERM") else 1
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        _stop_children(children, grace)
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
            log.info("the demo data set is loading; FTP passwords of its partners are in %s",
                     settings.home / demo.PASSWORDS)  # fmt: skip
    finally:
        engine.dispose()


def _stop_children(children: dict[str, subprocess.Popen], grace: float) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %.0f s; killing it", name, grace)
            child.kill()
            child.wait()
