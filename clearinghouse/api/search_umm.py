"""CMR's UMM-JSON answers: ``.umm_json`` searches (``{hits, took, items: [{meta, umm}]}``) and
``/search/concepts/<id>.umm_json`` (the record alone), the ``umm`` translated from the stored
ECHO 10 by ``clearinghouse.catalog.umm``."""

from __future__ import annotations

import json

from clearinghouse.api.search_formats import granule_count
from clearinghouse.catalog import search, umm
from clearinghouse.catalog.cmr import NATIVE_ID
from clearinghouse.catalog.conditions import item_id

RESULTS_TYPE = "application/vnd.nasa.cmr.umm_results+json"
RECORD_TYPE = "application/vnd.nasa.cmr.umm+json"
#: The Content-Type in full, as CMR sends it: the UMM version the ``umm`` is in, by target.
_VERSIONS = {"collections": umm.collection_version, "granules": umm.granule_version}
RESULTS_TYPES = {t: f"{RESULTS_TYPE};version={v}; charset=utf-8" for t, v in _VERSIONS.items()}
RECORD_TYPES = {t: f"{RECORD_TYPE};version={v}; charset=utf-8" for t, v in _VERSIONS.items()}
_KIND = {
    "collections": ("C", "collection", umm.collection),
    "granules": ("G", "granule", umm.granule),
}


def results(page) -> bytes:
    """A search's page (``clearinghouse.api.search_formats.Page``) as CMR's UMM-JSON results."""
    letter, concept_type, translate = _KIND[page.target]
    items = [
        {"meta": _meta(page.target, letter, concept_type, row), "umm": translate(row.xml)}
        for row in page.rows
    ]
    return json.dumps({"hits": page.hits, "took": page.took, "items": items}).encode()


def record(target: str, row) -> bytes:
    """One concept as its UMM record alone (``/search/concepts/<id>.umm_json``)."""
    return json.dumps(_KIND[target][2](row.xml)).encode()


def _meta(target: str, letter: str, concept_type: str, row) -> dict:
    meta = {
        "concept-type": concept_type,
        "concept-id": item_id(letter, row.id, row.provider_id),
        "revision-id": row.revision,
        "native-id": getattr(row, NATIVE_ID[target]),
        "provider-id": row.provider_id,
        "format": "application/echo10+xml",
        "revision-date": search.iso(row.updated),
    }
    if granule_count(row) is not None:  # CMR's umm_json_results_handler.clj puts it there
        meta["granule-count"] = granule_count(row)
    return meta
