"""sort_key (several keys, each ascending or descending) and shallow paging (page_num, offset,
CMR's limits), with paging by CMR-Search-After in any order. Ported from CMR's system-int-test/
test/cmr/system_int_test/search/collection/collection_sorting_search_test.clj,
granule/granule_sorting_search_test.clj and misc/paging_search_test.clj."""

from __future__ import annotations

import pytest

from tests.cmr_support import coll, found, gran, ingest, range_xml, refused


@pytest.fixture
def sortable(db, session, tmp_path):
    collections = [
        coll(
            "Bravo", dataset="ET b", extra=range_xml("2001-01-01T00:00:00Z", "2002-01-01T00:00:00")
        ),
        coll("alpha", dataset="ET c", extra=range_xml("2000-01-01T00:00:00Z")),  # ongoing
        coll(
            "Charlie",
            dataset="ET a",
            extra=range_xml("2003-01-01T00:00:00Z", "2004-01-01T00:00:00"),
        ),
    ]
    granules = [
        gran(
            "g3",
            "ET b",
            cloud=50,
            producer="p1",
            temporal=range_xml("2001-03-01T00:00:00Z", "2001-03-02T00:00:00Z"),
        ),
        gran(
            "g1",
            "ET b",
            cloud=10,
            temporal=range_xml("2001-01-01T00:00:00Z", "2001-05-01T00:00:00Z"),
        ),
        gran("g2", "ET c", cloud=90, temporal=range_xml("2000-06-01T00:00:00Z")),
        gran("g4", "ET a", temporal=range_xml("2003-02-01T00:00:00Z", "2003-02-02T00:00:00Z")),
    ]
    ingest(db, session, tmp_path, "PROV2", collections[:2], granules[:3])
    ingest(db, session, tmp_path, "PROV1", collections[2:], granules[3:])
    return db


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["entry_title"], ["Charlie", "Bravo", "alpha"]),
        (["-entry_title"], ["alpha", "Bravo", "Charlie"]),
        (["dataset_id"], ["Charlie", "Bravo", "alpha"]),
        (["start_date"], ["alpha", "Bravo", "Charlie"]),
        (["-start_date"], ["Charlie", "Bravo", "alpha"]),
        (["end_date"], ["Bravo", "Charlie", "alpha"]),  # ongoing: after every end
        (["-end_date"], ["alpha", "Charlie", "Bravo"]),
        (["short_name"], ["Bravo", "Charlie", "alpha"]),  # as stored, upper case first
        (["provider", "-short_name"], ["Charlie", "alpha", "Bravo"]),
        (["-provider", "start_date"], ["alpha", "Bravo", "Charlie"]),
        (["+provider", "entry_id"], ["Charlie", "Bravo", "alpha"]),
    ],
)
def test_collection_sort_keys(client, sortable, keys, expected):
    assert found(client, "collections", [("sort_key", k) for k in keys]) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["start_date"], ["g2", "g1", "g3", "g4"]),
        (["-start_date"], ["g4", "g3", "g1", "g2"]),
        (["end_date"], ["g3", "g1", "g4", "g2"]),
        (["granule_ur"], ["g1", "g2", "g3", "g4"]),
        (["-granule_ur"], ["g4", "g3", "g2", "g1"]),
        (["cloud_cover"], ["g4", "g1", "g3", "g2"]),  # none first
        (["-cloud_cover"], ["g2", "g3", "g1", "g4"]),
        (["provider", "-granule_ur"], ["g4", "g3", "g2", "g1"]),
        (["entry_title", "granule_ur"], ["g4", "g1", "g3", "g2"]),
        (["-short_name", "-start_date"], ["g2", "g4", "g3", "g1"]),
        (["producer_granule_id", "granule_ur"], ["g1", "g2", "g4", "g3"]),
        (["revision_date", "granule_ur"], ["g1", "g2", "g3", "g4"]),
    ],
)
def test_granule_sort_keys(client, sortable, keys, expected):
    assert found(client, "granules", [("sort_key", k) for k in keys]) == expected


@pytest.mark.parametrize(
    "keys", [["-cloud_cover"], ["short_name", "-start_date"], ["-provider", "granule_ur"]]
)
def test_search_after_in_any_order(client, sortable, keys):
    """Paged one by one by CMR-Search-After, the order is the one-page order, nothing repeated."""
    sort = [("sort_key", k) for k in keys]
    seen, after = [], None
    for _ in range(6):
        headers = {"CMR-Search-After": after} if after else {}
        response = client.get(
            "/search/granules.json", headers=headers, query_string=[*sort, ("page_size", "1")]
        )
        assert response.status_code == 200, response.data
        seen += [e["title"] for e in response.get_json()["feed"]["entry"]]
        after = response.headers.get("CMR-Search-After")
        if after is None:
            break
    assert seen == found(client, "granules", sort)


def test_bad_sort_keys(client, sortable):
    refused(client, "collections", {"sort_key": "colour"}, "not a collection sort key")
    refused(client, "granules", {"sort_key": "-entry_id"}, "not a granule sort key")
    refused(
        client,
        "collections",
        {"sort_key": "usage_score"},
        "not supported by this server",
        code="NotSupported",
    )
    refused(client, "granules", {"sort_key": "data_size"}, "not supported", code="NotSupported")


def _page(client, target: str, params) -> tuple[list[str], str]:
    response = client.get(f"/search/{target}.json", query_string=params)
    assert response.status_code == 200, response.data
    key = "short_name" if target == "collections" else "title"
    return [e[key] for e in response.get_json()["feed"]["entry"]], response.headers["CMR-Hits"]


def test_page_num_and_offset(client, sortable):
    """paging_search_test.clj: page_num counts pages of page_size from 1, offset items from 0;
    the hit count is the whole answer's."""
    order = [("sort_key", "granule_ur")]
    assert _page(client, "granules", [*order, ("page_size", "2"), ("page_num", "1")]) == (
        ["g1", "g2"],
        "4",
    )
    assert _page(client, "granules", [*order, ("page_size", "2"), ("page_num", "2")]) == (
        ["g3", "g4"],
        "4",
    )
    assert _page(client, "granules", [*order, ("page_size", "2"), ("page_num", "3")]) == ([], "4")
    assert _page(client, "granules", [*order, ("page_size", "2"), ("offset", "1")]) == (
        ["g2", "g3"],
        "4",
    )
    assert _page(client, "granules", [*order, ("page_size", "3"), ("offset", "3")]) == (["g4"], "4")
    assert _page(
        client, "collections", {"sort_key": "-start_date", "page_size": "1", "page_num": "2"}
    ) == (["Bravo"], "3")


def test_paging_limits(client, sortable):
    refused(client, "granules", {"page_num": "0"}, "page_num")
    refused(client, "granules", {"offset": "-1"}, "offset")
    refused(client, "granules", {"page_num": "2", "offset": "1"}, "give one of them")
    # CMR's depth limits: 1,000,000 items; 10,000 for granules not limited to collections
    refused(client, "collections", {"page_size": "2000", "page_num": "501"}, "1,000,000th item")
    assert _page(client, "collections", {"page_size": "2000", "page_num": "500"})[0] == []
    refused(client, "granules", {"page_size": "100", "page_num": "101"}, "10,000th item")
    assert (
        _page(client, "granules", {"short_name": "Bravo", "page_size": "100", "page_num": "101"})[0]
        == []
    )
    first = client.get("/search/granules.json", query_string={"page_size": 1})
    response = client.get(
        "/search/granules.json",
        query_string={"page_num": "2", "page_size": 1},
        headers={"CMR-Search-After": first.headers["CMR-Search-After"]},
    )
    assert response.status_code == 400 and b"page_num" in response.data
    refused(client, "granules", {"pretty": "yes"}, "pretty")
    assert _page(client, "granules", {"pretty": "true", "granule_ur": "g1"})[0] == ["g1"]
