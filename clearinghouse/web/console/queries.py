"""What the partner and operator pages show that no message API transaction reads: ingest jobs and
reports, drop box files, the dispatch queue, component health. Read only; every partner query is
bounded to the one provider the caller acts for."""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import case, func, select

from broker.dispatch import COMPONENT as WORKER
from broker.models import DispatchRequest, DispatchStatus
from clearinghouse.accounts.models import Provider, User
from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.config import Settings
from clearinghouse.db import Database, heartbeats
from clearinghouse.errors import DatabaseUnavailable
from ingest import dropbox
from ingest.batches import COUNTERS
from ingest.models import IngestError, IngestJob, IngestReport, JobStatus
from ingest.scheduler import COMPONENT as SCHEDULER

JOBS_SHOWN = 100
#: A request due this long without being sent says the broker worker is not keeping up.
LATE = timedelta(minutes=1)


def drop_box(settings: Settings, provider_id: str) -> list[dict]:
    """Files waiting in the partner's drop box folders."""
    home = dropbox.home(settings.dropbox_dir, provider_id)
    files = []
    for kind, folder in dropbox.FOLDERS.items():
        directory = home / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_file():
                files.append({"folder": kind.value, "name": path.name, "size": path.stat().st_size})
    return files


def jobs(database: Database, provider_id: str) -> list[dict]:
    """The partner's latest ingest jobs with their report's counters."""
    with database.session() as session:
        rows = session.execute(
            select(IngestJob, IngestReport)
            .outerjoin(IngestReport, IngestReport.job_id == IngestJob.id)
            .where(IngestJob.provider_id == provider_id)
            .order_by(IngestJob.id.desc())
            .limit(JOBS_SHOWN)
        ).all()
        return [_job(job, report) for job, report in rows]


def _job(job: IngestJob, report: IngestReport | None) -> dict:
    return {
        "id": job.id,
        "file": job.file_name,
        "status": job.status.value,
        "archived": job.archive_path is not None,
        "created": job.created_at,
        "finished": job.finished_at,
        "report": None if report is None else _counters(report),
    }


def _counters(report: IngestReport) -> dict:
    return {"id": report.id, **{name: getattr(report, name) for name in COUNTERS}}


def report(database: Database, provider_id: str, report_id: int) -> dict | None:
    """One report of the partner's, with its errors by line; None for another partner's."""
    with database.session() as session:
        row = session.execute(
            select(IngestReport, IngestJob)
            .join(IngestJob, IngestJob.id == IngestReport.job_id)
            .where(IngestReport.id == report_id, IngestJob.provider_id == provider_id)
        ).first()
        if row is None:
            return None
        found, job = row
        errors = session.scalars(
            select(IngestError)
            .where(IngestError.report_id == found.id)
            .order_by(IngestError.line.nulls_first(), IngestError.id)
        ).all()
        return {
            **_counters(found),
            "job": _job(job, None),
            "file_errors": found.file_errors or [],
            "errors": [
                {
                    "line": e.line,
                    "record": e.record_id,
                    "category": e.category,
                    "message": e.message,
                }
                for e in errors
            ],
            "text": found.text,
        }


def collections(database: Database, provider_id: str) -> list[dict]:
    counts = (
        select(Granule.collection_id, func.count().label("granules"))
        .where(Granule.provider_id == provider_id, Granule.deleted_at.is_(None))
        .group_by(Granule.collection_id)
        .subquery()
    )
    with database.session() as session:
        rows = session.execute(
            select(
                Collection.id,
                Collection.dataset_id,
                Collection.short_name,
                Collection.version_id,
                func.coalesce(counts.c.granules, 0),
            )
            .outerjoin(counts, counts.c.collection_id == Collection.id)
            .where(Collection.provider_id == provider_id, Collection.deleted_at.is_(None))
            .order_by(Collection.dataset_id)
        ).all()
    return [
        {
            "id": f"C{r[0]}-{provider_id}",
            "dataset": r[1],
            "short_name": r[2],
            "version": r[3],
            "granules": r[4],
        }
        for r in rows
    ]


def ingest_states(database: Database) -> dict[str, dict]:
    """Per partner: paused, the last job, failed and rejected jobs."""
    failed = func.count().filter(IngestJob.status.in_([JobStatus.FAILED, JobStatus.REJECTED]))
    with database.session() as session:
        rows = session.execute(
            select(
                Provider.provider_id, Provider.ingest_paused, func.max(IngestJob.created_at), failed
            )
            .outerjoin(IngestJob, IngestJob.provider_id == Provider.provider_id)
            .group_by(Provider.provider_id, Provider.ingest_paused)
        ).all()
    return {r[0]: {"paused": r[1], "last_job": r[2], "failures": r[3]} for r in rows}


def dispatch_queue(database: Database) -> list[dict]:
    """Per partner: requests due now, waiting to be retried, and failed."""
    pending = DispatchRequest.status == DispatchStatus.PENDING
    due = func.count().filter(pending, DispatchRequest.next_attempt_at <= func.now())
    retried = func.count().filter(pending, DispatchRequest.attempts > 0)
    failed = func.count().filter(DispatchRequest.status == DispatchStatus.FAILED)
    oldest = func.min(case((pending, DispatchRequest.next_attempt_at)))
    with database.session() as session:
        rows = session.execute(
            select(DispatchRequest.provider_id, due, retried, failed, oldest)
            .group_by(DispatchRequest.provider_id)
            .order_by(DispatchRequest.provider_id)
        ).all()
    return [
        {"provider": r[0], "due": r[1], "retried": r[2], "failed": r[3], "oldest": r[4]}
        for r in rows
    ]


def locks(database: Database) -> dict[str, object]:
    """Users whose account is locked after failed logins, and until when."""
    with database.session() as session:
        rows = session.execute(
            select(User.username, User.locked_until).where(User.locked_until > func.now())
        ).all()
    return {name: until for name, until in rows}


def health(database: Database, settings: Settings) -> list[dict]:
    """Each component as far as this process can tell: the database by a ping, the FTP server by
    a connection, the scheduler and the worker by their heartbeats (and the worker by the
    requests it leaves due)."""
    parts = [{"name": "HTTP API", "ok": True, "detail": "answering this page"}]
    try:
        state = database.ping()
        parts.append({"name": "database", "ok": True, "detail": f"schema {state['schema']}"})
    except DatabaseUnavailable as error:
        parts.append({"name": "database", "ok": False, "detail": error.message})
        return parts
    try:
        with socket.create_connection((settings.ftp.host, settings.ftp.port), timeout=1):
            parts.append(
                {
                    "name": "FTP drop boxes",
                    "ok": True,
                    "detail": f"listening on {settings.ftp.host}:{settings.ftp.port}",
                }
            )
    except OSError as error:
        parts.append({"name": "FTP drop boxes", "ok": False, "detail": str(error)})
    with database.session() as session:
        late = session.scalar(
            select(func.count()).where(
                DispatchRequest.status == DispatchStatus.PENDING,
                DispatchRequest.next_attempt_at < func.now() - LATE,
            )
        )
    beats = heartbeats.latest(database)
    parts.append(_heard(SCHEDULER, beats.get(SCHEDULER), "last full scan"))
    worker = _heard(WORKER, beats.get(WORKER), "last pass")
    if late and worker["ok"]:
        worker = {**worker, "ok": False, "detail": f"{late} requests due for over a minute"}
    parts.append(worker)
    return parts


def _heard(name: str, beat: dict | None, what_pass: str) -> dict:
    """A part that answers no request, by its heartbeats: up while its freshest instance beats."""
    if beat is None:
        return {"name": name, "ok": False, "detail": "no heartbeat ever recorded: not running"}
    when = beat["beat_at"].isoformat(timespec="seconds")
    if not beat["alive"]:
        stale = int(heartbeats.STALE.total_seconds())
        detail = f"silent since {when} (over {stale} s) on {beat['instance']}"
        return {"name": name, "ok": False, "detail": detail}
    detail = f"last beat {when}, {beat['instances']} running ({beat['detail']})"
    if beat["pass_at"] is not None:
        detail += f"; {what_pass} {beat['pass_at'].isoformat(timespec='seconds')}"
    return {"name": name, "ok": True, "detail": detail}
