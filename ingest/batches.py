"""A job's work between the reader and the database: each record becomes an item as it streams by
(its row, or why it has none), and each batch of items is applied to the catalog in one
transaction, together with its report counters, its errors and the job's progress."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import Connection, select, update
from sqlalchemy import exc as sa_exc

from clearinghouse import xmlsafe
from clearinghouse.db import Database
from ingest import browse, inventories, load, partial, records, verify
from ingest.models import IngestError, IngestJob, IngestReport
from ingest.reader import Action, Record
from spatial.batch import record_columns_many
from spatial.errors import SpatialError

COUNTERS = ("processed", "inserted", "replaced", "deleted", "out_of_date", "duplicated",
            "invalid_spatial", "data_errors", "without_collection", "delete_missing")  # fmt: skip


@dataclass
class Item:
    """A record as the batch keeps it: its place, its identity, its row or why it has none."""

    line: int
    identifier: str | None
    key: tuple | None = None
    row: dict[str, Any] | None = None
    category: str | None = None  # set when the record goes no further
    message: str | None = None


@dataclass
class Batch:
    number: int
    section: str
    action: Action
    items: list[Item] = field(default_factory=list)


class Run:
    """One job's work: records into items (no database writes), items into the catalog."""

    def __init__(self, db: Database, job_id: int, provider_id: str, kind: str):
        self.db = db
        self.job_id = job_id
        self.provider_id = provider_id
        self.kind = kind
        self._collections: dict[records.CollectionRef, load.CollectionInfo | None] = {}
        self._edits: partial.Editor | None = None
        self._inventory: dict[str, Any] | None = None
        self._inventory_count = 0
        self.folder: Path | None = None
        self.browse_root: Path | None = None

    # Turning records into items happens as they stream by.
    def prepare(self, record: Record) -> Item:
        element = record.element
        item = Item(line=record.line, identifier=_identifier(element))
        if record.problems:
            first = record.problems[0]
            more = f" (and {len(record.problems) - 1} more)" if len(record.problems) > 1 else ""
            item.category, item.message = "data_errors", f"line {first.line}: {first}{more}"
            return item
        try:
            self._prepare(record, item)
        except records.RecordError as exc:
            item.category = exc.category
            line = exc.line + record.line_shift if exc.line else None
            item.message = f"line {line}: {exc.message}" if line else exc.message
        return item

    def _prepare(self, record: Record, item: Item) -> None:
        element = record.element
        action = record.action
        if action is Action.INSERT and self.kind == "browse":
            item.row = {**records.browse_row(element), "provider_id": self.provider_id,
                        "stored_path": None}  # fmt: skip
            item.key = (item.row["provider_browse_id"],)
        elif action is Action.DELETE and self.kind == "browse":
            item.key = (records.text(element, "ProviderBrowseId"),)
        elif action in (Action.INSERT, Action.VERIFY) and self.kind == "collection":
            item.row = {**records.collection_row(element), "provider_id": self.provider_id}
            item.key = (item.row["short_name"], item.row["version_id"])
        elif action in (Action.INSERT, Action.VERIFY) and self.kind == "granule":
            ref = records.collection_ref(element.find("Collection"))
            collection = self._collection(ref)
            if collection is None:
                raise records.RecordError(
                    "without_collection",
                    f"provider {self.provider_id} has no collection {ref}",
                    element.find("Collection").sourceline,
                )
            representation = collection.representation
            parameters = records.parameters_from_json(collection.orbit)
            item.row = {
                **records.granule_row(element, representation, parameters, footprint=False),
                "provider_id": self.provider_id,
                "collection_id": collection.id,
            }
            item.key = (item.row["granule_ur"],)
        elif action in (Action.PARTIAL_ADD, Action.PARTIAL_DELETE) and self.kind != "browse":
            item.row = {
                "targets": [self._target(t) for t in element.iterfind("Targets/Target")],
                "fields": [etree.tostring(f) for f in element.iterfind("Fields/Field")],
            }
        elif action in (Action.INVENTORY_START, Action.INVENTORY, Action.INVENTORY_END):
            item.row = self._inventory_item(record)
        elif action is Action.DELETE and self.kind == "granule":
            item.key = (records.text(element, "GranuleUR"),)
        elif action is Action.DELETE and self.kind == "collection":
            collection = self._collection(records.collection_ref(element))
            item.key = None if collection is None else (collection.short_name,
                                                        collection.version_id)  # fmt: skip
        else:
            raise records.RecordError(
                "data_errors",
                f"{record.section} are not applied yet by this clearinghouse; the record was "
                "left alone",
                record.line,
            )

    def _inventory_item(self, record: Record) -> dict[str, Any]:
        """Inventories are numbered in file order; a collection inventory covers the provider."""
        element = record.element
        if record.action is Action.INVENTORY_START or self._inventory is None:
            self._inventory_count += 1
            collection = None
            if record.action is Action.INVENTORY_START:
                ref = records.collection_ref(element)
                found = self._collection(ref)
                if found is None:
                    raise records.RecordError(
                        "data_errors",
                        f"the inventory names collection {ref}, which {self.provider_id} does "
                        "not have: it is not applied",
                        record.line,
                    )
                collection = found.id
            self._inventory = {"inventory": self._inventory_count, "collection_id": collection}
        state = self._inventory
        if record.action is Action.INVENTORY_END:
            self._inventory = None
            return state
        if record.action is Action.INVENTORY_START:
            return state
        if self.kind == "collection":
            ref = records.collection_ref(element)
            found = self._collection(ref)
            key = f"{found.short_name}\x1f{found.version_id}" if found else f"?{ref}"
        else:
            key = (element.text or "").strip()
        return {**state, "key": key}

    def _inventory_end(self, connection, item: Item, counts, errors) -> None:
        state = item.row
        if self.kind == "collection":
            removed, missing = inventories.apply_collections(
                connection, self.job_id, state["inventory"], self.provider_id
            )
            self._collections.clear()
        elif state["collection_id"] is None:  # its collection was unknown: reported at its start
            inventories.forget(connection, self.job_id, state["inventory"])
            return
        else:
            apply = (
                inventories.apply_browse if self.kind == "browse" else inventories.apply_granules
            )
            removed, missing = apply(
                connection, self.job_id, state["inventory"], state["collection_id"]
            )
        counts["deleted"] += removed
        for key in missing[: inventories.MISSING_LISTED]:
            errors.append((item, "inventory", f"listed but not in the catalog: {key}"))
        if len(missing) > inventories.MISSING_LISTED:
            more = len(missing) - inventories.MISSING_LISTED
            errors.append((item, "inventory", f"and {more:,} more listed but not in the catalog"))

    def _target(self, target) -> tuple[tuple | None, str, str | None]:
        """A partial update's target: its key (None when it names no live record), its label,
        and its LastUpdate as written."""
        last_update = records.text(target, "LastUpdate")
        records.moment(last_update, target.sourceline)  # a date the catalog can hold
        if self.kind == "granule":
            ur = records.text(target, "GranuleUR")
            return (ur,), ur, last_update
        ref = records.collection_ref(target.find("Collection"))
        found = self._collection(ref)
        key = None if found is None else (found.short_name, found.version_id)
        return key, str(ref), last_update

    def _collection(self, ref: records.CollectionRef) -> load.CollectionInfo | None:
        if ref not in self._collections:
            with self.db.session() as session:
                found = load.collections_for(session.connection(), self.provider_id, [ref])
            self._collections[ref] = found.get(ref)
        return self._collections[ref]

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
                self._run(session.connection(), action, items, mine, found)
        except REFUSED as exc:
            reason = getattr(exc.orig, "diag", None)
            message = (reason.message_primary if reason else None) or str(exc.orig).strip()
            return f"the database refused this record: {message}"
        for name, value in mine.items():
            counts[name] += value
        errors.extend(found)
        return None

    def _run(self, connection: Connection, action: Action, live: list, counts, errors) -> None:
        if action is Action.VERIFY:
            self._verify(connection, live, errors)
        if action in (Action.INSERT, Action.VERIFY):
            self._merge(connection, live, counts, errors)
        elif action is Action.DELETE:
            self._delete(connection, live, counts, errors)
        elif action in (Action.PARTIAL_ADD, Action.PARTIAL_DELETE):
            self._partial(connection, action, live, counts, errors)
        elif action is Action.INVENTORY:
            inventories.listed(connection, self.job_id, [i.row for i in live])
        elif action is Action.INVENTORY_END:
            for item in live:
                self._inventory_end(connection, item, counts, errors)

    def _merge(self, connection: Connection, items: list[Item], counts, errors) -> None:
        unique: dict[tuple, Item] = {}
        datasets: set[str] = set()
        rows = []
        for item in items:
            dataset = item.row.get("dataset_id")
            if item.key in unique or (dataset is not None and dataset in datasets):
                counts["duplicated"] += 1
                continue
            unique[item.key] = item
            if dataset is not None:
                datasets.add(dataset)
            rows.append(item)
        table = self._table()
        if table is load.BROWSE_IMAGES:
            for item in rows:
                if item.row["file_name"]:
                    item.row["stored_path"] = browse.store(
                        self.folder, item.row["file_name"], self.browse_root, self.provider_id
                    )
        outcome = load.merge(connection, table, [i.row for i in rows], self.job_id)
        counts["inserted"] += len(outcome.inserted)
        counts["replaced"] += len(outcome.replaced)
        counts["out_of_date"] += len(outcome.out_of_date)
        counts["duplicated"] += len(outcome.duplicated)
        for seq, why in outcome.refused.items():
            counts["data_errors"] += 1
            errors.append((rows[seq], "data_errors", why))
        if self.kind == "collection" and (outcome.inserted or outcome.replaced):
            self._collections.clear()

    def _verify(self, connection: Connection, items: list[Item], errors) -> None:
        """Report where each record differs from the catalog's copy (it is then inserted or
        replaced as any other)."""
        table = load.COLLECTIONS if self.kind == "collection" else load.GRANULES
        found = load.stored(connection, table, self.provider_id, [i.key for i in items])
        for item in items:
            if item.key not in found:
                errors.append((item, "verification", "not in the catalog"))
                continue
            difference = verify.first_difference(
                xmlsafe.parse(found[item.key][1]), xmlsafe.parse(item.row["xml"])
            )
            if difference is not None:
                errors.append((item, "verification", f"differs from the catalog: {difference}"))

    def _table(self) -> load.Table:
        return {"collection": load.COLLECTIONS, "granule": load.GRANULES,
                "browse": load.BROWSE_IMAGES}[self.kind]  # fmt: skip

    def _delete(self, connection: Connection, items: list[Item], counts, errors) -> None:
        table = self._table()
        keys = [item.key for item in items if item.key is not None]
        existed = load.delete(connection, table, self.provider_id, keys, self.job_id)
        counts["deleted"] += len(existed)
        counts["delete_missing"] += len(items) - len(existed)
        if self.kind == "collection" and existed:
            self._collections.clear()

    def _partial(self, connection, action: Action, items: list[Item], counts, errors) -> None:
        table = load.COLLECTIONS if self.kind == "collection" else load.GRANULES
        editor = self._editor()
        keys = {t[0] for item in items for t in item.row["targets"] if t[0] is not None}
        found = load.stored(connection, table, self.provider_id, sorted(keys))
        edited: dict[tuple, tuple] = {}  # key → (record, LastUpdate, id, collection id)

        def fail(item: Item, category: str, message: str) -> None:
            counts[category] += 1
            errors.append((item, category, message))

        for item in items:
            fields = [xmlsafe.parse(f) for f in item.row["fields"]]
            for key, label, last_update in item.row["targets"]:
                if key not in found:
                    fail(item, "data_errors", f"no {self.kind} {label} to update")
                    continue
                record_id, xml, stored_update, collection_id = found[key]
                record, current_update, *_ = edited.get(key) or (None, stored_update)
                incoming = records.moment(last_update)
                if _older(incoming, current_update):
                    counts["out_of_date"] += 1
                    continue
                # Edit a copy: a field that fails leaves the record as it was.
                record = copy.deepcopy(record) if record is not None else xmlsafe.parse(xml)
                try:
                    editor.apply(action is Action.PARTIAL_ADD, record, fields, last_update)
                except partial.UpdateError as exc:
                    fail(item, "data_errors", f"{label}: {exc}")
                    continue
                edited[key] = (record, incoming or current_update, record_id, collection_id)
        rows = []
        for record, _, record_id, collection_id in edited.values():
            try:
                row = self._row_of(connection, record, collection_id)
            except records.RecordError as exc:
                counts[exc.category] += 1
                errors.append((Item(line=0, identifier=_identifier(record)), exc.category,
                               exc.message))  # fmt: skip
                continue
            rows.append({**row, "id": record_id, "last_job_id": self.job_id})
        load.update_rows(connection, table, rows)
        counts["replaced"] += len(rows)

    def _row_of(self, connection, record, collection_id) -> dict[str, Any]:
        if self.kind == "collection":
            return {**records.collection_row(record), "provider_id": self.provider_id}
        info = load.collection_by_id(connection, collection_id)
        return {
            **records.granule_row(
                record, info.representation, records.parameters_from_json(info.orbit)
            ),
            "provider_id": self.provider_id,
            "collection_id": collection_id,
        }

    def _editor(self) -> partial.Editor:
        if self._edits is None:
            self._edits = partial.Editor(self.kind)
        return self._edits

    def _record(self, session, batch: Batch, counts, errors) -> None:
        found = session.scalar(select(IngestReport).where(IngestReport.job_id == self.job_id))
        for name, value in counts.items():
            setattr(found, name, getattr(found, name) + value)
        for item, category, message in errors:
            session.add(
                IngestError(report_id=found.id, record_id=item.identifier, line=item.line,
                            category=category, message=message)
            )  # fmt: skip
        session.execute(
            update(IngestJob).where(IngestJob.id == self.job_id)
            .values(batches_done=batch.number + 1)
        )  # fmt: skip


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


def _older(incoming, stored) -> bool:
    """A partial update's Target/LastUpdate may not be older than the record's."""
    return incoming is not None and stored is not None and incoming < stored


def _identifier(element) -> str | None:
    for path in ("GranuleUR", "ProviderBrowseId", "Targets/Target/GranuleUR"):
        value = records.text(element, path)
        if value:
            return value
    short, version = records.text(element, "ShortName"), records.text(element, "VersionId")
    if short:
        return f"{short} {version}" if version else short
    return records.text(element, "DataSetId") or records.text(element, "EntryId")
