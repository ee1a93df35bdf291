"""python-cmr itself (cmr/queries.py: CollectionQuery, GranuleQuery) against the search API on
loopback, each method it offers that this catalog can answer, as a user's script calls it."""

from __future__ import annotations

import json

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


@pytest.mark.parametrize(
    ("key", "order"), [("-start_date", [4, 3, 2, 1, 0]), ("start_date", [0, 1, 2, 3, 4])]
)
def test_sort_key(base, key, order):
    got = GranuleQuery(mode=base).short_name("C1").sort_key(key).get_all()
    assert [e["title"] for e in got] == [f"MADE.{n}" for n in order]


def _count(fmt: str, text: str) -> int:
    if fmt == "csv":
        return len(text.strip().splitlines()) - 1
    root = etree.fromstring(text.encode())
    paths = {
        "xml": "references/reference",
        "echo10": "result",
        "atom": "{http://www.w3.org/2005/Atom}entry",
        "kml": ".//{http://www.opengis.net/kml/2.2}Placemark",
    }
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
    for query in (
        GranuleQuery(mode=base).bearer_token("not-a-session"),
        GranuleQuery(mode=base).token("not-a-session"),
    ):
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


# -- every other method python-cmr offers that this catalog answers ------------------------------


def _ids(query) -> dict[str, str]:
    return {e["title"]: e["id"] for e in query.get_all()}


def test_provider_version_entry_title_of_granules_and_collections(base):
    assert _titles(GranuleQuery(mode=base).provider("MADEUP")) == MADE
    assert _titles(GranuleQuery(mode=base).short_name("C1").version("1")) == MADE
    assert _titles(GranuleQuery(mode=base).short_name("C1").version("2")) == set()
    assert _titles(GranuleQuery(mode=base).entry_title("DS 1")) == MADE
    podaac = {e["short_name"] for e in CollectionQuery(mode=base).provider("PODAAC").get_all()}
    assert podaac == {"AIRX3STD", "AST_L1A", "doi:10.3334/ORNLDAAC/1"}
    (made,) = CollectionQuery(mode=base).entry_title("DS 2").get_all()
    assert made["short_name"] == "C2"


def test_platform_instrument_archive_center_processing_level(base):
    assert _titles(GranuleQuery(mode=base).platform("TERRA")) == MADE  # the collection's
    assert _titles(GranuleQuery(mode=base).instrument("MODIS")) == MADE
    assert _titles(GranuleQuery(mode=base).instrument("ASTER")) == {"SC:AST_L1A.003:2242022926"}
    (terra,) = CollectionQuery(mode=base).platform("TERRA").get_all()
    assert terra["short_name"] == "C1"
    (lpdaac,) = CollectionQuery(mode=base).archive_center("LPDAAC").get_all()
    assert lpdaac["short_name"] == "AST_L1A"
    (level,) = CollectionQuery(mode=base).processing_level_id("1A").get_all()
    assert level["short_name"] == "AST_L1A"


def test_downloadable_and_online_only(base):
    """The AIRS granule alone has online access URLs; ``downloadable(False)`` means "not", as
    CMR means it, never "no filter"."""
    online = {"AIRX3STD.006:AIRS.2002.09.04.L3.RetStd001.v6.0.9.0.G13208020620.hdf"}
    assert _titles(GranuleQuery(mode=base).downloadable()) == online
    assert _titles(GranuleQuery(mode=base).online_only()) == online
    offline = _titles(GranuleQuery(mode=base).downloadable(False))
    assert offline == MADE | {"SC:AST_L1A.003:2242022926"}
    assert _titles(GranuleQuery(mode=base).online_only(False)) == offline


def test_concept_ids_of_collections_and_granules_mixed(base):
    granules = _ids(GranuleQuery(mode=base))
    collection = GranuleQuery(mode=base).granule_ur("MADE.0").get()[0]["collection_concept_id"]
    airs = next(v for k, v in granules.items() if k.startswith("AIRX3STD"))
    mixed = GranuleQuery(mode=base).concept_id([collection, airs])
    assert _titles(mixed) == MADE | {k for k in granules if k.startswith("AIRX3STD")}
    by_parent = GranuleQuery(mode=base).collection_concept_id(collection)
    assert _titles(by_parent) == MADE


def test_keyword_has_granules_and_cloud_hosted_of_collections(base):
    def names(query) -> set[str]:
        return {e["short_name"] for e in query.get_all()}

    assert names(CollectionQuery(mode=base).keyword("AIRS")) == {"AIRX3STD"}
    assert names(CollectionQuery(mode=base).keyword("aster")) == {"AST_L1A"}
    everything = names(CollectionQuery(mode=base))
    assert names(CollectionQuery(mode=base).cloud_hosted(True)) == set()  # ECHO 10 says nothing
    assert names(CollectionQuery(mode=base).cloud_hosted(False)) == everything
    # python-cmr has no method for has_granules: a script sets the parameter itself
    with_granules = CollectionQuery(mode=base)
    with_granules.params["has_granules"] = True
    assert names(with_granules) == {"C1", "AIRX3STD", "AST_L1A"}


def test_native_id_is_the_entry_title_or_the_granule_ur(base):
    (collection,) = CollectionQuery(mode=base).native_id("DS 1").get_all()
    assert collection["short_name"] == "C1"
    query = GranuleQuery(mode=base)
    query.params["native_id"] = "MADE.3"  # python-cmr offers native_id on collections alone
    assert _titles(query) == {"MADE.3"}


def test_a_bounding_box_across_the_antimeridian(base):
    """AST_L1A's one granule lies at 49.5° to 50° N, from 179.9° E to 179° W."""
    aster = {"SC:AST_L1A.003:2242022926"}

    def granules():
        return GranuleQuery(mode=base).short_name("AST_L1A")

    assert _titles(granules().bounding_box(179, 49, -179, 51)) == aster
    assert _titles(granules().bounding_box(170, 40, 178, 60)) == set()
    assert _titles(granules().bounding_box(-179.5, 49, -179, 51)) == aster


@pytest.mark.parametrize(
    ("key", "order"),
    [("-cloud_cover", [4, 3, 2, 1, 0]), ("granule_ur", [0, 1, 2, 3, 4]), ("-revision_date", None)],
)
def test_more_sort_keys(base, key, order):
    got = [e["title"] for e in GranuleQuery(mode=base).short_name("C1").sort_key(key).get_all()]
    if order is None:  # all loaded at once: the order is CMR's, the set the whole
        assert set(got) == MADE
    else:
        assert got == [f"MADE.{n}" for n in order]


def test_option_and_parameters(base):
    lower = GranuleQuery(mode=base).short_name("c1")
    assert lower.option("short_name", "ignore_case", True).hits() == 5
    assert lower.option("short_name", "ignore_case", False).hits() == 0
    pattern = GranuleQuery(mode=base).granule_ur("MADE.?").option("granule_ur", "pattern", True)
    assert _titles(pattern) == MADE
    day = GranuleQuery(mode=base).parameters(short_name="C1", day_night_flag="day")
    assert _titles(day) == {"MADE.0", "MADE.2", "MADE.4"}


def test_get_pages_to_its_limit_and_get_all_to_the_hits(base):
    query = GranuleQuery(mode=base).provider("MADEUP")
    assert len(query.get(2)) == 2
    assert len(query.get(10)) == 5  # fewer than asked: the empty page ends it
    assert len(query.get_all()) == query.hits() == 5
    assert CollectionQuery(mode=base).hits() == len(CollectionQuery(mode=base).get_all())


def test_umm_json_through_python_cmr(base):
    pages = GranuleQuery(mode=base).short_name("C1").format("umm_json").get(5)
    items = [item for page in pages for item in json.loads(page)["items"]]
    assert {item["umm"]["GranuleUR"] for item in items} == MADE
    assert all(item["meta"]["concept-type"] == "granule" for item in items)
    pages = CollectionQuery(mode=base).short_name("AST_L1A").format("umm_json").get(5)
    (item,) = [item for page in pages for item in json.loads(page)["items"]]
    assert item["umm"]["ShortName"] == "AST_L1A" and item["meta"]["native-id"] == (
        "ASTER L1A Reconstructed Unprocessed Instrument Data V003"
    )


@pytest.mark.parametrize("fmt", ["xml", "echo10", "atom", "kml", "json"])
def test_each_collection_format(base, fmt):
    pages = CollectionQuery(mode=base).provider("MADEUP").format(fmt).get(5)
    if fmt == "json":
        assert {e["short_name"] for e in pages} == {"C1", "C2"}
    else:
        assert sum(_count(fmt, page) for page in pages) == 2
