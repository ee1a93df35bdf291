"""Orbit collections and granules at ingest (columns, validation) and in searches beyond CMR's
ported cases: orbit and footprint granules in one search, AQL, circles, the poles, the old data
brought over by the migration."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, pool, select, text

from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.db import migrate
from ingest.models import IngestError
from ingest.pipeline import ingest_file
from spatial.backtrack import granule_clats
from tests.api_support import provider
from tests.catalog_support import aql, run, urs
from tests.ingest_support import collection, granule, polygon, wrap, write

PROVIDER = "ORBITS"
#: coll1 of CMR's orbit-search test: 1450 km, 98.88 min, 98.15°, half an orbit from the south pole.
PARAMETERS = (
    "<OrbitParameters><SwathWidth>1450</SwathWidth><Period>98.88</Period>"
    "<InclinationAngle>98.15</InclinationAngle><NumberOfOrbits>0.5</NumberOfOrbits>"
    "<StartCircularLatitude>-90</StartCircularLatitude></OrbitParameters>"
)


def orbit_collection(short: str, dataset: str, parameters: str = PARAMETERS) -> str:
    made = collection(short, dataset=dataset, representation="ORBIT")
    return made.replace("<Spatial>", f"<Spatial>{parameters}")


def orbit(crossing, start_lat, start_dir, end_lat, end_dir) -> str:
    return (
        f"<Spatial><HorizontalSpatialDomain><Orbit><AscendingCrossing>{crossing}"
        f"</AscendingCrossing><StartLat>{start_lat}</StartLat><StartDirection>{start_dir}"
        f"</StartDirection><EndLat>{end_lat}</EndLat><EndDirection>{end_dir}</EndDirection>"
        "</Orbit></HorizontalSpatialDomain></Spatial>"
    )


def ingest(db, tmp_path, name: str, root: str, section: str, records: list[str]):
    return ingest_file(db, write(tmp_path, name, wrap(root, {section: records})), PROVIDER)


@pytest.fixture
def orbits(db, session, tmp_path):
    """An orbit collection (CMR's gran2: ascending across the Pacific at 177.16°) and a footprint
    collection with a square at 170–175°E on the equator."""
    provider(session, PROVIDER)
    records = [orbit_collection("SWATHS", "Swaths"), collection("SQUARES", dataset="Squares")]
    report = ingest(db, tmp_path, "c.xml", "CollectionMetaDataFile", "Collections", records)
    assert report.inserted == 2, report.text
    report = ingest(
        db,
        tmp_path,
        "g.xml",
        "GranuleMetaDataFile",
        "Granules",
        [
            granule("GRAN2", dataset="Swaths", extra=orbit(177.16, -81.8, "A", 81.8, "A")),
            granule("GRAN3", dataset="Swaths", extra=orbit(127.73, 81.8, "D", -81.8, "D")),
            granule(
                "SQUARE",
                dataset="Squares",
                extra=polygon([(170, 0), (170, 5), (175, 5), (175, 0), (170, 0)]),
            ),
        ],
    )
    assert report.inserted == 3, report.text
    ids = dict(session.execute(select(Collection.short_name, Collection.id)).all())
    return {short: item_id("C", n, PROVIDER) for short, n in ids.items()}


def titles(client, **params) -> list[str]:
    query = {"page_size": 100, "provider": PROVIDER, **params}
    response = client.get("/search/granules.json", query_string=query)
    assert response.status_code == 200, response.data
    return sorted(e["title"] for e in response.get_json()["feed"]["entry"])


def test_an_orbit_granule_is_stored_as_its_crossing_and_circular_latitudes(orbits, session):
    row = session.execute(select(Granule).where(Granule.granule_ur == "GRAN2")).scalar_one()
    assert (row.orbit_asc_crossing, row.orbit_start_clat) == (177.16, 278.2)
    assert row.orbit_end_clat == pytest.approx(441.8)
    assert row.spatial_mbr is None and row.spatial_geog is None and not row.global_coverage


def test_one_search_finds_orbit_and_footprint_granules_each_by_its_own_rule(client, orbits):
    # The box over the equator at 172°E: the square by its footprint, GRAN2 by backtracking.
    assert titles(client, bounding_box="171,1,172,2") == ["GRAN2", "SQUARE"]
    assert titles(client, bounding_box="171,1,172,2", concept_id=orbits["SWATHS"]) == ["GRAN2"]
    assert titles(client, bounding_box="171,1,172,2", concept_id=orbits["SQUARES"]) == ["SQUARE"]
    # Scoped by collection names and providers: only orbit collections in scope are backtracked.
    assert titles(client, bounding_box="171,1,172,2", short_name="swaths") == ["GRAN2"]
    assert titles(client, bounding_box="171,1,172,2", short_name="squares") == ["SQUARE"]
    assert titles(client, bounding_box="171,1,172,2", provider="NOBODY") == []
    # Far from both: before backtracking an orbit granule was found by its whole latitude band.
    assert titles(client, bounding_box="-40,1,-39,2") == []
    assert titles(client, point="-45,45") == ["GRAN3"]  # CMR's point case, with the square away
    found = run(
        client,
        aql("granules", "<spatial operator='RELATE'><IIMSPoint long='-45' lat='45'/></spatial>"),
    )
    assert urs(found) == ["GRAN3"]


def test_circles_and_the_poles(client, orbits):
    assert titles(client, circle="172,1.5,20000") == ["GRAN2", "SQUARE"]
    assert titles(client, circle="-40,1.5,20000") == []
    # The pole is out of this orbit's sight (81.85° + 6.5° of half swath); none, and no error.
    assert titles(client, point="0,90") == []
    assert titles(client, bounding_box="-180,89,180,90") == []
    # Options ORing two areas, each finding one granule.
    either = {"bounding_box": ["171,1,172,2", "-46,44,-44,46"], "options[spatial][or]": "true"}
    assert titles(client, **either) == ["GRAN2", "GRAN3", "SQUARE"]
    assert titles(client, bounding_box=["171,1,172,2", "-46,44,-44,46"]) == []


def test_malformed_orbits_are_record_errors_with_their_line(db, session, tmp_path, orbits):
    bad = {
        "HIGH": orbit(10, 95, "A", 81.8, "A"),
        "EAST": orbit(200, -81.8, "A", 81.8, "A"),
        "SIDEWAYS": orbit(10, -81.8, "A", 81.8, "X"),
        "NOLAT": orbit(10, -81.8, "A", 81.8, "A").replace("<EndLat>81.8</EndLat>", ""),
    }
    records = [granule(ur, dataset="Swaths", extra=xml) for ur, xml in bad.items()]
    records.append(granule("ELSEWHERE", dataset="Squares", extra=orbit(10, 0, "A", 0, "A")))
    records.append(granule("FINE", dataset="Swaths", extra=orbit(10, -81.8, "A", 81.8, "A")))
    report = ingest(db, tmp_path, "bad.xml", "GranuleMetaDataFile", "Granules", records)
    assert (report.processed, report.inserted) == (6, 1), report.text
    errors = {
        e.record_id: e
        for e in session.scalars(select(IngestError).where(IngestError.report_id == report.id))
    }
    assert len(errors) == 5, report.text
    # Latitudes, directions and the element's parts are the schema's (ingest.checks) …
    assert "StartLat: 95 is above the maximum 90" in errors["HIGH"].message
    assert "EndDirection: 'X' is not one of A, D" in errors["SIDEWAYS"].message
    assert "Orbit: expected EndLat" in errors["NOLAT"].message
    # … the crossing's range and the collection's model the spatial reader's.
    assert "AscendingCrossing [200] must be within -180 and 180" in errors["EAST"].message
    assert "GranuleSpatialRepresentation is GEODETIC" in errors["ELSEWHERE"].message
    assert errors["EAST"].category == errors["ELSEWHERE"].category == "invalid_spatial"
    assert all(e.line for e in errors.values())
    lines = wrap("GranuleMetaDataFile", {"Granules": records}).decode().splitlines()
    # The record's line, and in the message the line of the element at fault.
    for ur, element in (("EAST", "AscendingCrossing"), ("HIGH", "StartLat")):
        assert "<Granule>" in lines[errors[ur].line - 1]
        at = int(re.match(r"line (\d+): ", errors[ur].message).group(1))
        assert element in lines[at - 1]


def test_orbit_collections_without_usable_parameters_are_record_errors(
    db, session, tmp_path, orbits
):
    no_period = PARAMETERS.replace("<Period>98.88</Period>", "<Period>0</Period>")
    tilted = PARAMETERS.replace("98.15</InclinationAngle>", "198</InclinationAngle>")
    report = ingest(
        db,
        tmp_path,
        "c2.xml",
        "CollectionMetaDataFile",
        "Collections",
        [
            orbit_collection("STILL", "Still", no_period),
            orbit_collection("TILTED", "Tilted", tilted),
            collection("BARE", dataset="Bare", representation="ORBIT"),
        ],
    )
    assert (report.processed, report.inserted) == (3, 1), report.text
    messages = sorted(
        e.message.split(": ", 1)[1]
        for e in session.scalars(select(IngestError).where(IngestError.report_id == report.id))
    )
    assert "InclinationAngle [198] must be within 0 and 180" in messages[0]
    assert "Period [0] must be above 0" in messages[1]
    # An ORBIT collection without parameters loads, but an orbit granule in it does not.
    report = ingest(
        db,
        tmp_path,
        "g2.xml",
        "GranuleMetaDataFile",
        "Granules",
        [granule("BARE1", dataset="Bare", extra=orbit(10, 0, "A", 0, "A"))],
    )
    assert (report.processed, report.inserted) == (1, 0), report.text
    (error,) = session.scalars(select(IngestError).where(IngestError.report_id == report.id))
    assert "the granule has an Orbit but its collection has no OrbitParameters" in error.message


def test_orbit_numbers_and_crossings_refused_as_cmr_refuses_them(client, orbits):
    for params, message in (
        (
            {"orbit_number": "2,1"},
            "The maximum value [1.000000] of the range must be greater"
            " than or equal to the minimum value [2.000000].",
        ),
        ({"orbit_number[minValue]": "x"}, "[x] is not a valid class java.lang.Double"),
        ({"equator_crossing_longitude": "10,200"}, "[200] is not a longitude"),
        (
            {"equator_crossing_date": "2011-02-02T00:00:00Z,2011-02-01T00:00:00Z"},
            "the end is before the start",
        ),
    ):
        response = client.get("/search/granules.json", query_string=params)
        assert response.status_code == 400, response.data
        assert message in response.get_data(as_text=True).replace("&#39;", "'")
    response = client.get("/search/collections.json", query_string={"orbit_number": "1"})
    assert response.status_code == 400


def test_the_migration_brings_stored_orbit_granules_over(pg_cluster):
    name = f"orbit_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_cluster.url(name)
    try:
        migrate.upgrade(url, "0019")
        engine = create_engine(url, poolclass=pool.NullPool)
        spans = [
            (81.8, "D", -81.8, "D"),
            (-81.8, "A", 81.8, "A"),
            (50, "A", 50, "A"),
            (-50, "D", -50, "A"),
        ]
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO providers (provider_id, contact_email) VALUES ('OLD', 'a@b.c')")
            )
            cid = conn.execute(
                text(
                    "INSERT INTO collections (provider_id, short_name, version_id, dataset_id, xml)"
                    " VALUES ('OLD', 'S', '1', 'D', '<C/>') RETURNING id"
                )
            ).scalar()
            for n, (slat, sdir, elat, edir) in enumerate(spans):
                conn.execute(
                    text(
                        "INSERT INTO granules (provider_id, collection_id, granule_ur, xml, orbit,"
                        " spatial_mbr) VALUES ('OLD', :c, :ur, '<G/>', CAST(:o AS jsonb),"
                        " ST_MakeEnvelope(-180, -90, 180, 90, 4326))"
                    ),
                    {
                        "c": cid,
                        "ur": f"G{n}",
                        "o": (
                            f'{{"ascending_crossing": {n}, "start_lat": {slat}, "start_direction":'
                            f' "{sdir}", "end_lat": {elat}, "end_direction": "{edir}"}}'
                        ),
                    },
                )
        migrate.upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT orbit_asc_crossing, orbit_start_clat, orbit_end_clat, spatial_mbr"
                    " FROM granules ORDER BY granule_ur"
                )
            ).all()
        for n, (row, span) in enumerate(zip(rows, spans, strict=True)):
            assert row[0] == n and row[3] is None
            assert row[1:3] == pytest.approx(granule_clats(*span))
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
