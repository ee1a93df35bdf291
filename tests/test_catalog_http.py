"""GET /search/collections and /search/granules: CMR's parameters over the same engine as AQL."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.api_support import error
from tests.catalog_support import AST_UR, aql, ids, run


def _xml(response) -> etree._Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/echo10+xml"  # asked for: .echo10
    return etree.fromstring(response.data)


def test_collections_in_echo10_with_the_hit_count(client, catalog):
    response = client.get("/search/collections.echo10?short_name=ast_l1a")  # case ignored, as CMR
    root = _xml(response)
    assert response.headers["CMR-Hits"] == root.findtext("hits") == "1"
    (result,) = root.iterfind("result")
    assert result.get("concept-id").startswith("C") and result.get("provider") == "PODAAC"
    assert result.findtext("Collection/ShortName") == "AST_L1A"
    exact = client.get(
        "/search/collections?short_name=ast_l1a&options[short_name][ignore_case]=false"
    )
    assert exact.headers["CMR-Hits"] == "0"
    wild = client.get("/search/collections.json?short_name=C*&options[short_name][pattern]=true")
    assert sorted(e["short_name"] for e in wild.get_json()["feed"]["entry"]) == ["C1", "C2"]


def test_granules_page_by_search_after(client, catalog):
    seen, after = [], None
    while True:
        headers = {"CMR-Search-After": after} if after else {}
        response = client.get("/search/granules.json?dataset_id=DS 1&page_size=2", headers=headers)
        assert response.status_code == 200 and response.headers["CMR-Hits"] == "5"
        entries = response.get_json()["feed"]["entry"]
        seen += [e["title"] for e in entries]
        after = response.headers.get("CMR-Search-After")
        if after is None:
            break
    assert sorted(seen) == [f"MADE.{n}" for n in range(5)] and len(seen) == 5
    response = client.get(
        "/search/granules",
        query_string={"granule_ur": "MADE.3"},
        headers={"Accept": "application/json"},
    )
    first = response.get_json()["feed"]["entry"][0]
    assert first["dataset_id"] == "DS 1" and first["cloud_cover"] == 60
    assert first["day_night_flag"] == "NIGHT" and first["id"].endswith("-MADEUP")


def _titles(client, **params) -> set[str]:
    response = client.get("/search/granules.json", query_string={"page_size": 100, **params})
    assert response.status_code == 200, response.data
    return {e["title"] for e in response.get_json()["feed"]["entry"]}


def test_spatial_temporal_and_ranges(client, catalog):
    airs = next(t for t in _titles(client, point="0.5,0.5") if t.startswith("AIRX3STD"))
    assert _titles(client, bounding_box="170,49,-170,51") == {AST_UR, airs}
    assert _titles(client, bounding_box="-180,49,-179.5,50.5") == {AST_UR, airs}
    assert _titles(client, polygon="11,1,14,1,14,4,11,4,11,1") == {"MADE.2", airs}
    assert _titles(client, circle="12.5,2.5,50000") == {"MADE.2", airs}
    spring = "2020-02-01T00:00:00Z,2020-03-31T00:00:00Z"
    assert _titles(client, dataset_id="DS 1", temporal=spring) == {"MADE.1", "MADE.2"}
    assert _titles(client, dataset_id="DS 1", cloud_cover="30,70") == {"MADE.2", "MADE.3"}
    assert _titles(client, dataset_id="DS 1", day_night_flag="night") == {"MADE.1", "MADE.3"}
    assert _titles(client, platform="TERRA") == {f"MADE.{n}" for n in range(5)}


def test_production_dates_and_equator_crossings(client, catalog):
    produced = "2020-02-01T00:00:00Z,2020-03-31T00:00:00Z"
    assert _titles(client, production_date=produced) == {"MADE.1", "MADE.2"}
    assert _titles(client, production_date="2016-09-07T00:00:00Z,2016-09-08T00:00:00Z") == {AST_UR}
    assert _titles(client, equator_crossing_longitude="-100,10") == {"MADE.1", "MADE.2"}
    assert _titles(client, equator_crossing_longitude="170,-160") == {"MADE.0", "MADE.4"}
    assert _titles(client, equator_crossing_date="2020-03-01T00:00:00Z,") == {
        "MADE.2",
        "MADE.3",
        "MADE.4",
    }


def test_both_front_ends_give_the_same_answer(client, catalog):
    by_aql = ids(
        run(
            client,
            aql(
                "granules",
                "<dataSetId><value>DS 1</value></dataSetId>",
                "<cloudCover><range lower='10'/></cloudCover>",
            ),
            IteratorSize=50,
        )
    )
    response = client.get("/search/granules.json?dataset_id=DS 1&cloud_cover=10,&page_size=50")
    by_cmr = [e["id"] for e in response.get_json()["feed"]["entry"]]
    assert by_aql == by_cmr and len(by_cmr) == 4


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("colour=red", "unknown parameter colour"),
        ("page_size=2001", "page_size"),
        ("bounding_box=10,20,30", "west,south,east,north"),
        ("bounding_box=0,95,10,96", "bounding_box"),
        ("polygon=0,0,1,0,1,1,0,1", "closed"),
        ("polygon=0,0,0,1,1,1,1,0,0,0", "polygon"),
        ("temporal=2020-13-01,", "ISO 8601"),
        ("cloud_cover=50,10", "below the min"),
        ("granule_ur=a%5Cb&options[granule_ur][pattern]=true&x=1", "unknown parameter x"),
        ("concept_id=X12-P", "catalog item id"),
        ("equator_crossing_longitude=-190,0", "not a longitude from -180 to 180"),
        ("equator_crossing_date=2020-02-01T00:00:00Z", "give start,end"),
        ("production_date=2020-02-01T00:00:00Z,2020-01-01T00:00:00Z", "end is before the start"),
    ],
)
def test_bad_parameters_get_precise_errors(client, catalog, query, words):
    fields = error(client.get(f"/search/granules?{query}"), 400, fields_code(query))
    assert words in fields["Message"], fields


def fields_code(query: str) -> str:
    return "InvalidValue"


def test_granule_parameters_are_refused_for_collections(client, catalog):
    fields = error(
        client.get("/search/collections?production_date=2020-01-01T00:00:00Z,"), 400, "InvalidValue"
    )
    assert "production_date is a parameter of granule searches" in fields["Message"]


def test_a_bad_search_after_and_an_unknown_path(client, catalog):
    error(client.get("/search/granules", headers={"CMR-Search-After": "%%%"}), 400, "InvalidValue")
    error(client.get("/search/widgets"), 404, "NotFound")


def test_a_forged_search_after_is_refused_not_crashed_on(client, catalog):
    import base64
    import json

    for key in (["abc"], [None], [1, 2], [[1]], [1e300]):
        token = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
        response = client.get("/search/granules", headers={"CMR-Search-After": token})
        error(response, 400, "InvalidValue")


def test_a_search_may_be_posted_form_encoded_as_cmr_takes_it(client, catalog):
    """CMR's api.md: the parameters may come as application/x-www-form-urlencoded in a POST
    body (a polygon of thousands of points does not fit in an address), with the address's."""
    got = client.get("/search/granules.json?page_size=100&bounding_box=170,49,-170,51")
    posted = client.post(
        "/search/granules.json?page_size=100", data={"bounding_box": "170,49,-170,51"}
    )
    assert posted.status_code == 200, posted.data
    titles = sorted(e["title"] for e in posted.get_json()["feed"]["entry"])
    assert titles == sorted(e["title"] for e in got.get_json()["feed"]["entry"]) and titles
    assert posted.headers["CMR-Hits"] == got.headers["CMR-Hits"]
    wrong = client.post(
        "/search/granules.json",
        data=b'{"bounding_box": "1,2,3,4"}',
        content_type="application/json",
    )
    message = error(wrong, 400, "BadRequest")["Message"]
    assert "POSTed as application/x-www-form-urlencoded" in message
    nul = client.post("/search/granules.json", data={"short_name": "A\x00B"})
    assert "U+0000" in error(nul, 400, "InvalidValue")["Message"]
    bad = client.post("/search/granules.json", data={"page_size": "²"})
    assert "page_size" in error(bad, 400, "InvalidValue")["Message"]
