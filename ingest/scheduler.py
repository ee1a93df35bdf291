"""The ingest scheduler: `clearinghouse scheduler`.

Every ``CLEARINGHOUSE_INGEST_INTERVAL`` seconds (APScheduler) it scans every active partner's drop
box; besides, it listens on the database for uploads the FTP server signals (``ingest.signals``)
and scans that partner's drop box at once, so a file is searchable seconds after it arrives. Any
number of schedulers may run against one database: the per-partner lock of ``ingest.scan`` keeps
them from taking the same file, and a signalled scan that finds the partner locked waits for the
holder to finish, then looks again (the holder may have listed the drop box before the file came).

Other parts' periodic work runs in this process too, as jobs (:class:`Job`) handed in by whoever
assembles the process (``clearinghouse scheduler``): ingest knows nothing of them.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.db.errors import log_failure
from clearinghouse.db.heartbeats import Beating
from clearinghouse.db.listen import listen
from ingest import scan, signals

log = logging.getLogger(__name__)

#: How long a signalled scan waits before trying a locked partner again.
RETRY_LOCKED = 1.0
#: What the scheduler's heartbeats are recorded as (``clearinghouse.db.heartbeats``).
COMPONENT = "ingest scheduler"


@dataclass(frozen=True)
class Job:
    """Periodic work of another part, run on the scheduler's thread."""

    name: str
    run: Callable[[], object]
    every: timedelta
    #: Logged (one line for a database that is away, else with the traceback) when ``run`` fails;
    #: the job runs again at its next turn.
    failure: str


class Scheduler:
    def __init__(self, db: Database, settings: Settings, jobs: Sequence[Job] = ()):
        self.db = db
        self.settings = settings
        self.jobs = tuple(jobs)
        self.stopping = threading.Event()
        self.requests: queue.Queue[str] = queue.Queue()
        self.heartbeat = Beating(
            db, COMPONENT, self.stopping, detail=f"scanning every {settings.ingest_interval} s"
        )
        self.aps = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # -- the periodic pass --------------------------------------------------------------------

    def scan_all(self) -> None:
        try:
            for taken in scan.scan(self.db, self.settings):
                log.info("%s: %s %s", taken.provider_id, taken.file_name, _summary(taken.report))
        except Exception:
            log_failure(log, "the scheduled scan failed; the next one tries again")
        else:
            self.heartbeat.beat(pass_done=True)

    @staticmethod
    def run_job(job: Job) -> None:
        try:
            job.run()
        except Exception:
            log_failure(log, job.failure)

    # -- signalled scans ----------------------------------------------------------------------

    def _signalled(self) -> None:
        while not self.stopping.is_set():
            try:
                provider_id = self.requests.get(timeout=0.5)
            except queue.Empty:
                continue
            pending = {provider_id}
            while not self.requests.empty():  # several uploads of one partner: one scan
                pending.add(self.requests.get_nowait())
            for partner in sorted(pending):
                self._scan_one(partner)

    def _scan_one(self, provider_id: str) -> None:
        while not self.stopping.is_set():
            try:
                done = scan.scan_partner(self.db, self.settings, provider_id)
            except Exception:
                log_failure(log, "%s: the scan failed; the next one tries again", provider_id)
                return
            if done is not None:
                for taken in done:
                    log.info("%s: %s %s", provider_id, taken.file_name, _summary(taken.report))
                return
            self.stopping.wait(RETRY_LOCKED)  # another scan holds the partner: look after it

    def _listen(self) -> None:
        """Put the provider of every NOTIFY on the queue."""
        listen(self.db.engine, signals.CHANNEL, self.requests.put, self.stopping, name="scheduler")

    # -- life ---------------------------------------------------------------------------------

    def plan(self) -> None:
        """Add the periodic work to APScheduler (which ``start`` then starts)."""
        self.aps.add_job(
            self.scan_all,
            "interval",
            seconds=self.settings.ingest_interval,
            id="scan-all",
            next_run_time=datetime.now(UTC),
        )
        for job in self.jobs:
            seconds = job.every.total_seconds()
            self.aps.add_job(self.run_job, "interval", [job], seconds=seconds, id=job.name)

    def start(self) -> None:
        self.plan()
        self.aps.start()
        self.heartbeat.start()
        for target in (self._listen, self._signalled):
            threading.Thread(target=target, name=target.__name__, daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        self.aps.shutdown(wait=False)


def _summary(report) -> str:
    if report.file_errors:
        return "rejected: " + report.file_errors[-1]["message"]
    return (
        f"processed {report.processed}, inserted {report.inserted}, replaced"
        f" {report.replaced}, deleted {report.deleted}"
    )


def run(db: Database, settings: Settings, jobs: Sequence[Job] = ()) -> None:
    """Run until SIGTERM or SIGINT."""
    import signal

    scheduler = Scheduler(db, settings, jobs)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    log.info("scheduler: scanning every %s s and on each upload", settings.ingest_interval)
    while not stop.wait(1.0):
        pass
    scheduler.stop()
