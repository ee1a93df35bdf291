"""python-cmr itself (cmr/queries.py: CollectionQuery, GranuleQuery) against the search API on
loopback, each method it offers that this catalog can answer, as a user's script calls it."""

from __future__ import annotations

import pytest
import requests
from cmr import CollectionQuery, GranuleQuery
from lxml import etree

from tests.server_support import served

MADE = {f"MADE.{n}" for n in range(5)}


@pytest.fixture
def base(db, settings, catalog):
    with served(db, settings) as url:
        yield f"{url}/search/"


def _titles(query) -> set[str]:
    return {e["title"] for e in query.get_all()}


def test_hits_get_and_get_all(base):
    granules = GranuleQuery(mode=base).short_name("C1")
    assert granules.hits() == 5
    assert len(granules.get(3)) == 3
    assert _titles(granules) == MADE
    collections = CollectionQuery(mode=base)
    assert collections.hits() == 5
    assert {e["short_name"] for e in collections.get_all()} >= {"AST_L1A", "C1", "C2"}


def test_concept_ids_of_granules_and_collections(base):
    (made,) = GranuleQuery(mode=base).granule_ur("MADE.2").get()
    assert GranuleQuery(mode=base).concept_id(made["id"]).get()[0]["title"] == "MADE.2"
    parent = made["collection_concept_id"]
    (collection,) = CollectionQuery(mode=base).concept_id([parent]).get()
    assert collection["short_name"] == "C1"


def test_temporal_and_spatial(base):
    def granules():
        return GranuleQuery(mode=base).short_name("C1")

    assert _titles(granules().temporal("2020-02-01", "2020-03-31")) == {"MADE.1", "MADE.2"}
    assert _titles(granules().point(12.5, 2.5)) == {"MADE.2"}
    square = [(11, 1), (14, 1), (14, 4), (11, 4), (11, 1)]
    assert _titles(granules().polygon(square)) == {"MADE.2"}
    assert _titles(granules().bounding_box(11, 1, 14, 4)) == {"MADE.2"}
    assert _titles(granules().line([(11, 1), (14, 4)])) == {"MADE.2"}
    assert _titles(granules().circle(12.5, 2.5, 50000)) == {"MADE.2"}
    old = CollectionQuery(mode=base).temporal("1985-01-01", "1985-12-31").get_all()
    assert [e["short_name"] for e in old] == ["doi:10.3334/ORNLDAAC/1"]


def test_cloud_cover_and_day_night(base):
    def granules():
        return GranuleQuery(mode=base).short_name("C1")

    assert _titles(granules().cloud_cover(30, 70)) == {"MADE.2", "MADE.3"}
    assert _titles(granules().day_night_flag("night")) == {"MADE.1", "MADE.3"}


def test_readable_granule_name(base):
    query = GranuleQuery(mode=base).readable_granule_name("MADE.1*")
    assert _titles(query) == {"MADE.1"}


def test_revision_date(base):
    query = GranuleQuery(mode=base).short_name("C1").revision_date("2000-01-01", "2100-01-01")
    assert _titles(query) == MADE


def test_orbit_number(base):
    assert _titles(GranuleQuery(mode=base).short_name("C1").orbit_number(1002)) == {"MADE.2"}


@pytest.mark.parametrize(("key", "order"), [("-start_date", [4, 3, 2, 1, 0]),
                                            ("start_date", [0, 1, 2, 3, 4])])  # fmt: skip
def test_sort_key(base, key, order):
    got = GranuleQuery(mode=base).short_name("C1").sort_key(key).get_all()
    assert [e["title"] for e in got] == [f"MADE.{n}" for n in order]


def _count(fmt: str, text: str) -> int:
    if fmt == "csv":
        return len(text.strip().splitlines()) - 1
    root = etree.fromstring(text.encode())
    paths = {"xml": "references/reference", "echo10": "result",
             "atom": "{http://www.w3.org/2005/Atom}entry",
             "kml": ".//{http://www.opengis.net/kml/2.2}Placemark"}  # fmt: skip
    return len(root.findall(paths[fmt]))


@pytest.mark.parametrize("fmt", ["xml", "echo10", "atom", "csv", "kml"])
def test_each_format_we_produce(base, fmt):
    pages = GranuleQuery(mode=base).short_name("C1").format(fmt).get(5)
    assert sum(_count(fmt, page) for page in pages) == 5


@pytest.mark.parametrize("fmt", ["iso", "native", "stac"])
def test_a_format_we_do_not_produce_is_refused_naming_those_we_do(base, fmt):
    with pytest.raises(requests.HTTPError) as raised:
        GranuleQuery(mode=base).short_name("C1").format(fmt).get(5)
    assert raised.value.response.status_code == 404
    (message,) = etree.fromstring(raised.value.response.content).xpath("/errors/error/text()")
    assert "the formats are" in message and "echo10" in message


def test_tokens_as_python_cmr_sends_them(base):
    for query in (GranuleQuery(mode=base).bearer_token("not-a-session"),
                  GranuleQuery(mode=base).token("not-a-session")):  # fmt: skip
        with pytest.raises(requests.HTTPError) as raised:
            query.short_name("C1").hits()
        assert raised.value.response.status_code == 401


def test_paging_by_search_after_until_the_empty_page(base):
    """What earthaccess does through python-cmr: the count with page_size=0, then pages by
    CMR-Search-After until a page comes back empty, without the header."""
    url = GranuleQuery(mode=base).short_name("C1")._build_url()
    count = requests.get(url, params={"page_size": 0}, timeout=10)
    assert count.headers["CMR-Hits"] == "5" and count.json()["feed"]["entry"] == []
    seen, headers = [], {}
    while True:
        page = requests.get(url, params={"page_size": 2}, headers=headers, timeout=10)
        entries = page.json()["feed"]["entry"]
        if not entries:
            assert "CMR-Search-After" not in page.headers
            break
        seen += [e["title"] for e in entries]
        headers["CMR-Search-After"] = page.headers["CMR-Search-After"]
    assert sorted(seen) == sorted(MADE)
