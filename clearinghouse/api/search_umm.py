"""CMR's UMM-JSON answers: ``.umm_json`` searches (``{hits, took, items: [{meta, umm}]}``) and
``/search/concepts/<id>.umm_json`` (the record alone), the ``umm`` translated from the stored
ECHO 10 by ``clearinghouse.catalog.umm``."""

from __future__ import annotations

import json

from werkzeug.datastructures import MultiDict

from clearinghouse.accounts import sessions
from clearinghouse.api.functions import Context
from clearinghouse.catalog import cmr, search, umm
from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.errors import NotFound

RESULTS_TYPE = "application/vnd.nasa.cmr.umm_results+json"
_KIND = {"collections": ("C", "collection", umm.collection, umm.collection_version),
         "granules": ("G", "granule", umm.granule, umm.granule_version)}  # fmt: skip


def columns(target: str) -> tuple:
    """What an item needs, fetched with the page."""
    model = Collection if target == "collections" else Granule
    native = Collection.dataset_id if target == "collections" else Granule.granule_ur
    return (model.xml, model.revision, model.updated_at, native.label("native_id"))


def results(target: str, rows, hits: int, took_ms: int) -> tuple[dict[str, str], bytes]:
    letter, concept_type, translate, version = _KIND[target]
    items = [{"meta": _meta(letter, concept_type, row), "umm": translate(row.xml)} for row in rows]
    body = json.dumps({"hits": hits, "took": took_ms, "items": items}).encode()
    content_type = f"{RESULTS_TYPE};version={version}; charset=utf-8"
    return {"Content-Type": content_type}, body


def _meta(letter: str, concept_type: str, row) -> dict:
    return {
        "concept-type": concept_type,
        "concept-id": item_id(letter, row.id, row.provider_id),
        "revision-id": row.revision,
        "native-id": row.native_id,
        "provider-id": row.provider_id,
        "format": "application/echo10+xml",
        "revision-date": search.iso(row.updated_at),
    }


def concept(ctx: Context, concept_id: str) -> tuple[dict[str, str], int, bytes]:
    """One record as UMM-JSON, if the caller may see it (the same rules as a search)."""
    target = {"C": "collections", "G": "granules"}.get(concept_id[:1])
    if target is None:
        raise NotFound(f"no concept {concept_id}: a concept id starts with C or G")
    query, _ = cmr.read(target, MultiDict({"concept_id": concept_id}))
    with ctx.db.session() as session:
        caller = sessions.resolve(session, ctx.token, ctx.settings.session_timeout)
        rows = search.Plan(query, caller).page(session, size=1, columns=columns(target))
    if not rows:
        raise NotFound(f"no concept {concept_id}")
    _, _, translate, version = _KIND[target]
    content_type = f"application/vnd.nasa.cmr.umm+json;version={version}; charset=utf-8"
    return {"Content-Type": content_type}, 200, json.dumps(translate(rows[0].xml)).encode()


def wanted(suffix: str, accept) -> bool:
    """Whether a search asks for UMM-JSON: by its suffix, or by ``Accept`` with none."""
    if suffix == "umm_json":
        return True
    return suffix == "" and any(kind.split(";")[0].strip() == RESULTS_TYPE for kind, _ in accept)
