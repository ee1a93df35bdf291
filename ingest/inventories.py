"""Inventories: the partner lists everything that should exist (a provider's collections, or a
collection's granules); what the catalog holds beyond the list is deleted, and what the list names
that the catalog lacks is reported. The list is kept in the database as it streams in, so that it
may be as long as it likes and survive a crash."""

from __future__ import annotations

from sqlalchemy import Connection, text

from ingest.load import delete_granules_of

MISSING_LISTED = 100  # references a report names one by one; beyond, it counts them


def listed(connection: Connection, job_id: int, entries: list[dict]) -> None:
    if not entries:
        return
    connection.execute(
        text(
            "INSERT INTO ingest_inventory_entries (job_id, inventory, key)"
            " SELECT :job, i, k FROM unnest(CAST(:inventories AS int[]), CAST(:keys AS text[]))"
            " AS e(i, k) ON CONFLICT DO NOTHING"
        ),
        {
            "job": job_id,
            "inventories": [e["inventory"] for e in entries],
            "keys": [e["key"] for e in entries],
        },
    )


def apply_granules(
    connection: Connection, job_id: int, inventory: int, collection_id: int
) -> tuple[int, list[str]]:
    """Delete the collection's granules the inventory does not list; return how many, and the
    listed references the catalog lacks."""
    params = {"job": job_id, "inventory": inventory, "collection": collection_id}
    removed = connection.execute(
        text(
            """
            UPDATE granules g SET deleted_at = now(), revision = g.revision + 1,
                updated_at = now(), last_job_id = :job
            WHERE g.collection_id = :collection AND g.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM ingest_inventory_entries e WHERE e.job_id = :job
                              AND e.inventory = :inventory AND e.key = g.granule_ur)
            """
        ),
        params,
    ).rowcount
    return removed, _missing(
        connection,
        params,
        "SELECT 1 FROM granules g WHERE g.collection_id = :collection"
        " AND g.granule_ur = e.key AND g.deleted_at IS NULL",
    )


def apply_browse(
    connection: Connection, job_id: int, inventory: int, collection_id: int
) -> tuple[int, list[str]]:
    """Delete the browse images the collection or its granules name that the inventory does not
    list."""
    params = {"job": job_id, "inventory": inventory, "collection": collection_id}
    removed = connection.execute(
        text(
            """
            WITH named AS (
                SELECT provider_id, unnest(browse_ids) AS browse_id FROM collections
                WHERE id = :collection
                UNION
                SELECT provider_id, unnest(browse_ids) FROM granules
                WHERE collection_id = :collection AND deleted_at IS NULL
            )
            DELETE FROM browse_images b USING named n
            WHERE b.provider_id = n.provider_id AND b.provider_browse_id = n.browse_id
              AND NOT EXISTS (SELECT 1 FROM ingest_inventory_entries e WHERE e.job_id = :job
                              AND e.inventory = :inventory AND e.key = b.provider_browse_id)
            """
        ),
        params,
    ).rowcount
    return removed, _missing(
        connection,
        params,
        "SELECT 1 FROM browse_images b JOIN collections c ON c.provider_id = b.provider_id"
        " WHERE c.id = :collection AND b.provider_browse_id = e.key",
    )


def apply_collections(
    connection: Connection, job_id: int, inventory: int, provider_id: str
) -> tuple[int, list[str]]:
    """Delete the provider's collections (and their granules) the inventory does not list."""
    params = {"job": job_id, "inventory": inventory, "provider": provider_id}
    removed_ids = (
        connection.execute(
            text(
                """
            UPDATE collections c SET deleted_at = now(), revision = c.revision + 1,
                updated_at = now(), last_job_id = :job
            WHERE c.provider_id = :provider AND c.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM ingest_inventory_entries e WHERE e.job_id = :job
                              AND e.inventory = :inventory
                              AND e.key = c.short_name || chr(31) || c.version_id)
            RETURNING c.id
            """
            ),
            params,
        )
        .scalars()
        .all()
    )
    delete_granules_of(connection, list(removed_ids), job_id)
    # References that named no collection were stored as "?<reference>".
    missing = _missing(connection, params, "SELECT WHERE e.key NOT LIKE '?%'")
    return len(removed_ids), [key[1:] for key in missing]


def _missing(connection: Connection, params: dict, exists: str) -> list[str]:
    """The inventory's references for which ``exists`` (SQL on entry ``e``) finds nothing; the
    inventory is forgotten."""
    keys = (
        connection.execute(
            text(
                "SELECT e.key FROM ingest_inventory_entries e"
                " WHERE e.job_id = :job AND e.inventory = :inventory"
                f" AND NOT EXISTS ({exists}) ORDER BY e.key"
            ),
            params,
        )
        .scalars()
        .all()
    )
    forget(connection, params["job"], params["inventory"])
    return list(keys)


def forget(connection: Connection, job_id: int, inventory: int) -> None:
    connection.execute(
        text("DELETE FROM ingest_inventory_entries WHERE job_id = :job AND inventory = :inventory"),
        {"job": job_id, "inventory": inventory},
    )
