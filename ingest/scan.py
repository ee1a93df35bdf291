"""One pass over partners' drop boxes: what the scheduler runs, and `clearinghouse ingest scan`.

For each active, unpaused partner, under a per-partner lock in the database (so that two
schedulers, even on two machines, never take the same file), files that are ready are taken in the
seed's order. Taking a file: its job is recorded (with the place it will have in the archive), the
file (with the images a browse file names) moves to the archive, and it is ingested from there;
then its report is delivered. A crash at any step is picked up by the next pass: a job whose file
is still in the drop box finds its job again (same name and content), a job whose file is in the
archive resumes after its last committed batch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from clearinghouse.accounts.models import Provider
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.db.errors import log_failure
from ingest import browse, delivery, dropbox
from ingest.items import Job
from ingest.models import FileKind, IngestJob, IngestReport, JobStatus
from ingest.pipeline import ingest_job, open_job

log = logging.getLogger(__name__)


#: The namespace of the per-partner advisory locks (the other key is the provider id's hash).
LOCK_NAMESPACE = 4_242


@dataclass
class Taken:
    """A file a pass ingested, and its report."""

    provider_id: str
    file_name: str
    job_id: int
    report: IngestReport


@contextlib.contextmanager
def provider_lock(db: Database, provider_id: str, *, wait: bool = False) -> Iterator[bool]:
    """Hold the partner's ingest lock for the block; yields False (holding nothing) when another
    process has it, unless told to ``wait`` for it. A session-level lock: it goes with the
    connection if the process dies."""
    key = {"ns": LOCK_NAMESPACE, "provider": provider_id}
    with db.engine.connect() as conn:
        if wait:
            conn.execute(text("SELECT pg_advisory_lock(:ns, hashtext(:provider))"), key)
            got = True
        else:
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:ns, hashtext(:provider))"), key
            ).scalar()
        conn.commit()
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:provider))"), key)
                conn.commit()


def partners(db: Database, provider_id: str | None = None) -> list[str]:
    """The partners whose drop boxes a pass covers: active and not paused."""
    with db.session() as session:
        query = select(Provider.provider_id).where(
            Provider.active.is_(True), Provider.ingest_paused.is_(False)
        )
        if provider_id is not None:
            query = query.where(Provider.provider_id == provider_id)
        return list(session.scalars(query.order_by(Provider.provider_id)))


def scan(db: Database, settings: Settings, provider_id: str | None = None) -> list[Taken]:
    """One pass over every partner's drop box (or one partner's); partners whose lock another
    process holds are left to it."""
    taken: list[Taken] = []
    for partner in partners(db, provider_id):
        try:
            done = scan_partner(db, settings, partner)
        except Exception:  # one partner's trouble is never another's
            log_failure(
                log, "%s: the scan of this partner failed; the next pass tries again", partner
            )
            continue
        if done is not None:
            taken.extend(done)
    return taken


def scan_partner(db: Database, settings: Settings, provider_id: str) -> list[Taken] | None:
    """Ingest what is ready in a partner's drop box, until nothing is; None when another process
    holds the partner's lock."""
    with provider_lock(db, provider_id) as got:
        if not got:
            return None
        dropbox.ensure(settings.dropbox_dir, provider_id)
        taken: list[Taken] = []
        for job_id in _unfinished(db, settings, provider_id):
            with _alone(provider_id, f"job {job_id}"):
                taken.append(_resume(db, settings, job_id))
        failed: set[Path] = set()  # left for the next pass, so that this one ends
        while _active(db, provider_id):
            ready = [
                c for c in dropbox.ready(settings.dropbox_dir, provider_id) if c.path not in failed
            ]
            if not ready:
                break
            for candidate in ready:
                if not _active(db, provider_id):
                    break
                failed.add(candidate.path)
                with _alone(provider_id, candidate.path.name):
                    taken.append(_take(db, settings, provider_id, candidate))
                    failed.discard(candidate.path)
        just_tried = {t.job_id for t in taken}
        for job_id in delivery.undelivered(db, settings, provider_id):
            if job_id not in just_tried:
                with _alone(provider_id, f"the report of job {job_id}"):
                    delivery.deliver(db, settings, job_id)
        return taken


@contextlib.contextmanager
def _alone(provider_id: str, what: str) -> Iterator[None]:
    """One file's failure (a bug its content meets) is logged and stops none of the others."""
    try:
        yield
    except Exception:
        log_failure(log, "%s: %s failed; it is tried again at the next pass", provider_id, what)


def _active(db: Database, provider_id: str) -> bool:
    return bool(partners(db, provider_id))


def _archive_path(settings: Settings, provider_id: str, job: IngestJob) -> Path:
    day = datetime.now(UTC)
    return (
        settings.archive_dir
        / provider_id
        / f"{day:%Y}"
        / f"{day:%m}"
        / f"{day:%d}"
        / str(job.id)
        / job.file_name
    )


def _take(db: Database, settings: Settings, provider_id: str, candidate: dropbox.Candidate):
    with db.session() as session:
        found = open_job(session, candidate.path, provider_id)
        if found.archive_path is None or Path(found.archive_path) == candidate.path:
            found.archive_path = str(_archive_path(settings, provider_id, found))
        found.folder = candidate.folder
        job = Job(
            found.id, provider_id, Path(found.archive_path), candidate.folder, found.batches_done
        )
    target = job.path
    images = []
    if candidate.folder is FileKind.BROWSE:
        with contextlib.suppress(Exception):  # a broken file names nothing; its report says why
            named = browse.named_images(candidate.path)
            images = [name for name, _, _ in named if browse.plain_name(name)]
    target.parent.mkdir(parents=True, exist_ok=True)
    for name in images:
        source = candidate.path.parent / name
        if source.is_file() and not source.is_symlink():
            _move(source, target.parent / name)
    _move(candidate.path, target)
    log.info("%s: ingesting %s (job %s)", provider_id, candidate.path.name, job.id)
    return _ingest(db, settings, job)


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError:  # another file system: copy, then remove
        shutil.copy2(source, target)
        source.unlink()


def _unfinished(db: Database, settings: Settings, provider_id: str) -> list[int]:
    """Drop box jobs of a partner that a crash interrupted after their file reached the archive."""
    with db.session() as session:
        jobs = session.execute(
            select(IngestJob.id, IngestJob.archive_path)
            .where(
                IngestJob.provider_id == provider_id,
                IngestJob.folder.is_not(None),
                IngestJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
            )
            .order_by(IngestJob.id)
        ).all()
    archive = settings.archive_dir.resolve()
    return [
        job_id
        for job_id, path in jobs
        if path and Path(path).resolve().is_relative_to(archive) and Path(path).is_file()
    ]


def _resume(db: Database, settings: Settings, job_id: int) -> Taken:
    with db.session() as session:
        found = session.get(IngestJob, job_id)
        job = Job(
            found.id, found.provider_id, Path(found.archive_path), found.folder, found.batches_done
        )
    log.info("%s: resuming %s (job %s)", job.provider_id, job.path.name, job_id)
    return _ingest(db, settings, job)


def _ingest(db: Database, settings: Settings, job: Job) -> Taken:
    report = ingest_job(db, job, browse_root=settings.browse_dir)
    delivery.deliver(db, settings, job.id)
    return Taken(job.provider_id, job.path.name, job.id, report)
