"""One ingest file, start to finish: its job, its batches, its report.

Records stream from the reader and are turned into rows as they come (the reader drops each one as
the next is asked for); every ``BATCH_SIZE`` records of a section, or at a section's end, the batch
is merged in one transaction together with its report counters, its errors and the job's progress.
A process killed between two batches therefore leaves every batch either wholly in or wholly out,
and rerunning the same file resumes the same job after its last committed batch: nothing lost,
nothing doubled, and the report still counts every record once.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from clearinghouse import lifeline
from clearinghouse.accounts.models import Provider
from clearinghouse.db import Database, make_engine
from clearinghouse.errors import ClearinghouseError, NotFound
from ingest import browse, report
from ingest.batches import Batch, Run, footprints
from ingest.items import Item, Job
from ingest.models import FileKind, IngestError, IngestJob, IngestReport, JobStatus
from ingest.reader import Action, BrokenFile, FileRejected, Record, check_raw, open_file

BATCH_SIZE = 1000
#: Files at least this big are checked and prepared by worker processes, CHUNK records at a time.
PARALLEL_BYTES = 4 * 1024 * 1024
CHUNK = 250
IN_FLIGHT = 4


def ingest_file(
    db: Database,
    path: Path,
    provider_id: str,
    *,
    browse_root: Path | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> IngestReport:
    """Ingest one file handed over directly for a provider and return its report (stored, with
    text and XML). Its job is found by the file's name and content (an interrupted run resumes),
    else made; see ``ingest_job`` for the rest."""
    path = Path(path)
    with db.session() as session:
        if session.get(Provider, provider_id) is None:
            raise NotFound(f"no provider {provider_id}")
        found = open_job(session, path, provider_id)
        job = Job(found.id, provider_id, path, None, found.batches_done)
    return ingest_job(db, job, browse_root=browse_root, batch_size=batch_size, workers=workers)


def ingest_job(
    db: Database,
    job: Job,
    *,
    browse_root: Path | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> IngestReport:
    """Ingest a job's file and return its report (stored, with text and XML).

    ``browse_root`` is where browse images are stored ($CLEARINGHOUSE_HOME/browse); the images a
    browse file names are read from the file's own directory. ``workers``: processes that check
    and prepare inserted records (default: one per CPU for files of PARALLEL_BYTES or more, else
    none); they need a database they can reach on their own, not a test's open transaction.
    A file of another kind than the drop box folder it came from (``job.folder``) is refused.
    """
    path = job.path
    if workers is None:
        workers = (os.cpu_count() or 1) if path.stat().st_size >= PARALLEL_BYTES else 1
    raw = frozenset({Action.INSERT, Action.VERIFY}) if workers > 1 else frozenset()
    try:
        ingest = open_file(path, raw=raw)
        if job.folder is not None and ingest.kind is not job.folder:
            right, wrong = ingest.kind.value, job.folder.value
            raise FileRejected(
                "WrongDirectory",
                f"a {ingest.root} belongs in data/{right}/, not in data/{wrong}/",
                line=1,
            )
        if ingest.kind is FileKind.BROWSE:
            _check_images(path, browse_root)
    except FileRejected as exc:
        return _finish(db, job.id, JobStatus.REJECTED, exc)
    run = Run(db, job, ingest.kind, browse_root)
    with db.session() as session:
        session.execute(
            update(IngestJob)
            .where(IngestJob.id == job.id)
            .values(
                file_kind=ingest.kind,
                status=JobStatus.RUNNING,
                started_at=datetime.now(UTC),
                worker=socket.gethostname(),
            )
        )
    with contextlib.ExitStack() as stack:
        if raw and ingest.kind is not FileKind.BROWSE:
            url = db.engine.url.render_as_string(hide_password=False)
            pool = stack.enter_context(
                concurrent.futures.ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("forkserver"),
                    initializer=_start_worker,
                    initargs=(os.getpid(), url, job, ingest.kind),
                )
            )
            prepared = _in_workers(run, ingest.records, pool)
        else:
            prepared = _inline(run, _checked(ingest.records, ingest.kind))
        try:
            for batch in _batches(prepared, batch_size):
                if batch.number < job.batches_done:
                    continue  # committed by an earlier, interrupted run of this job
                run.apply(batch)
        except FileRejected as exc:  # BrokenFile too: the records before it stand
            return _finish(db, job.id, JobStatus.REJECTED, exc)
    return _finish(db, job.id, JobStatus.DONE, None)


def _check_images(path: Path, browse_root: Path | None) -> None:
    try:
        problems = browse.missing_images(path)
    except ClearinghouseError as exc:  # broken past its head: a file error like any other
        raise FileRejected(exc.code, exc.message, line=exc.line, column=exc.column) from None
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise FileRejected("IncompleteBrowse", "; ".join(problems[:3]) + more)
    if browse_root is None:
        raise FileRejected("NoBrowseStore", "no place to store browse images was given")


def open_job(session, path: Path, provider_id: str) -> IngestJob:
    """The unfinished job of this very file (same provider, name and content), or a new one."""
    digest = _sha256(path)
    job = session.scalar(
        select(IngestJob)
        .where(
            IngestJob.provider_id == provider_id,
            IngestJob.file_name == path.name,
            IngestJob.sha256 == digest,
            IngestJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
        )
        .order_by(IngestJob.id.desc())
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if job is None:
        job = IngestJob(
            provider_id=provider_id,
            file_name=path.name,
            file_size=path.stat().st_size,
            sha256=digest,
            archive_path=str(path),
        )
        session.add(job)
        session.flush()
        session.add(IngestReport(job_id=job.id))
        session.flush()
    return job


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _finish(db: Database, job_id: int, status: JobStatus, error: FileRejected | None):
    with db.session() as session:
        job = session.get(IngestJob, job_id)
        job.status = status
        job.finished_at = datetime.now(UTC)
        found = session.scalar(select(IngestReport).where(IngestReport.job_id == job_id))
        if error is not None:
            found.file_errors = [
                *found.file_errors,
                {
                    "reason": error.reason,
                    "message": error.message,
                    "line": error.line,
                    "column": error.column,
                },
            ]
        errors = session.scalars(
            select(IngestError).where(IngestError.report_id == found.id).order_by(IngestError.id)
        ).all()
        found.text = report.as_text(job, found, errors)
        found.xml = report.as_xml(job, found, errors)
        session.flush()
        return found


# -- batches -------------------------------------------------------------------------------------


def _batches(prepared: Iterator[tuple[Record, Item]], size: int) -> Iterator[Batch]:
    """Records in batches of one section and action. When the file breaks off, the records read
    before the break are still applied (the batch in progress too), then the break is raised."""
    batch: Batch | None = None
    number = 0
    try:
        for record, item in prepared:
            changed = batch is not None and (batch.section, batch.action) != (
                record.section,
                record.action,
            )
            if batch is not None and (changed or len(batch.items) >= size):
                yield batch
                number += 1
                batch = None
            if batch is None:
                batch = Batch(number, record.section, record.action)
            batch.items.append(item)
    except BrokenFile:
        if batch is not None:
            yield batch
        raise
    if batch is not None:
        yield batch


def _checked(stream: Iterator[Record], kind: FileKind) -> Iterator[Record]:
    """Raw records (a browse file read with workers asked for) checked here."""
    for record in stream:
        yield check_raw(record, kind) if record.raw is not None else record


def _inline(run: Run, stream: Iterator[Record]) -> Iterator[tuple[Record, Item]]:
    for record in stream:
        yield record, run.prepare(record)


def _in_workers(run: Run, stream: Iterator[Record], pool) -> Iterator[tuple[Record, Item]]:
    """Records read raw are checked and prepared by worker processes, CHUNK at a time, at most
    IN_FLIGHT chunks ahead (memory stays flat); the others here, in order with them."""
    pending: collections.deque = collections.deque()
    chunk: list[Record] = []

    def drain(keep: int):
        while len(pending) > keep:
            records_sent, future = pending.popleft()
            yield from zip(records_sent, future.result(), strict=True)

    try:
        for record in stream:
            if record.raw is None:
                if chunk:
                    pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
                    chunk = []
                yield from drain(0)
                yield record, run.prepare(record)
                continue
            chunk.append(record)
            if len(chunk) >= CHUNK:
                pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
                chunk = []
                yield from drain(IN_FLIGHT)
    except BrokenFile:  # what was read before the break is prepared and applied, then the break
        if chunk:
            pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
        yield from drain(0)
        raise
    if chunk:
        pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
    yield from drain(0)


_worker: Run | None = None


def _start_worker(owner: int, url: str, job: Job, kind: FileKind) -> None:
    global _worker
    # The worker's parent is the forkserver, which ends when ``owner`` does (however it ends).
    lifeline.die_with_parent(signal.SIGKILL, owner)
    engine = make_engine(url, pool_size=1, max_overflow=0)
    _worker = Run(Database(engine), job, kind)


def _prepare_chunk(chunk: list[Record]) -> list[Item]:
    """In a worker: check and prepare records read raw, footprints included."""
    items = [_worker.prepare(check_raw(record, _worker.kind)) for record in chunk]
    footprints(items)
    return items
