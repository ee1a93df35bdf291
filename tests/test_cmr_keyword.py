"""Collections by keyword: words anywhere in a collection's names, summary, science keywords,
platforms and instruments, wildcards, one phrase, ranked. Ported from CMR's system-int-test/
test/cmr/system_int_test/search/collection/collection_keyword_search_test.clj
(search-by-keywords: its fields, phrases and their unsupported cases, wildcards, the default
relevance order and sort_key=score)."""

from __future__ import annotations

import pytest

from tests.cmr_support import coll, found, gran, ingest, platforms_xml, refused

SCIENCE = (
    "<ScienceKeywords><ScienceKeyword><CategoryKeyword>EARTH SCIENCE</CategoryKeyword>"
    "<TopicKeyword>ATMOSPHERE</TopicKeyword><TermKeyword>AEROSOLS</TermKeyword>"
    "</ScienceKeyword></ScienceKeywords>"
)


@pytest.fixture
def keywords(db, session, tmp_path):
    collections = [
        coll("coll1", dataset="coll1 first", summary="A VersionDescription of nothing"),
        coll("XYZ", "V001", dataset="Mitch made a (merry-go-round)"),
        coll("coll5", dataset="Space!Laser things", summary="laser altimetry"),
        coll("coll9", dataset="Laser spoonA"),
        coll("coll11", extra=platforms_xml({"platform_SnA": {"isnB": ["ssnB"]}}, collection=True)),
        coll(
            "coll15",
            extra="<ProcessingLevelId>plid1</ProcessingLevelId>" + SCIENCE,
            summary="the summary",
        ),
        coll("coll21", dataset="laser laser laser", summary="Laser"),
    ]
    ingest(db, session, tmp_path, "PROV1", collections, [gran("g1", "Laser spoonA")])
    ingest(db, session, tmp_path, "PROV2", [coll("other", summary="nothing much")])
    return db


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("Laser", ("coll21", "coll5", "coll9")),
        ("laser things", ("coll5",)),
        ("BLAH", ()),
        ("PROV2", ("other",)),  # the provider's id
        ("coll1", ("coll1",)),
        ('"coll1"', ("coll1",)),
        ("Mitch made a (merry-go-round)", ("XYZ",)),
        ('"Mitch made a (merry-go-round)"', ("XYZ",)),
        ("merry-go-round", ("XYZ",)),
        ("merry", ("XYZ",)),
        ("merry go round", ("XYZ",)),
        ("merry-go", ()),
        ("XYZ_V001", ("XYZ",)),  # the entry id
        ("V001", ("XYZ",)),
        ("VersionDescription", ("coll1",)),  # the summary
        ("summary", ("coll15",)),
        ("plid1", ("coll15",)),
        ("aerosols", ("coll15",)),  # a science keyword
        ("platform_SnA", ("coll11",)),
        ("isnB", ("coll11",)),  # an instrument
        ("ssnB", ("coll11",)),  # a sensor
        ("Laser spoonA", ("coll9",)),
        ("La?er spoonA", ("coll9",)),
        ("L*er spo*A", ("coll9",)),
        ("L?s* s?o*A", ("coll9",)),
        ("spoo*", ("coll9",)),
    ],
)
def test_collections_by_keyword(client, keywords, keyword, expected):
    assert sorted(found(client, "collections", {"keyword": keyword})) == sorted(expected)


@pytest.mark.parametrize(
    "keyword",
    ['Mitch "a (merry-go-round)"', '"Mitch made" "a (merry-go-round)"', '"a (merry'],
)
def test_phrases_mixed_or_unclosed_are_refused(client, keywords, keyword):
    refused(client, "collections", {"keyword": keyword}, "a phrase mixed with words")


def test_keyword_ranks_and_sorts(client, keywords):
    """The default order of a keyword search is relevance (coll21 says laser most, in its name
    and its summary); sort_key overrides it, and score sorts descending unless +score."""
    ranked = found(client, "collections", {"keyword": "laser"})
    assert ranked[0] == "coll21" and set(ranked) == {"coll21", "coll5", "coll9"}
    assert found(client, "collections", {"keyword": "laser", "sort_key": "score"}) == ranked
    assert found(client, "collections", {"keyword": "laser", "sort_key": "+score"})[-1] == "coll21"
    by_name = found(client, "collections", {"keyword": "laser", "sort_key": "short_name"})
    assert by_name == ["coll21", "coll5", "coll9"]
    refused(client, "collections", {"sort_key": "score"}, "give keyword")
    # granules of the collections a keyword finds
    assert found(client, "granules", {"short_name": "coll9"}) == ["g1"]
    refused(client, "granules", {"keyword": "laser"}, "parameter of collection searches")


def test_keyword_pages_in_rank_order(client, keywords):
    """Paging a ranked answer by CMR-Search-After neither skips nor repeats."""
    seen, after = [], None
    while True:
        headers = {"CMR-Search-After": after} if after else {}
        response = client.get(
            "/search/collections.json",
            headers=headers,
            query_string={"keyword": "laser", "page_size": 1},
        )
        assert response.status_code == 200, response.data
        seen += [e["short_name"] for e in response.get_json()["feed"]["entry"]]
        after = response.headers.get("CMR-Search-After")
        if after is None or len(seen) > 5:
            break
    assert seen[:3] == found(client, "collections", {"keyword": "laser"})
