"""Granules by their own fields: granule UR, producer granule id, readable granule name,
provider, cloud cover, ids and exclusions, day/night, production date, flags. Ported from CMR's
system-int-test/test/cmr/system_int_test/search/granule/: granule_search_test.clj
(search-by-provider-id, search-by-granule-ur, search-by-cloud-cover,
exclude-granules-by-echo-granule-n-concept-ids, search-by-concept-id),
granule_search_readable_granule_name_test.clj, granule_search_producer_granule_id_test.clj,
granule_search_day_night_test.clj, granule_search_production_date_time_test.clj,
granule_search_downloadable_test.clj and granule_search_browsable_test.clj."""

from __future__ import annotations

import pytest

from tests.catalog_support import aql, run, urs
from tests.cmr_support import coll, entries, found, gran, ingest, refused


@pytest.fixture
def urs_catalog(db, session, tmp_path):
    ingest(
        db,
        session,
        tmp_path,
        "PROV1",
        [coll("S1", "V1", dataset="E1")],
        [
            gran(f"Granule{n}", "E1", cloud=cloud, online=n == 1, browse=n == 2)
            for n, cloud in ((1, 0.8), (2, 30.0), (3, 100))
        ],
    )
    ingest(
        db,
        session,
        tmp_path,
        "PROV2",
        [coll("S2", "V2", dataset="E2")],
        [
            gran("Granule3", "E2", cloud=0.0, day_night="DAY"),
            gran("SampleUR1", "E2", day_night="NIGHT"),
            gran("SampleUR2", "E2", day_night="BOTH"),
            gran("sampleur33", "E2"),
        ],
    )
    return db


def _by(client, params) -> list[tuple[str, str]]:
    """(provider, UR) of what a granule search finds."""
    return sorted((e["data_center"], e["title"]) for e in entries(client, "granules", params))


G = {
    1: ("PROV1", "Granule1"),
    2: ("PROV1", "Granule2"),
    3: ("PROV1", "Granule3"),
    4: ("PROV2", "Granule3"),
    5: ("PROV2", "SampleUR1"),
    6: ("PROV2", "SampleUR2"),
    7: ("PROV2", "sampleur33"),
}


def _g(*numbers: int) -> list[tuple[str, str]]:
    return sorted(G[n] for n in numbers)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"granule_ur": "NON_EXISTENT"}, ()),
        ({"granule_ur": "Granule1"}, (1,)),
        ([("granule_ur", "Granule1"), ("granule_ur", "Granule2")], (1, 2)),
        ({"granule_ur": "Granule3"}, (3, 4)),
        ({"granule_ur": "S*", "options[granule_ur][pattern]": "true"}, (5, 6, 7)),
        ({"granule_ur": "SampleUR?", "options[granule_ur][pattern]": "true"}, (5, 6)),
        ({"granule_ur": "sampleUR1", "options[granule_ur][ignore_case]": "false"}, ()),
        ({"granule_ur": "sampleUR1", "options[granule_ur][ignore_case]": "true"}, (5,)),
        ({"granule_ur": "sampleUR1"}, (5,)),  # CMR ignores case by default
        ({"granule_ur": "sampleUR?", "options[granule_ur][pattern]": "true"}, (5, 6)),
        ({"provider": "NON_EXISTENT"}, ()),
        ({"provider": "PROV1"}, (1, 2, 3)),
        ({"provider": "PRO*", "options[provider][pattern]": "true"}, (1, 2, 3, 4, 5, 6, 7)),
        ({"provider": "PROV?", "options[provider][pattern]": "true"}, (1, 2, 3, 4, 5, 6, 7)),
        ({"provider": "prov1", "options[provider][ignore_case]": "false"}, ()),
        ({"provider": "prov1", "options[provider][ignore_case]": "true"}, (1, 2, 3)),
        ({"provider": "prov1"}, (1, 2, 3)),
        ({"provider_short_name": "prov2"}, (4, 5, 6, 7)),
        ({"cloud_cover": "0.2,"}, (1, 2, 3)),
        ({"cloud_cover": ",0.7"}, (4,)),
        ({"cloud_cover": "0,31.0"}, (1, 2, 4)),
        ({"cloud_cover": ""}, (1, 2, 3, 4, 5, 6, 7)),  # empty: asks nothing, as CMR
        ([("cloud_cover", "0,1"), ("cloud_cover", "99,100")], (1, 3, 4)),  # repeated: any
        ({"day_night_flag": "day"}, (4,)),
        ([("day_night_flag", "night"), ("day_night_flag", "both")], (5, 6)),  # all values used
        ({"online_only": "true"}, (1,)),
        ({"downloadable": "true"}, (1,)),
        ({"downloadable": "false", "provider": "PROV1"}, (2, 3)),  # false: not downloadable
        ({"online_only": "false", "provider": "PROV1"}, (2, 3)),
        ({"browsable": "true"}, (2,)),
        ({"browse_only": "false", "provider": "PROV1"}, (1, 3)),
    ],
)
def test_granules_by_their_fields(client, urs_catalog, params, expected):
    assert _by(client, params) == _g(*expected)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("<GranuleUR><value>Granule1</value></GranuleUR>", (1,)),
        ("<GranuleUR><value>'Granule1'</value></GranuleUR>", (1,)),
        ("<GranuleUR><textPattern>S%</textPattern></GranuleUR>", (5, 6)),  # AQL: case matters
        ("<GranuleUR><value>sampleUR1</value></GranuleUR>", ()),
        ('<GranuleUR><value caseInsensitive="Y">sampleUR1</value></GranuleUR>', (5,)),
        ('<GranuleUR><textPattern caseInsensitive="Y">sampleUR_</textPattern></GranuleUR>', (5, 6)),
    ],
)
def test_granule_urs_in_aql(client, urs_catalog, condition, expected):
    found_urs = urs(run(client, aql("granules", condition), IteratorSize=50))
    assert sorted(found_urs) == sorted(G[n][1] for n in expected)


def test_aql_data_centre_ignoring_case(client, urs_catalog):
    """granule_search_test.clj search-by-provider-id's AQL part, and dataCenterId's
    caseInsensitive, which the engine ignored."""
    exact = urs(run(client, aql("granules", providers="<value>PROV1</value>"), IteratorSize=50))
    assert sorted(exact) == ["Granule1", "Granule2", "Granule3"]
    folded = aql("granules", providers='<value caseInsensitive="Y">prov1</value>')
    assert sorted(urs(run(client, folded, IteratorSize=50))) == sorted(exact)
    assert urs(run(client, aql("granules", providers="<value>prov1</value>"))) == []
    quoted = aql("granules", providers="<value>'PROV1'</value>")
    assert sorted(urs(run(client, quoted, IteratorSize=50))) == sorted(exact)


def _ids(client, **params) -> dict[str, str]:
    return {
        e["title"] + "@" + e["data_center"]: e["id"] for e in entries(client, "granules", params)
    }


def test_concept_ids_mixed_and_exclusions(client, urs_catalog):
    every = _ids(client)
    g1, g2, g3 = (every[f"Granule{n}@PROV1"] for n in (1, 2, 3))
    sample = every["SampleUR1@PROV2"]
    collection = entries(client, "granules", {"granule_ur": "SampleUR1"})[0][
        "collection_concept_id"
    ]
    echo = [("echo_granule_id", g) for g in (g1, g2, g3)]
    assert _by(
        client, [*echo, ("exclude[echo_granule_id]", g1), ("exclude[echo_granule_id]", g2)]
    ) == _g(3)
    assert _by(client, [*echo, ("exclude[concept_id]", g1)]) == _g(2, 3)
    assert _by(client, [("cloud_cover", "0,100"), ("exclude[concept_id]", collection)]) == _g(
        1, 2, 3
    )
    # concept_id with collection and granule ids mixed: the collection's granules, or those
    assert _by(client, [("concept_id", collection), ("concept_id", g1)]) == _g(1, 4, 5, 6, 7)
    assert _by(
        client,
        {
            "collection_concept_id": collection,
            "granule_ur": "sampleur?",
            "options[granule_ur][pattern]": "true",
        },
    ) == _g(5, 6)
    assert _by(client, {"echo_collection_id": collection}) == _g(4, 5, 6, 7)
    refused(client, "granules", {"echo_granule_id": collection}, "granule's catalog item id")
    refused(client, "granules", {"exclude[dataset_id]": "E1"}, "echo_granule_id or concept_id")
    assert sample in {e["id"] for e in entries(client, "granules", {"concept_id": collection})}


@pytest.fixture
def names_catalog(db, session, tmp_path):
    collections = [coll("C1", dataset="E1"), coll("C2", dataset="E2")]
    granules = [
        gran("Granule1", "E1", producer="SpecialOne"),
        gran("Granule2", "E1", producer="SpecialTwo"),
        gran("SpecialOne", "E1", producer="NotSoSpecial"),
        gran("Granule44", "E2", producer="SuperSpecial"),
        gran("SuperSpecial", "E2", producer="Granule2"),
    ]
    ingest(db, session, tmp_path, "PROV1", collections, granules)
    return db


N = {1: "Granule1", 2: "Granule2", 3: "SpecialOne", 4: "Granule44", 5: "SuperSpecial"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"readable_granule_name": "NON_EXISTENT"}, ()),
        ({"readable_granule_name": "Granule1"}, (1,)),
        ({"readable_granule_name": "SpecialTwo"}, (2,)),
        ([("readable_granule_name", "Granule1"), ("readable_granule_name", "Granule2")], (1, 2, 5)),
        (
            {"readable_granule_name": "Gran*", "options[readable_granule_name][pattern]": "true"},
            (1, 2, 4, 5),
        ),
        (
            {
                "readable_granule_name": "Granule?",
                "options[readable_granule_name][pattern]": "true",
            },
            (1, 2, 5),
        ),
        ({"readable_granule_name": "granule1"}, (1,)),
        (
            {
                "readable_granule_name": "granule1",
                "options[readable_granule_name][ignore_case]": "false",
            },
            (),
        ),
        (
            [("readable_granule_name", "Granule2"), ("readable_granule_name", "SuperSpecial")],
            (2, 4, 5),
        ),
        (
            [
                ("readable_granule_name", "Granule2"),
                ("readable_granule_name", "SuperSpecial"),
                ("options[readable_granule_name][and]", "true"),
            ],
            (5,),
        ),
        ({"producer_granule_id": "specialone"}, (1,)),  # CMR ignores case by default
        (
            {
                "producer_granule_id": "specialone",
                "options[producer_granule_id][ignore_case]": "false",
            },
            (),
        ),
        (
            {"producer_granule_id": "Special*", "options[producer_granule_id][pattern]": "true"},
            (1, 2),
        ),
    ],
)
def test_granules_by_readable_name(client, names_catalog, params, expected):
    assert sorted(found(client, "granules", params)) == sorted(N[n] for n in expected)


def test_too_many_leading_wildcards_are_refused(client, names_catalog):
    """granule_search_readable_granule_name_test.clj number-of-leading-wildcard-patterns-
    validation: readable_granule_name searches two fields, so its patterns count twice."""
    words = "conditions which used a leading wildcard"
    pattern = {"options[readable_granule_name][pattern]": "true"}
    names = [("readable_granule_name", v) for v in ("*1", "*2", "*3")]
    refused(client, "granules", [*names, *pattern.items()], words)
    ids = [("producer_granule_id", f"?{n}") for n in range(6)]
    refused(client, "granules", [*ids, ("options[producer_granule_id][pattern]", "true")], words)
    inner = [("producer_granule_id", f"f*{n}") for n in range(6)]
    assert (
        found(client, "granules", [*inner, ("options[producer_granule_id][pattern]", "true")]) == []
    )
    assert found(client, "granules", ids) == []  # not patterns: taken literally
    five = [("producer_granule_id", f"*{n}") for n in range(5)]
    five.append(("options[producer_granule_id][pattern]", "true"))
    assert found(client, "granules", five) == ["SuperSpecial"]  # its producer id is Granule2


def test_production_dates_repeated_are_ored(client, catalog):
    """granule_search_production_date_time_test.clj: several ranges find any (and, with
    options[production_date][and], all)."""
    one, three = "2020-02-01T00:00:00Z,2020-02-28T00:00:00Z", "2020-04-01T00:00:00Z,"
    both = [("production_date", one), ("production_date", three)]
    assert sorted(found(client, "granules", both)) == ["MADE.1", "MADE.3", "MADE.4"]
    assert found(client, "granules", [*both, ("options[production_date][and]", "true")]) == []
