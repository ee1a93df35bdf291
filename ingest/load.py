"""Applying a batch of records to the catalog: COPY into a staging table, then one set-based merge.

Each batch runs in the caller's transaction. The merge carries ECHO's rules: a new record is
inserted; an existing one is replaced only when the incoming provider ``LastUpdate`` is newer (else
it is out of date); a deleted one comes back. The ingest job that writes a row is stamped on it, so
that a second copy of a record later in the same file is known as a duplicate, in any batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, UniqueConstraint, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB

from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from ingest.copy import copy_rows


@dataclass
class Outcome:
    """What a merge did, per record (by its position in the batch)."""

    inserted: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    out_of_date: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # position → why


#: Columns the merge itself sets (or the database does): never copied from a record's row.
KEPT = frozenset({"id", "revision", "created_at", "updated_at", "deleted_at"})


class Table:
    """A table the load writes, described by its ORM model: the columns a row carries are the
    model's columns but the kept and the generated ones, in the model's order."""

    def __init__(self, model: type, key: tuple[str, ...], taken: dict[str, str] | None = None):
        table = model.__table__
        self.name: str = table.name
        self.key = key
        self.columns: tuple[str, ...] = tuple(
            c.name for c in table.columns if c.name not in KEPT and c.computed is None
        )
        self.json = frozenset(c.name for c in table.columns if isinstance(c.type, JSONB))
        #: Catalog records keep a revision and come back from deletion; browse rows do neither.
        self.catalog = "deleted_at" in table.columns
        #: Columns unique per provider besides the key → why a row that repeats another
        #: record's value is refused (the message's fields are the owner's key).
        self.taken = taken or {}
        unique = {
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        }
        others = {("provider_id", column) for column in self.taken}
        if unique != {key, *others}:  # a new unique constraint needs its refusal written here
            raise ValueError(f"{self.name}: unique {sorted(unique)}, described {key} {others}")


COLLECTIONS = Table(
    Collection,
    ("provider_id", "short_name", "version_id"),
    {"dataset_id": "its DataSetId already names collection {} version {}"},
)
GRANULES = Table(Granule, ("provider_id", "granule_ur"))
BROWSE_IMAGES = Table(
    BrowseImage,
    ("provider_id", "provider_browse_id"),
    {"file_name": "its FileName is already browse image {}'s"},
)


def merge(connection: Connection, table: Table, rows: Sequence[dict[str, Any]], job_id: int):
    """Insert or replace ``rows`` (already unique on the key within the batch)."""
    outcome = Outcome()
    if not rows:
        return outcome
    stage = f"stage_{table.name}"
    columns = (*table.columns, "seq")
    connection.execute(text(f"DROP TABLE IF EXISTS pg_temp.{stage}"))
    connection.execute(
        text(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS"
            f" SELECT {', '.join(table.columns)}, 0 AS seq FROM {table.name} WITH NO DATA"
        )
    )
    staged = [{**row, "last_job_id": job_id, "seq": n} for n, row in enumerate(rows)]
    copy_rows(connection, stage, columns, staged, table.json)
    for column, message in table.taken.items():
        outcome.refused.update(_taken(connection, table, stage, column, message))
    key = ", ".join(table.key)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in table.columns if c not in table.key)
    if table.catalog:
        updates += ", revision = t.revision + 1, deleted_at = NULL"
    revived = "t.deleted_at IS NOT NULL OR" if table.catalog else ""
    result = connection.execute(
        text(
            f"""
            WITH written AS (
                INSERT INTO {table.name} AS t ({", ".join(table.columns)})
                SELECT {", ".join(table.columns)} FROM {stage} ORDER BY seq
                ON CONFLICT ({key}) DO UPDATE SET {updates}, updated_at = now()
                WHERE t.last_job_id IS DISTINCT FROM EXCLUDED.last_job_id
                  AND ({revived} t.last_update IS NULL OR EXCLUDED.last_update > t.last_update)
                RETURNING {", ".join(f"t.{k}" for k in table.key)}, (t.xmax = 0) AS inserted
            )
            SELECT s.seq, w.inserted, (x.last_job_id = :job) AS duplicate
            FROM {stage} s
            LEFT JOIN written w USING ({key})
            LEFT JOIN {table.name} x USING ({key})
            """
        ),
        {"job": job_id},
    )
    for seq, inserted, duplicate in result:
        if inserted is True:
            outcome.inserted.append(seq)
        elif inserted is False:
            outcome.replaced.append(seq)
        elif duplicate:
            outcome.duplicated.append(seq)
        else:
            outcome.out_of_date.append(seq)
    return outcome


def _taken(
    connection: Connection, table: Table, stage: str, column: str, message: str
) -> dict[int, str]:
    """Rows whose ``column`` (unique per provider) already belongs to another record: refused,
    taken out of the stage."""
    owner = table.key[1:]
    differs = " OR ".join(f"t.{c} <> s.{c}" for c in owner)
    rows = connection.execute(
        text(
            f"""
            DELETE FROM {stage} s USING {table.name} t
            WHERE t.provider_id = s.provider_id AND t.{column} = s.{column} AND ({differs})
            RETURNING s.seq, {", ".join(f"t.{c}" for c in owner)}
            """
        )
    ).all()
    return {row[0]: message.format(*row[1:]) for row in rows}


def delete(
    connection: Connection, table: Table, provider_id: str, keys: Sequence[tuple], job_id: int
) -> set[tuple]:
    """Mark records deleted (a collection's granules with it); return the keys that existed."""
    if not keys:
        return set()
    key_columns = table.key[1:]
    arrays = {f"k{i}": [k[i] for k in keys] for i in range(len(key_columns))}
    unnest = ", ".join(f":k{i}" for i in range(len(key_columns)))
    match = " AND ".join(f"t.{c} = d.{c}" for c in key_columns)
    returning = f"RETURNING t.id, {', '.join(f't.{c}' for c in key_columns)}"
    pairs = f"unnest({unnest}) AS d({', '.join(key_columns)})"
    statement = (
        f"""
        UPDATE {table.name} t SET deleted_at = now(), revision = t.revision + 1,
            updated_at = now(), last_job_id = :job
        FROM {pairs}
        WHERE t.provider_id = :provider AND {match} AND t.deleted_at IS NULL {returning}
        """
        if table.catalog  # catalog records are marked; browse rows go (their files stay archived)
        else f"DELETE FROM {table.name} t USING {pairs} WHERE t.provider_id = :provider"
        f" AND {match} {returning}"
    )
    rows = connection.execute(
        text(statement).bindparams(*(bindparam(name) for name in arrays)),
        {"provider": provider_id, "job": job_id, **arrays},
    ).all()
    if table is COLLECTIONS:
        delete_granules_of(connection, [row[0] for row in rows], job_id)
    return {tuple(row[1:]) for row in rows}


def delete_granules_of(connection: Connection, collection_ids: list[int], job_id: int) -> None:
    """Mark deleted the live granules of these collections (deleted with them)."""
    if not collection_ids:
        return
    connection.execute(
        text(
            "UPDATE granules SET deleted_at = now(), revision = revision + 1,"
            " updated_at = now(), last_job_id = :job"
            " WHERE collection_id = ANY(:ids) AND deleted_at IS NULL"
        ),
        {"ids": collection_ids, "job": job_id},
    )


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    short_name: str
    version_id: str
    dataset_id: str
    representation: str
    orbit: dict[str, Any] | None


def collections_for(connection: Connection, provider_id: str, refs) -> dict:
    """The live collections of a provider that ``refs`` (CollectionRefs) name, by ref."""
    refs = set(refs)
    if not refs:
        return {}
    rows = connection.execute(
        text(
            """
            SELECT id, short_name, version_id, dataset_id, entry_id, spatial_representation, orbit
            FROM collections
            WHERE provider_id = :provider AND deleted_at IS NULL
              AND (dataset_id = ANY(:datasets) OR entry_id = ANY(:entries)
                   OR short_name = ANY(:short_names))
            """
        ),
        {
            "provider": provider_id,
            "datasets": [r.dataset_id for r in refs if r.dataset_id],
            "entries": [r.entry_id for r in refs if r.entry_id],
            "short_names": [r.short_name for r in refs if r.short_name],
        },
    ).all()
    found = {}
    for ref in refs:
        for cid, short, version, dataset, entry, representation, orbit in rows:
            if (
                (ref.dataset_id and ref.dataset_id == dataset)
                or (ref.entry_id and ref.entry_id == entry)
                or (ref.short_name and (ref.short_name, ref.version_id) == (short, version))
            ):
                found[ref] = CollectionInfo(cid, short, version, dataset, representation, orbit)
                break
    return found


def stored(connection: Connection, table: Table, provider_id: str, keys: Sequence[tuple]):
    """The live stored records with these keys, locked for update: key → (id, xml, last_update,
    collection_id or None)."""
    if not keys:
        return {}
    key_columns = table.key[1:]
    arrays = {f"k{i}": [k[i] for k in keys] for i in range(len(key_columns))}
    unnest = ", ".join(f":k{i}" for i in range(len(key_columns)))
    match = " AND ".join(f"t.{c} = d.{c}" for c in key_columns)
    extra = "t.collection_id" if "collection_id" in table.columns else "NULL"
    rows = connection.execute(
        text(
            f"""
            SELECT {", ".join(f"t.{c}" for c in key_columns)}, t.id, t.xml, t.last_update, {extra}
            FROM {table.name} t JOIN unnest({unnest}) AS d({", ".join(key_columns)}) ON {match}
            WHERE t.provider_id = :provider AND t.deleted_at IS NULL
            FOR UPDATE OF t
            """
        ),
        {"provider": provider_id, **arrays},
    ).all()
    width = len(key_columns)
    return {tuple(row[:width]): tuple(row[width:]) for row in rows}


def update_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Write whole rows (with their ``id``) over the stored ones: COPY, then one UPDATE."""
    if not rows:
        return
    stage = f"stage_update_{table.name}"
    columns = tuple(c for c in table.columns if c not in table.key)
    connection.execute(text(f"DROP TABLE IF EXISTS pg_temp.{stage}"))
    connection.execute(
        text(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS"
            f" SELECT id, {', '.join(columns)} FROM {table.name} WITH NO DATA"
        )
    )
    copy_rows(connection, stage, ("id", *columns), rows, table.json)
    sets = ", ".join(f"{c} = s.{c}" for c in columns)
    connection.execute(
        text(
            f"UPDATE {table.name} t SET {sets}, revision = t.revision + 1, updated_at = now()"
            f" FROM {stage} s WHERE t.id = s.id"
        )
    )


def collection_by_id(connection: Connection, collection_id: int) -> CollectionInfo:
    row = connection.execute(
        text(
            "SELECT id, short_name, version_id, dataset_id, spatial_representation, orbit"
            " FROM collections WHERE id = :id"
        ),
        {"id": collection_id},
    ).one()
    return CollectionInfo(*row)
