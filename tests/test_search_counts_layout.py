"""What the door shows of a search beyond its records: each collection's granule count in every
format CMR shows it in (``include_granule_counts``), ``pretty=true``'s layout, and each format's
Content-Type in full (UMM's with its version, as CMR sends it).

Ported from CMR's system-int-test/test/cmr/system_int_test/search/granule/
granule_counts_search_test.clj ("granule counts for all collections", "... for native
collections", "... for spatial queries", "... with ORed spatial params", "ATOM XML results with
granule counts", "JSON results with granule counts"), whose readers of each format are
system-int-test/src/cmr/system_int_test/data2/granule_counts.clj, and the element names of
search-app/src/cmr/search/results_handlers/ (reference_results_handler.clj: ``<granule-count>``;
metadata_results_handler.clj: the ``granule-count`` attribute of ``<result>``;
atom_results_handler.clj: ``echo:granuleCount``; atom_json_results_handler.clj:
``granule_count``; umm_json_results_handler.clj: ``granule-count`` in ``meta``)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from clearinghouse.catalog import umm

ATOM = "{http://www.w3.org/2005/Atom}"
ECHO = "{https://cmr.earthdata.nasa.gov/search/site/docs/search/api.html#atom}"
#: MADEUP's C1 holds the five MADE granules; C2 none.
C1_ONLY = {"provider": "MADEUP", "short_name": ["C1", "C2"], "include_granule_counts": "true"}


def _get(client, path: str, **params):
    response = client.get(path, query_string={"page_size": 100, **params})
    assert response.status_code == 200, response.data
    return response


def _by_title_json(client, **params) -> dict[str, int | None]:
    entries = _get(client, "/search/collections.json", **params).get_json()["feed"]["entry"]
    return {e["short_name"]: e.get("granule_count") for e in entries}


def test_granule_counts_in_json_and_atom(client, catalog):
    assert _by_title_json(client, **C1_ONLY) == {"C1": 5, "C2": 0}
    root = etree.fromstring(_get(client, "/search/collections.atom", **C1_ONLY).data)
    counts = {
        e.findtext(f"{ECHO}shortName"): e.findtext(f"{ECHO}granuleCount")
        for e in root.iter(f"{ATOM}entry")
    }
    assert counts == {"C1": "5", "C2": "0"}


def test_granule_counts_in_references_and_echo10(client, catalog):
    root = etree.fromstring(_get(client, "/search/collections", **C1_ONLY).data)
    counts = {r.findtext("name"): r.findtext("granule-count") for r in root.iter("reference")}
    assert counts == {"DS 1": "5", "DS 2": "0"}
    root = etree.fromstring(_get(client, "/search/collections.echo10", **C1_ONLY).data)
    counts = {
        r.findtext("Collection/ShortName"): r.get("granule-count") for r in root.iter("result")
    }
    assert counts == {"C1": "5", "C2": "0"}


def test_granule_counts_in_umm_json_meta(client, catalog):
    """umm_json_results_handler.clj: ``granule-count`` in each collection's ``meta``."""
    items = _get(client, "/search/collections.umm_json", **C1_ONLY).get_json()["items"]
    assert {i["umm"]["ShortName"]: i["meta"]["granule-count"] for i in items} == {"C1": 5, "C2": 0}
    asked = {k: v for k, v in C1_ONLY.items() if k != "include_granule_counts"}
    items = _get(client, "/search/collections.umm_json", **asked).get_json()["items"]
    assert all("granule-count" not in i["meta"] for i in items)


def test_no_granule_counts_unless_asked(client, catalog):
    asked = {k: v for k, v in C1_ONLY.items() if k != "include_granule_counts"}
    assert _by_title_json(client, **asked) == {"C1": None, "C2": None}
    assert _by_title_json(client, **asked, include_granule_counts="false") == {
        "C1": None,
        "C2": None,
    }
    root = etree.fromstring(_get(client, "/search/collections", **asked).data)
    assert root.find("references/reference/granule-count") is None
    root = etree.fromstring(_get(client, "/search/collections.echo10", **asked).data)
    assert all(r.get("granule-count") is None for r in root.iter("result"))


def test_granule_counts_follow_the_spatial_conditions(client, catalog):
    """PODAAC's AST_L1A (the whole world) holds one granule, at 49.5° to 50° N across the
    antimeridian (the temporal side is tested on the rows: tests/test_cmr_collections.py)."""
    counts = {"provider": "PODAAC", "short_name": "AST_L1A", "include_granule_counts": "true"}
    assert _by_title_json(client, **counts, bounding_box="170,40,180,60") == {"AST_L1A": 1}
    assert _by_title_json(client, **counts, bounding_box="0,40,178,60") == {"AST_L1A": 0}
    assert _by_title_json(client, **counts, bounding_box="-180,-90,180,90") == {"AST_L1A": 1}


def test_granule_counts_with_ored_spatial_parameters(client, catalog):
    """ "granule counts for spatial queries with ORed spatial params": ``options[spatial][or]``
    alone ORs two bounding boxes (without it both must hold)."""
    counts = {"provider": "PODAAC", "short_name": "AST_L1A", "include_granule_counts": "true"}
    boxes = ["170,40,180,60", "0,40,178,60"]
    ored = _by_title_json(client, **counts, bounding_box=boxes, **{"options[spatial][or]": "true"})
    assert ored == {"AST_L1A": 1}
    assert _by_title_json(client, **counts, bounding_box=boxes) == {"AST_L1A": 0}


def test_granule_counts_refused_for_granules_and_when_not_a_boolean(client, catalog):
    for path, params in (
        ("/search/granules.json", {"include_granule_counts": "true"}),
        ("/search/collections.json", {"include_granule_counts": "foo"}),
    ):
        response = client.get(path, query_string=params)
        assert response.status_code == 400, response.data
        (message,) = response.get_json()["errors"]
        assert "include_granule_counts" in message


@pytest.mark.parametrize("suffix", ["json", "umm_json"])
def test_pretty_json_is_indented_and_the_same_document(client, catalog, suffix):
    path = f"/search/granules.{suffix}"
    flat = _get(client, path, granule_ur="MADE.2")
    laid_out = _get(client, path, granule_ur="MADE.2", pretty="true")
    assert b"\n  " in laid_out.data and b"\n" not in flat.data
    drop = ("took", "updated", "id")  # time-dependent: the one search is not the other

    def same(body):
        document = json.loads(body)
        for key in drop:
            document.pop(key, None)
            document.get("feed", {}).pop(key, None)
        return document

    assert same(laid_out.data) == same(flat.data)
    assert _get(client, path, granule_ur="MADE.2", pretty="false").data.count(b"\n") == 0


@pytest.mark.parametrize("suffix", ["", ".echo10", ".atom", ".kml"])
def test_pretty_xml_is_indented_and_the_same_document(client, catalog, suffix):
    path = f"/search/granules{suffix}"
    flat = etree.fromstring(_get(client, path, granule_ur="MADE.2").data)
    body = _get(client, path, granule_ur="MADE.2", pretty="true").data
    laid_out = etree.fromstring(body)
    assert b"\n  <" in body
    assert laid_out.tag == flat.tag
    assert [e.tag for e in laid_out.iter()] == [e.tag for e in flat.iter()]


def test_pretty_concept_and_a_wrong_pretty(client, catalog):
    found = _get(client, "/search/granules.json", granule_ur="MADE.2").get_json()
    concept_id = found["feed"]["entry"][0]["id"]
    body = _get(client, f"/search/concepts/{concept_id}.umm_json", pretty="true").data
    assert b"\n  " in body and json.loads(body)["GranuleUR"] == "MADE.2"
    wrong = client.get("/search/granules.json", query_string={"pretty": "yes"})
    assert wrong.status_code == 400
    assert wrong.get_json() == {"errors": ["pretty: 'yes' is not true or false"]}
    wrong = client.get(f"/search/concepts/{concept_id}.json", query_string={"pretty": "yes"})
    assert wrong.status_code == 400
    assert wrong.get_json() == {"errors": ["pretty: 'yes' is not true or false"]}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/search/granules.umm_json",
            f"application/vnd.nasa.cmr.umm_results+json;version={umm.granule_version};"
            " charset=utf-8",
        ),
        (
            "/search/collections.umm_json",
            f"application/vnd.nasa.cmr.umm_results+json;version={umm.collection_version};"
            " charset=utf-8",
        ),
        ("/search/granules.json", "application/json; charset=utf-8"),
        ("/search/granules.echo10", "application/echo10+xml; charset=utf-8"),
        ("/search/granules", "application/xml; charset=utf-8"),
        ("/search/granules.csv", "text/csv; charset=utf-8"),
    ],
)
def test_each_format_sends_its_content_type_in_full(client, catalog, path, expected):
    assert _get(client, path).headers["Content-Type"] == expected


def test_a_umm_concept_names_its_version_and_accept_still_finds_it(client, catalog):
    found = _get(client, "/search/granules.json", granule_ur="MADE.2").get_json()
    concept_id = found["feed"]["entry"][0]["id"]
    record = _get(client, f"/search/concepts/{concept_id}.umm_json")
    assert record.headers["Content-Type"] == (
        f"application/vnd.nasa.cmr.umm+json;version={umm.granule_version}; charset=utf-8"
    )
    accepted = client.get(
        "/search/granules", headers={"Accept": "application/vnd.nasa.cmr.umm_results+json"}
    )
    assert accepted.status_code == 200 and "items" in accepted.get_json()
    assert accepted.headers["Content-Type"].startswith(
        f"application/vnd.nasa.cmr.umm_results+json;version={umm.granule_version}"
    )
