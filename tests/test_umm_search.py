"""UMM-JSON over /search: ``.umm_json`` and ``Accept: application/vnd.nasa.cmr.umm_results+json``,
concept retrieval, and earthaccess's own sequence replayed through python-cmr on a real server
(earthaccess needs Python 3.12; its ``search.py``/``results.py`` steps are copied here in
python-cmr calls: ``umm_json``, ``page_size=0`` for the count, search-after until an empty page,
data links from ``RelatedUrls``)."""

from __future__ import annotations

import requests
from cmr import GranuleQuery

from tests.api_support import error
from tests.catalog_support import AST_UR
from tests.server_support import served
from tests.umm_support import problems

META = {
    "concept-id",
    "provider-id",
    "native-id",
    "revision-id",
    "concept-type",
    "format",
    "revision-date",
}


def test_granules_as_umm_json_with_cmrs_meta(client, catalog):
    response = client.get("/search/granules.umm_json", query_string={"granule_ur": AST_UR})
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/vnd.nasa.cmr.umm_results+json"
    body = response.get_json()
    assert body["hits"] == 1 and isinstance(body["took"], int)
    (item,) = body["items"]
    assert set(item["meta"]) == META
    meta = item["meta"]
    assert meta["concept-type"] == "granule" and meta["native-id"] == AST_UR
    assert meta["concept-id"].startswith("G") and meta["concept-id"].endswith("-PODAAC")
    assert meta["provider-id"] == "PODAAC" and meta["format"] == "application/echo10+xml"
    assert meta["revision-id"] == 1 and meta["revision-date"].endswith("Z")
    assert item["umm"]["GranuleUR"] == AST_UR
    assert problems("granule", item["umm"]) == []


def test_collections_by_accept_and_every_item_validates(client, catalog):
    response = client.get(
        "/search/collections",
        query_string={"page_size": 10},
        headers={"Accept": "application/vnd.nasa.cmr.umm_results+json"},
    )
    assert response.status_code == 200, response.data
    items = response.get_json()["items"]
    assert len(items) == 5
    for item in items:
        assert item["meta"]["concept-type"] == "collection"
        assert problems("collection", item["umm"]) == []
    ast = next(i for i in items if i["umm"]["ShortName"] == "AST_L1A")
    assert ast["meta"]["native-id"] == ast["umm"]["EntryTitle"]


def test_a_concept_as_umm_json_and_one_that_is_not_there(client, catalog):
    found = client.get("/search/granules.umm_json", query_string={"granule_ur": "MADE.2"})
    concept_id = found.get_json()["items"][0]["meta"]["concept-id"]
    response = client.get(f"/search/concepts/{concept_id}.umm_json")
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/vnd.nasa.cmr.umm+json"
    record = response.get_json()
    assert record["GranuleUR"] == "MADE.2" and problems("granule", record) == []
    assert record["DataGranule"]["DayNightFlag"] == "Day"
    missing = client.get("/search/concepts/G999999-MADEUP.umm_json")
    assert missing.status_code == 404
    message = error(missing, 404, "NotFound")["Message"]
    assert message == "no concept G999999-MADEUP that this caller may see"
    odd = client.get("/search/concepts/X1-MADEUP.umm_json")
    assert "concept ids are like C1200000001-PROVIDER" in error(odd, 404, "NotFound")["Message"]


def test_a_bad_parameter_of_a_umm_json_search_is_the_same_precise_400(client, catalog):
    response = client.get("/search/granules.umm_json?cloud_cover=a,b")
    assert response.status_code == 400
    assert "cloud_cover" in response.get_data(as_text=True)


def _earthaccess_get(query: GranuleQuery, limit: int = 20, page_size: int = 2) -> list[dict]:
    """earthaccess's get_results() (earthaccess/utils/_search.py, nsidc/earthaccess at 762467d):
    pages of umm_json, the search-after header carried on, until a page shorter than asked for
    (an empty one when the last was full) or ``limit`` results (earthaccess pages by 2000 up to
    2000 by default; smaller here so that the catalog's five granules span pages)."""
    url, headers, results = query._build_url(), dict(query.headers or {}), []
    more = True
    while more:
        response = requests.get(url, headers=headers, params={"page_size": page_size}, timeout=30)
        if after := response.headers.get("cmr-search-after"):
            headers["cmr-search-after"] = after
        response.raise_for_status()
        latest = response.json()["items"]
        results.extend(latest)
        more = page_size <= len(latest) and len(results) < limit
    return results


def _data_links(granule: dict) -> list[str]:
    """earthaccess results.py DataGranule.data_links(): GET DATA (and direct access) URLs."""
    wanted = ("GET DATA", "GET DATA VIA DIRECT ACCESS")
    return [u["URL"] for u in granule["umm"].get("RelatedUrls", []) if u["Type"] in wanted]


def test_earthaccess_sequence_through_python_cmr(db, catalog, settings):
    with served(db, settings) as base:
        query = GranuleQuery(mode=f"{base}/search/").short_name("AIRX3STD").format("umm_json")
        airs = _earthaccess_get(query)
        assert [g["umm"]["GranuleUR"] for g in airs] == [
            "AIRX3STD.006:AIRS.2002.09.04.L3.RetStd001.v6.0.9.0.G13208020620.hdf"
        ]
        links = _data_links(airs[0])
        assert links and all(link.startswith("http") for link in links)
        made = GranuleQuery(mode=f"{base}/search/").short_name("C1").format("umm_json")
        for page_size in (2, 5):  # 5: the last page is full, and the empty one after it ends it
            everything = _earthaccess_get(made, page_size=page_size)
            assert sorted(g["umm"]["GranuleUR"] for g in everything) == [
                f"MADE.{n}" for n in range(5)
            ]


def test_earthaccess_counts_with_page_size_zero(db, catalog, settings):
    # earthaccess search.py DataGranules.hits(): GET with page_size=0, the count in CMR-Hits.
    with served(db, settings) as base:
        made = GranuleQuery(mode=f"{base}/search/").short_name("C1").format("umm_json")
        assert made.hits() == 5
