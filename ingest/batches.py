"""A job's work between the reader and the database: each record becomes an item as it streams by
(its row, or why it has none), and each batch of items is applied to the catalog in one
transaction, together with its report counters, its errors and the job's progress. What a record
or a batch does depends on its file's kind and its action: ``ingest.sections``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update

from clearinghouse.db import Database
from ingest import records
from ingest.items import Item, Job, identifier
from ingest.models import FileKind, IngestError, IngestJob, IngestReport
from ingest.reader import Action, Record
from ingest.sections import SECTIONS
from spatial.batch import record_columns_many
from spatial.errors import SpatialError

COUNTERS = (
    "processed",
    "inserted",
    "replaced",
    "deleted",
    "out_of_date",
    "duplicated",
    "invalid_spatial",
    "data_errors",
    "without_collection",
    "delete_missing",
)


@dataclass
class Batch:
    number: int
    section: str
    action: Action
    items: list[Item] = field(default_factory=list)


class Run:
    """One job's work: records into items (no database writes), items into the catalog."""

    def __init__(self, db: Database, job: Job, kind: FileKind, browse_root: Path | None = None):
        self.db = db
        self.job = job
        self.kind = kind
        self.section = SECTIONS[kind](db, job, browse_root)

    # Turning records into items happens as they stream by.
    def prepare(self, record: Record) -> Item:
        element = record.element
        item = Item(line=record.line, identifier=identifier(element))
        if record.problems:
            first = record.problems[0]
            more = f" (and {len(record.problems) - 1} more)" if len(record.problems) > 1 else ""
            item.category, item.message = "data_errors", f"line {first.line}: {first}{more}"
            return item
        try:
            self.section.prepare(record, item)
        except records.RecordError as exc:
            item.category = exc.category
            line = exc.line + record.line_shift if exc.line else None
            item.message = f"line {line}: {exc.message}" if line else exc.message
        return item

    # Applying a batch: one transaction.
    def apply(self, batch: Batch) -> None:
        footprints(batch.items)
        counts = dict.fromkeys(COUNTERS, 0)
        markers = (Action.INVENTORY_START, Action.INVENTORY_END)
        counts["processed"] = 0 if batch.action in markers else len(batch.items)
        errors: list[tuple[Item, str, str]] = []
        live = []
        for item in batch.items:
            if item.category is not None:
                counts[item.category] += 1
                errors.append((item, item.category, item.message or ""))
            else:
                live.append(item)
        with self.db.session() as session:
            if self._together(session, batch.action, live, counts, errors) is not None:
                # The database refused something in the batch: each record alone, so that the
                # one at fault is reported with the database's reason and the rest go in.
                for item in live:
                    refusal = self._together(session, batch.action, [item], counts, errors)
                    if refusal is not None:
                        counts["data_errors"] += 1
                        errors.append((item, "data_errors", refusal))
            self._record(session, batch, counts, errors)

    def _together(self, session, action: Action, items: list, counts, errors) -> str | None:
        """Apply the items in a savepoint, adding to the counters and errors only when the
        database took them all; else roll them back and say why the database refused."""
        mine, found = dict.fromkeys(counts, 0), []
        try:
            with session.begin_nested():
                self.section.apply(session.connection(), action, items, mine, found)
        except REFUSED as exc:
            reason = getattr(exc.orig, "diag", None)
            message = (reason.message_primary if reason else None) or str(exc.orig).strip()
            return f"the database refused this record: {message}"
        for name, value in mine.items():
            counts[name] += value
        errors.extend(found)
        return None

    def _record(self, session, batch: Batch, counts, errors) -> None:
        found = session.scalar(select(IngestReport).where(IngestReport.job_id == self.job.id))
        for name, value in counts.items():
            setattr(found, name, getattr(found, name) + value)
        for item, category, message in errors:
            session.add(
                IngestError(
                    report_id=found.id,
                    record_id=item.identifier,
                    line=item.line,
                    category=category,
                    message=message,
                )
            )
        session.execute(
            update(IngestJob)
            .where(IngestJob.id == self.job.id)
            .values(batches_done=batch.number + 1)
        )


#: What the database says of the data itself (not of the connection): the same again would fail.
REFUSED = (sa_exc.DataError, sa_exc.IntegrityError, sa_exc.InternalError)


def footprints(items: list[Item]) -> None:
    """Validate and store the footprints of a batch's records together (``spatial.batch``)."""
    waiting = [i for i in items if i.category is None and i.row and "coverage" in i.row]
    results = record_columns_many([i.row.pop("coverage") for i in waiting])
    for item, result in zip(waiting, results, strict=True):
        if isinstance(result, SpatialError):
            item.category = "invalid_spatial"
            item.message = (
                f"line {result.line}: {result.message}" if result.line else result.message
            )
        else:
            item.row.update(result)
