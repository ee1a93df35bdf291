"""``GET /search/collections`` and ``GET /search/granules``: the catalog for scripts, with CMR's
parameter names (``clearinghouse.catalog.cmr``), the hit count in ``CMR-Hits`` and the next page
behind ``CMR-Search-After``; ECHO 10 XML by default, JSON on request."""

from __future__ import annotations

import json

from lxml import etree
from sqlalchemy import select

from clearinghouse import xmlsafe
from clearinghouse.accounts import sessions
from clearinghouse.api.functions import Context
from clearinghouse.catalog import cmr, search
from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import Collection, Granule

Answer = tuple[dict[str, str], int, bytes]


def run(ctx: Context, target: str, args, *, as_json: bool, search_after: str | None) -> Answer:
    query, size = cmr.read(target, args)
    with ctx.db.session() as session:
        caller = sessions.resolve(session, ctx.token, ctx.settings.session_timeout)
        plan = search.Plan(query, caller)
        after = None
        if search_after:
            after = search.key_values(cmr.decode_after(search_after), target, plan.sort)
        rows = plan.page(
            session, size=size, after=after, columns=_columns(target) if as_json else ()
        )
        if after is None and not query.skip and len(rows) < size:
            hits, estimated = len(rows), False  # the whole answer is on this page: no count needed
        else:
            hits, estimated = plan.count(session)
    headers = {"CMR-Hits": str(hits)}
    if estimated:
        headers["CMR-Hits-Estimated"] = "true"
    if len(rows) == size:
        headers["CMR-Search-After"] = cmr.encode_after(search.key_of(rows[-1], target, plan.sort))
    if as_json:
        headers["Content-Type"] = "application/json"
        entries = [_entry(target, row) for row in rows]
        body = json.dumps({"feed": {"hits": hits, "entry": entries}}).encode()
    else:
        headers["Content-Type"] = "application/echo10+xml; charset=utf-8"
        body = _xml(target, hits, rows)
    return headers, 200, body


def _xml(target: str, hits: int, rows) -> bytes:
    kind = "C" if target == "collections" else "G"
    root = etree.Element("results")
    etree.SubElement(root, "hits").text = str(hits)
    for row in rows:
        result = etree.SubElement(root, "result", {
            "concept-id": item_id(kind, row.id, row.provider_id),
            "provider": row.provider_id, "format": "application/echo10+xml"})  # fmt: skip
        result.append(etree.fromstring(row.xml))
    return xmlsafe.tostring(root)


def _columns(target: str) -> tuple:
    """What a JSON entry shows, fetched with the page."""
    if target == "collections":
        return (Collection.short_name, Collection.version_id, Collection.dataset_id,
                Collection.processing_level, Collection.archive_center, Collection.platforms,
                Collection.temporal_start, Collection.temporal_end, Collection.updated_at,
                Collection.online_only)  # fmt: skip
    dataset = (
        select(Collection.dataset_id)
        .where(Collection.id == Granule.collection_id)
        .scalar_subquery()
        .label("dataset_id")
    )
    return (Granule.granule_ur, Granule.producer_granule_id, Granule.collection_id, dataset,
            Granule.temporal_start.label("time_start"), Granule.temporal_end,
            Granule.updated_at.label("updated"), Granule.cloud_cover, Granule.day_night_flag,
            Granule.online_only, Granule.browse_available)  # fmt: skip


def _entry(target: str, row) -> dict:
    if target == "collections":
        return {
            "id": item_id("C", row.id, row.provider_id),
            "data_center": row.provider_id,
            "title": row.dataset_id,
            "dataset_id": row.dataset_id,
            "short_name": row.short_name,
            "version_id": row.version_id,
            "processing_level_id": row.processing_level,
            "archive_center": row.archive_center,
            "platforms": list(row.platforms),
            "time_start": search.iso(row.temporal_start),
            "time_end": search.iso(row.temporal_end),
            "updated": search.iso(row.updated_at),
            "online_access_flag": row.online_only,
        }
    return {
        "id": item_id("G", row.id, row.provider_id),
        "data_center": row.provider_id,
        "title": row.granule_ur,
        "producer_granule_id": row.producer_granule_id,
        "collection_concept_id": item_id("C", row.collection_id, row.provider_id),
        "dataset_id": row.dataset_id,
        "time_start": search.iso(row.time_start),
        "time_end": search.iso(row.temporal_end),
        "updated": search.iso(row.updated),
        "cloud_cover": row.cloud_cover,
        "day_night_flag": row.day_night_flag.value if row.day_night_flag else None,
        "online_access_flag": row.online_only,
        "browse_flag": row.browse_available,
    }
