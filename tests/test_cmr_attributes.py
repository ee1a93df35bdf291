"""Granules and collections by additional attribute (``attribute``: CMR's type,name,value and
type,name,min,max), granules inheriting their collection's. Ported from CMR's
system-int-test/test/cmr/system_int_test/search/granule/granule_psa_search_test.clj
(invalid-psa-searches, string-psas-search-test, float-psas-search-test) and
collection/collection_psa_search_test.clj."""

from __future__ import annotations

import pytest

from tests.cmr_support import coll, found, gran, ingest, refused


def _declared(*attributes: tuple[str, str, str | None]) -> str:
    """A collection's AdditionalAttributes: (name, ECHO 10 DataType, value or None)."""
    return (
        "<AdditionalAttributes>"
        + "".join(
            f"<AdditionalAttribute><Name>{name}</Name><DataType>{kind}</DataType>"
            f"<Description>d</Description>{f'<Value>{value}</Value>' if value else ''}"
            "</AdditionalAttribute>"
            for name, kind, value in attributes
        )
        + "</AdditionalAttributes>"
    )


@pytest.fixture
def strings(db, session, tmp_path):
    collections = [
        coll("S1", extra=_declared(("alpha", "STRING", None), ("bravo", "STRING", None))),
        coll("S2", extra=_declared(("bravo", "STRING", None), ("charlie", "STRING", "foo"))),
        coll("S3", extra=_declared(("case", "STRING", None))),
    ]
    granules = [
        gran("gran1", "S1 1", attributes={"alpha": ["ab", "bc"], "bravo": ["cd", "bf"]}),
        gran("gran2", "S1 1", attributes={"bravo": ["ab"]}),
        gran("gran3", "S2 1", attributes={"bravo": ["aa", "bf"]}),
        gran("gran4", "S2 1", attributes={"charlie": ["az"]}),
        gran("gran5", "S3 1", attributes={"case": ["UP"]}),
    ]
    ingest(db, session, tmp_path, "PROV1", collections, granules)
    return db


def _grans(*numbers: int) -> list[str]:
    return sorted(f"gran{n}" for n in numbers)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"attribute": "string,alpha,ab"}, (1,)),
        ({"attribute": "string,alpha,AB"}, (1,)),
        ({"attribute": "string,alpha,c"}, ()),
        ({"attribute": "string,bravo,bf"}, (1, 3)),
        ({"attribute": "string,case,up"}, (5,)),
        # inherited: the collection's value counts for its granules
        ({"attribute": "string,charlie,FoO"}, (3, 4)),
        (
            {"attribute": "string,charlie,foo", "options[attribute][exclude_collection]": "false"},
            (3, 4),
        ),
        ({"attribute": "string,charlie,foo", "options[attribute][exclude-collection]": "true"}, ()),
        # ranges, both edges included
        ({"attribute": "string,alpha,aa,ac"}, (1,)),
        ({"attribute": "string,alpha,ab,ac"}, (1,)),
        ({"attribute": "string,alpha,aa,ab"}, (1,)),
        ({"attribute": "string,bravo,bc,"}, (1, 3)),
        ({"attribute": "string,charlie,foa,foz"}, (3, 4)),
        # by name alone: the collection declaring it counts for its granules too
        ({"attribute": "alpha"}, (1, 2)),
        ({"attribute": "alpha", "options[attribute][exclude_collection]": "true"}, (1,)),
        ({"attribute": "charlie"}, (3, 4)),
        # several: all must match, or any with options[attribute][or]
        ([("attribute", "string,alpha,ab"), ("attribute", "string,bravo,,bc")], ()),
        ([("attribute", "string,alpha,ab"), ("attribute", "string,bravo,bc,")], (1,)),
        (
            [
                ("attribute", "string,alpha,ab"),
                ("attribute", "string,bravo,,bc"),
                ("options[attribute][or]", "true"),
            ],
            (1, 2, 3),
        ),
    ],
)
def test_granules_by_string_attribute(client, strings, params, expected):
    assert sorted(found(client, "granules", params)) == _grans(*expected)


@pytest.fixture
def floats(db, session, tmp_path):
    collections = [
        coll("F1", extra=_declared(("alpha", "FLOAT", None), ("bravo", "FLOAT", None))),
        coll(
            "F2",
            extra=_declared(
                ("alpha", "FLOAT", None), ("bravo", "FLOAT", None), ("charlie", "FLOAT", "45")
            ),
        ),
    ]
    granules = [
        gran("gran1", "F1 1", attributes={"alpha": ["10.5", "123"], "bravo": ["-12"]}),
        gran("gran2", "F1 1", attributes={"bravo": ["10.5", "123"]}),
        gran("gran3", "F2 1", attributes={"alpha": ["14"], "bravo": ["13.7", "123"]}),
        gran("gran4", "F2 1", attributes={"charlie": ["14"]}),
    ]
    ingest(db, session, tmp_path, "PROV1", collections, granules)
    return db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("float,bravo,123", (2, 3)),
        ("float,alpha,10", ()),
        ("float,bravo,-12", (1,)),
        ("float,charlie,45", (3, 4)),
        ("float,alpha,10.2,11", (1,)),
        ("float,alpha,10.5,10.6", (1,)),
        ("float,alpha,10,10.5", (1,)),
        ("float,bravo,120,", (2, 3)),
        ("float,bravo,,13.6", (1, 2)),
        ("float,charlie,44,45.1", (3, 4)),
        ("int,bravo,123", (2, 3)),
    ],
)
def test_granules_by_number_attribute(client, floats, value, expected):
    assert sorted(found(client, "granules", {"attribute": value})) == _grans(*expected)


def test_collections_by_attribute(client, floats):
    """collection_psa_search_test.clj: a collection's declared value or range."""
    assert found(client, "collections", {"attribute": "float,charlie,45"}) == ["F2"]
    assert found(client, "collections", {"attribute": "float,charlie,40,50"}) == ["F2"]
    assert found(client, "collections", {"attribute": "float,charlie,46,"}) == []
    assert sorted(found(client, "collections", {"attribute": "alpha"})) == ["F1", "F2"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "give a name"),
        ("int,alpha", "type,name,value"),
        (",alpha,a", "the type one of"),
        ("foo,alpha,a", "the type one of"),
        ("string,,a", "type,name,value"),
        ("string,alpha,", "give the value"),
        ("string,alpha,,", "give the min, the max or both"),
        ("string,alpha,b,a", "the max must be above the min"),
        ("string,alpha,b,b", "the max must be above the min"),
        ("float,alpha,a", "not a number"),
        ("float,alpha,0,b", "not a number"),
        ("int,alpha,a", "whole number"),
        ("datetime,alpha,a", "ISO 8601"),
        ("time,alpha,a", "not a time"),
        ("date,alpha,2000-01-01,b", "ISO 8601"),
    ],
)
def test_bad_attributes_are_refused_precisely(client, floats, value, words):
    message = refused(client, "granules", {"attribute": value}, words)
    assert message.startswith("attribute")
