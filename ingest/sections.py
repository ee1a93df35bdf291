"""What each kind of file does with each action of its sections: one handler per kind
(collections, granules, browse images), each preparing a record's item as it streams by (no
database writes) and applying a batch of items inside the transaction it is given.

The actions a kind takes are the keys of its ``PREPARE`` and ``APPLY`` tables; a record of any
other action is reported as not applied, and its batch has nothing to apply."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree
from sqlalchemy import Connection

from clearinghouse import xmlsafe
from clearinghouse.db import Database
from ingest import browse, inventories, load, partial, records, verify
from ingest.items import Item, Job, identifier
from ingest.models import FileKind
from ingest.reader import Action, Record

#: (item, category, message) of a batch's report.
Errors = list[tuple[Item, str, str]]

_RECORDS = (Action.INSERT, Action.VERIFY)
_PARTIAL = (Action.PARTIAL_ADD, Action.PARTIAL_DELETE)
_INVENTORY = (Action.INVENTORY_START, Action.INVENTORY, Action.INVENTORY_END)


class Section:
    """What every kind shares: merges, deletions, inventories, and the collections records name
    (looked up once per job, forgotten when the job changes them)."""

    kind: ClassVar[FileKind]
    table: ClassVar[load.Table]
    PREPARE: ClassVar[dict[Action, str]] = {
        Action.INSERT: "_prepare_row",
        Action.DELETE: "_prepare_delete",
        **dict.fromkeys(_INVENTORY, "_prepare_inventory"),
    }
    APPLY: ClassVar[dict[Action, str]] = {
        Action.INSERT: "_merge",
        Action.DELETE: "_delete",
        Action.INVENTORY: "_listed",
        Action.INVENTORY_END: "_inventory_end",
    }

    def __init__(self, db: Database, job: Job, browse_root: Path | None = None):
        self.db = db
        self.job = job
        self.provider_id = job.provider_id
        self.browse_root = browse_root
        self._collections: dict[records.CollectionRef, load.CollectionInfo | None] = {}
        self._inventory: dict[str, Any] | None = None
        self._inventory_count = 0

    def prepare(self, record: Record, item: Item) -> None:
        name = self.PREPARE.get(record.action)
        if name is None:
            raise records.RecordError(
                "data_errors",
                f"{record.section} are not applied yet by this clearinghouse; the record was "
                "left alone",
                record.line,
            )
        getattr(self, name)(record, item)

    def apply(
        self, connection: Connection, action: Action, items: list[Item], counts, errors: Errors
    ) -> None:
        name = self.APPLY.get(action)
        if name is not None:  # else its records were all refused when prepared
            getattr(self, name)(connection, items, counts, errors)

    # What a kind says of its own records.
    def row(self, element: etree._Element) -> tuple[dict[str, Any], tuple]:
        """A record's row and key."""
        raise NotImplementedError

    def delete_key(self, element: etree._Element) -> tuple | None:
        raise NotImplementedError

    def listed_key(self, element: etree._Element) -> str:
        return (element.text or "").strip()

    def end_inventory(self, connection: Connection, state: dict) -> tuple[int, list] | None:
        """Apply an inventory: (records deleted, references missing), None when not applied."""
        if state["collection_id"] is None:  # its collection was unknown: reported at its start
            inventories.forget(connection, self.job.id, state["inventory"])
            return None
        return self._apply_inventory(
            connection, self.job.id, state["inventory"], state["collection_id"]
        )

    _apply_inventory: ClassVar[Callable[..., tuple[int, list]]]

    def written(self) -> None:
        """Records of the kind were inserted, replaced or deleted."""

    # Preparing.
    def _prepare_row(self, record: Record, item: Item) -> None:
        item.row, item.key = self.row(record.element)

    def _prepare_delete(self, record: Record, item: Item) -> None:
        item.key = self.delete_key(record.element)

    def _prepare_inventory(self, record: Record, item: Item) -> None:
        """Inventories are numbered in file order; a collection inventory covers the provider."""
        element = record.element
        if record.action is Action.INVENTORY_START or self._inventory is None:
            self._inventory_count += 1
            collection = None
            if record.action is Action.INVENTORY_START:
                ref = records.collection_ref(element)
                found = self.collection(ref)
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
        if record.action in (Action.INVENTORY_START, Action.INVENTORY_END):
            item.row = state
            return
        item.row = {**state, "key": self.listed_key(element)}

    def collection(self, ref: records.CollectionRef) -> load.CollectionInfo | None:
        if ref not in self._collections:
            with self.db.session() as session:
                found = load.collections_for(session.connection(), self.provider_id, [ref])
            self._collections[ref] = found.get(ref)
        return self._collections[ref]

    # Applying.
    def _merge(self, connection: Connection, items: list[Item], counts, errors: Errors) -> None:
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
        self._before_merge(rows)
        outcome = load.merge(connection, self.table, [i.row for i in rows], self.job.id)
        counts["inserted"] += len(outcome.inserted)
        counts["replaced"] += len(outcome.replaced)
        counts["out_of_date"] += len(outcome.out_of_date)
        counts["duplicated"] += len(outcome.duplicated)
        for seq, why in outcome.refused.items():
            counts["data_errors"] += 1
            errors.append((rows[seq], "data_errors", why))
        if outcome.inserted or outcome.replaced:
            self.written()

    def _before_merge(self, items: list[Item]) -> None:
        """The batch's rows, unique, just before they are merged."""

    def _delete(self, connection: Connection, items: list[Item], counts, errors: Errors) -> None:
        keys = [item.key for item in items if item.key is not None]
        existed = load.delete(connection, self.table, self.provider_id, keys, self.job.id)
        counts["deleted"] += len(existed)
        counts["delete_missing"] += len(items) - len(existed)
        if existed:
            self.written()

    def _listed(self, connection: Connection, items: list[Item], counts, errors: Errors) -> None:
        inventories.listed(connection, self.job.id, [i.row for i in items])

    def _inventory_end(
        self, connection: Connection, items: list[Item], counts, errors: Errors
    ) -> None:
        for item in items:
            applied = self.end_inventory(connection, item.row)
            if applied is None:
                continue
            removed, missing = applied
            counts["deleted"] += removed
            for key in missing[: inventories.MISSING_LISTED]:
                errors.append((item, "inventory", f"listed but not in the catalog: {key}"))
            if len(missing) > inventories.MISSING_LISTED:
                more = len(missing) - inventories.MISSING_LISTED
                errors.append(
                    (item, "inventory", f"and {more:,} more listed but not in the catalog")
                )


class _Catalog(Section):
    """Collections and granules: records that are also verified and partially updated."""

    PREPARE: ClassVar[dict[Action, str]] = {
        **Section.PREPARE,
        Action.VERIFY: "_prepare_row",
        **dict.fromkeys(_PARTIAL, "_prepare_partial"),
    }
    APPLY: ClassVar[dict[Action, str]] = {
        **Section.APPLY,
        Action.VERIFY: "_verify_and_merge",
        Action.PARTIAL_ADD: "_partial_add",
        Action.PARTIAL_DELETE: "_partial_delete",
    }

    def __init__(self, db: Database, job: Job, browse_root: Path | None = None):
        super().__init__(db, job, browse_root)
        self._edits: partial.Editor | None = None

    def target(self, target: etree._Element) -> tuple[tuple | None, str]:
        """A partial update's target: its key (None when it names no live record), its label."""
        raise NotImplementedError

    def row_of(self, connection: Connection, record, collection_id) -> dict[str, Any]:
        """The row of a record a partial update edited."""
        raise NotImplementedError

    def _prepare_partial(self, record: Record, item: Item) -> None:
        element = record.element
        item.row = {
            "targets": [self._target(t) for t in element.iterfind("Targets/Target")],
            "fields": [etree.tostring(f) for f in element.iterfind("Fields/Field")],
        }

    def _target(self, target) -> tuple[tuple | None, str, str | None]:
        """A target's key and label, and its LastUpdate as written."""
        last_update = records.text(target, "LastUpdate")
        records.moment(last_update, target.sourceline)  # a date the catalog can hold
        return (*self.target(target), last_update)

    def _verify_and_merge(
        self, connection: Connection, items: list[Item], counts, errors: Errors
    ) -> None:
        """Report where each record differs from the catalog's copy; it is then inserted or
        replaced as any other."""
        found = load.stored(connection, self.table, self.provider_id, [i.key for i in items])
        for item in items:
            if item.key not in found:
                errors.append((item, "verification", "not in the catalog"))
                continue
            difference = verify.first_difference(
                xmlsafe.parse(found[item.key][1]), xmlsafe.parse(item.row["xml"])
            )
            if difference is not None:
                errors.append((item, "verification", f"differs from the catalog: {difference}"))
        self._merge(connection, items, counts, errors)

    def _partial_add(self, connection: Connection, items: list[Item], counts, errors) -> None:
        self._partial(connection, True, items, counts, errors)

    def _partial_delete(self, connection: Connection, items: list[Item], counts, errors) -> None:
        self._partial(connection, False, items, counts, errors)

    def _partial(
        self, connection: Connection, adding: bool, items: list[Item], counts, errors: Errors
    ) -> None:
        if self._edits is None:
            self._edits = partial.Editor(self.kind.value)
        keys = {t[0] for item in items for t in item.row["targets"] if t[0] is not None}
        found = load.stored(connection, self.table, self.provider_id, sorted(keys))
        edited: dict[tuple, tuple] = {}  # key → (record, LastUpdate, id, collection id)

        def fail(item: Item, category: str, message: str) -> None:
            counts[category] += 1
            errors.append((item, category, message))

        for item in items:
            fields = [xmlsafe.parse(f) for f in item.row["fields"]]
            for key, label, last_update in item.row["targets"]:
                if key not in found:
                    fail(item, "data_errors", f"no {self.kind.value} {label} to update")
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
                    self._edits.apply(adding, record, fields, last_update)
                except partial.UpdateError as exc:
                    fail(item, "data_errors", f"{label}: {exc}")
                    continue
                edited[key] = (record, incoming or current_update, record_id, collection_id)
        rows = []
        for record, _, record_id, collection_id in edited.values():
            try:
                row = self.row_of(connection, record, collection_id)
            except records.RecordError as exc:
                counts[exc.category] += 1
                errors.append(
                    (Item(line=0, identifier=identifier(record)), exc.category, exc.message)
                )
                continue
            rows.append({**row, "id": record_id, "last_job_id": self.job.id})
        load.update_rows(connection, self.table, rows)
        counts["replaced"] += len(rows)


class Collections(_Catalog):
    kind = FileKind.COLLECTION
    table = load.COLLECTIONS

    def row(self, element):
        row = {**records.collection_row(element), "provider_id": self.provider_id}
        return row, (row["short_name"], row["version_id"])

    def delete_key(self, element):
        found = self.collection(records.collection_ref(element))
        return None if found is None else (found.short_name, found.version_id)

    def listed_key(self, element):
        ref = records.collection_ref(element)
        found = self.collection(ref)
        return f"{found.short_name}\x1f{found.version_id}" if found else f"?{ref}"

    def end_inventory(self, connection, state):
        applied = inventories.apply_collections(
            connection, self.job.id, state["inventory"], self.provider_id
        )
        self.written()
        return applied

    def written(self):
        self._collections.clear()

    def target(self, target):
        ref = records.collection_ref(target.find("Collection"))
        found = self.collection(ref)
        return (None if found is None else (found.short_name, found.version_id)), str(ref)

    def row_of(self, connection, record, collection_id):
        return {**records.collection_row(record), "provider_id": self.provider_id}


class Granules(_Catalog):
    kind = FileKind.GRANULE
    table = load.GRANULES
    _apply_inventory = staticmethod(inventories.apply_granules)

    def row(self, element):
        ref = records.collection_ref(element.find("Collection"))
        collection = self.collection(ref)
        if collection is None:
            raise records.RecordError(
                "without_collection",
                f"provider {self.provider_id} has no collection {ref}",
                element.find("Collection").sourceline,
            )
        parameters = records.parameters_from_json(collection.orbit)
        row = {
            **records.granule_row(element, collection.representation, parameters, footprint=False),
            "provider_id": self.provider_id,
            "collection_id": collection.id,
        }
        return row, (row["granule_ur"],)

    def delete_key(self, element):
        return (records.text(element, "GranuleUR"),)

    def target(self, target):
        ur = records.text(target, "GranuleUR")
        return (ur,), ur

    def row_of(self, connection, record, collection_id):
        info = load.collection_by_id(connection, collection_id)
        return {
            **records.granule_row(
                record, info.representation, records.parameters_from_json(info.orbit)
            ),
            "provider_id": self.provider_id,
            "collection_id": collection_id,
        }


class BrowseImages(Section):
    kind = FileKind.BROWSE
    table = load.BROWSE_IMAGES
    _apply_inventory = staticmethod(inventories.apply_browse)

    def row(self, element):
        row = {**records.browse_row(element), "provider_id": self.provider_id, "stored_path": None}
        return row, (row["provider_browse_id"],)

    def delete_key(self, element):
        return (records.text(element, "ProviderBrowseId"),)

    def _before_merge(self, items):
        for item in items:
            if item.row["file_name"]:
                item.row["stored_path"] = browse.store(
                    self.job.path.parent,
                    item.row["file_name"],
                    self.browse_root,
                    self.provider_id,
                )


SECTIONS: dict[FileKind, type[Section]] = {
    section.kind: section for section in (Collections, Granules, BrowseImages)
}


def _older(incoming, stored) -> bool:
    """A partial update's Target/LastUpdate may not be older than the record's."""
    return incoming is not None and stored is not None and incoming < stored
