"""Granules by platform, instrument and sensor: a granule's own names, its collection's only when
it names none. Ported from CMR's system-int-test/test/cmr/system_int_test/search/granule/
granule_platform_instrument_sensor_search_test.clj (search-by-platform-short-names,
search-by-instrument-short-names), over HTTP and over AQL."""

from __future__ import annotations

import pytest

from tests.catalog_support import aql, run, urs
from tests.cmr_support import coll, found, gran, ingest, platforms_xml


@pytest.fixture
def platforms(db, session, tmp_path):
    names = ["platform-Sn A", "platform-Sn B", "platform-SnA", "platform-Snx"]
    second = ["platform-Inherit", "platform-ONE", "platform-x", "PLATform-X"]
    own = {
        1: ["platform-Sn A"],
        2: ["platform-Sn A", "platform-Sn B"],
        3: ["platform-Sn B"],
        4: ["platform-SnA"],
        5: ["platform-Snx"],
        6: [],
        7: ["platform-ONE"],
        8: ["platform-x"],
        9: ["PLATform-X"],
    }
    collections = [
        coll("C1", extra=platforms_xml({n: {} for n in names}, collection=True)),
        coll("C2", extra=platforms_xml({n: {} for n in second}, collection=True)),
    ]
    granules = [
        gran(
            f"gran{n}",
            "C1 1" if n <= 5 else "C2 1",
            platforms=platforms_xml({p: {} for p in ps}, collection=False) if ps else "",
        )
        for n, ps in own.items()
    ]
    ingest(db, session, tmp_path, "PROV1", collections, granules)
    return db


def _grans(*numbers: int) -> list[str]:
    return sorted(f"gran{n}" for n in numbers)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"platform": "platform-Sn A"}, (1, 2)),
        ({"platform": "platform-Sn B"}, (2, 3)),
        ({"platform": "platform-x"}, (6, 8, 9)),
        ({"platform": "BLAH"}, ()),
        ([("platform", "platform-SnA"), ("platform", "platform-Sn A")], (1, 2, 4)),
        ({"platform": "platform-Inherit"}, (6,)),  # gran7 names its own: not inherited
        ({"platform": "platform-x", "options[platform][ignore_case]": "true"}, (6, 8, 9)),
        ({"platform": "platform-x", "options[platform][ignore_case]": "false"}, (6, 8)),
        ({"platform": "platform-Sn *", "options[platform][pattern]": "true"}, (1, 2, 3)),
        ({"platform": "platform-Sn?", "options[platform][pattern]": "true"}, (4, 5)),
        ({"platform": "platform-Sn?"}, ()),
        (
            [
                ("platform", "platform-Sn B"),
                ("platform", "platform-Sn A"),
                ("options[platform][and]", "true"),
            ],
            (2,),
        ),
        ({"platform": "platform-x", "options[platform][exclude_collection]": "true"}, (8, 9)),
    ],
)
def test_granules_by_platform(client, platforms, params, expected):
    assert sorted(found(client, "granules", params)) == _grans(*expected)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("<sourceName><value>platform-Sn A</value></sourceName>", (1, 2)),
        ("<sourceName><value>platform-x</value></sourceName>", (6, 8)),  # AQL: case matters
        (
            "<sourceName><list><value>'platform-SnA'</value><value>'platform-Sn A'</value></list>"
            "</sourceName>",
            (1, 2, 4),
        ),  # single quotes, as ECHO's clients wrote values
        ("<sourceName><value>platform-Inherit</value></sourceName>", (6,)),
        ('<sourceName><value caseInsensitive="Y">platform-x</value></sourceName>', (6, 8, 9)),
        ("<sourceName><textPattern>platform-Sn %</textPattern></sourceName>", (1, 2, 3)),
        ("<sourceName><textPattern>platform-Sn_</textPattern></sourceName>", (4, 5)),
        (
            '<sourceName operator="AND"><list><value>platform-Sn B</value><value>platform-Sn A'
            "</value></list></sourceName>",
            (2,),
        ),
    ],
)
def test_granules_by_platform_in_aql(client, platforms, condition, expected):
    assert sorted(urs(run(client, aql("granules", condition), IteratorSize=50))) == _grans(
        *expected
    )


@pytest.fixture
def instruments(db, session, tmp_path):
    collections = [
        coll(
            "SHORT1",
            extra=platforms_xml(
                {
                    f"platform-{n}": {i: [] for i in names}
                    for n, names in (
                        (1, ["instrument-Sn A"]),
                        (2, ["instrument-Sn b"]),
                        (5, ["instrument-Sn A", "instrument-Sn b"]),
                    )
                },
                collection=True,
            ),
        ),
        coll(
            "C2",
            extra=platforms_xml(
                {
                    "collection_platform": {"instrument-Inherit": [], "instrument-ONE": []},
                    "platform-7": {"instrument-x": []},
                },
                collection=True,
            ),
        ),
    ]
    granules = [
        gran(
            "gran1",
            "SHORT1 1",
            platforms=platforms_xml({"platform-1": {"instrument-Sn A": []}}, collection=False),
        ),
        gran(
            "gran3",
            "SHORT1 1",
            platforms=platforms_xml({"platform-2": {"instrument-Sn b": []}}, collection=False),
        ),
        gran(
            "gran6",
            "SHORT1 1",
            platforms=platforms_xml(
                {"platform-5": {"instrument-Sn A": [], "instrument-Sn b": []}}, collection=False
            ),
        ),
        gran("gran7", "C2 1"),
        gran(
            "gran8",
            "C2 1",
            platforms=platforms_xml(
                {"platform-7": {"instrument-x": ["sensor-1"]}}, collection=False
            ),
        ),
        gran("gran9", "C2 1", platforms=platforms_xml({"platform-7": {}}, collection=False)),
    ]
    ingest(db, session, tmp_path, "PROV1", collections, granules)
    return db


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"instrument": "instrument-Sn A"}, (1, 6)),
        # CMR inherits field by field: gran9 names a platform but no instrument, so its
        # collection's instruments are its own.
        ({"instrument": "instrument-Inherit"}, (7, 9)),
        ({"instrument": "instrument-ONE"}, (7, 9)),  # gran8 names its own: not inherited
        (
            [
                ("instrument", "instrument-Sn A"),
                ("instrument", "instrument-Sn b"),
                ("options[instrument][and]", "true"),
            ],
            (6,),
        ),
        ({"sensor": "sensor-1"}, (8,)),
    ],
)
def test_granules_by_instrument_and_sensor(client, instruments, params, expected):
    assert sorted(found(client, "granules", params)) == _grans(*expected)
