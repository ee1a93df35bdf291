"""Ingesting ECHO 10 files: the real samples, ECHO's insert/replace/delete rules, the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Text, cast, func, select

from clearinghouse.catalog.models import Collection, Granule
from ingest.models import IngestError, JobStatus
from ingest.pipeline import ingest_file
from spatial.search import intersects, prepare_search
from spatial.shapes import BoundingBox, CoordinateSystem, Point
from tests.ingest_support import (
    COLLECTIONS,
    GRANULES,
    add_provider,
    collection,
    granule,
    polygon,
    sample,
    wrap,
    write,
)


@pytest.fixture
def provider(session):
    provider_id = add_provider(session)
    session.commit()  # a savepoint of the test's transaction: visible to the pipeline's sessions
    return provider_id


def _ingest(db, tmp_path, name, content, provider="PODAAC", **options):
    return ingest_file(db, write(tmp_path, name, content), provider, **options)


def _samples(db, tmp_path, provider):
    collections = _ingest(
        db,
        tmp_path,
        "c.xml",
        wrap("CollectionMetaDataFile", {"Collections": [sample(n) for n in COLLECTIONS]}),
    )
    granules = _ingest(
        db,
        tmp_path,
        "g.xml",
        wrap("GranuleMetaDataFile", {"Granules": [sample(n) for n in GRANULES]}),
    )
    return collections, granules


def test_the_real_records_load_with_their_fields_and_footprints(db, session, tmp_path, provider):
    collections, granules = _samples(db, tmp_path, provider)
    assert (collections.processed, collections.inserted, collections.data_errors) == (3, 3, 0)
    assert (granules.processed, granules.inserted) == (2, 2), granules.text

    ast = session.scalar(select(Collection).where(Collection.short_name == "AST_L1A"))
    assert ast.version_id == "003"
    assert ast.dataset_id == "ASTER L1A Reconstructed Unprocessed Instrument Data V003"
    assert ast.spatial_representation.value == "GEODETIC"
    assert "AM-1" in ast.platforms and "ASTER" in ast.instruments

    scene = session.scalar(select(Granule).where(Granule.granule_ur == "SC:AST_L1A.003:2242022926"))
    assert scene.collection_id == ast.id
    assert scene.coordinate_system is CoordinateSystem.GEODETIC
    assert scene.day_night_flag.value == "DAY"
    assert scene.temporal_start == datetime(2016, 9, 6, 23, 13, 48, 670000, tzinfo=UTC)
    assert scene.last_update == datetime(2016, 9, 8, 23, 10, 14, 921000, tzinfo=UTC)
    assert scene.producer_granule_id.startswith("AST_L1A#003")
    assert {a["name"] for a in scene.additional_attributes} >= {"ASTERProcessingCenter"}
    assert scene.xml.startswith("<Granule>")

    def found(shape):
        return session.scalar(
            select(Granule.id).where(
                Granule.id == scene.id, intersects(Granule, prepare_search(shape))
            )
        )

    # The scene crosses the antimeridian: found from both sides, not across the map.
    assert found(BoundingBox(179.5, 49, 180, 50.5))
    assert found(BoundingBox(-180, 49, -179.5, 50.5))
    assert not found(BoundingBox(0, 49, 1, 50.5))
    assert not found(Point(170, 49.8))

    airs = session.scalar(select(Granule).where(Granule.granule_ur.like("%AIRS%")))
    assert (airs is not None and airs.global_coverage) or airs.spatial_mbr is not None


def test_a_replace_needs_a_newer_last_update(db, session, tmp_path, provider):
    _ingest(db, tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]}))
    first = _ingest(
        db,
        tmp_path,
        "g1.xml",
        wrap("GranuleMetaDataFile", {"Granules": [granule("G1"), granule("G2")]}),
    )
    assert (first.inserted, first.replaced) == (2, 0)
    again = _ingest(
        db,
        tmp_path,
        "g2.xml",
        wrap(
            "GranuleMetaDataFile",
            {
                "Granules": [
                    granule("G1", last_update="2021-01-01T00:00:00Z"),
                    granule("G2"),  # the same LastUpdate: not newer
                    granule(
                        "G2", last_update="2019-01-01T00:00:00Z"
                    ),  # a second copy in the same file
                ]
            },
        ),
    )
    assert (again.processed, again.inserted, again.replaced) == (3, 0, 1), again.text
    assert (again.out_of_date, again.duplicated) == (1, 1), again.text
    g1 = session.scalar(select(Granule).where(Granule.granule_ur == "G1"))
    assert g1.last_update == datetime(2021, 1, 1, tzinfo=UTC)
    assert g1.revision == 2


def test_duplicates_are_found_across_batches(db, session, tmp_path, provider):
    _ingest(db, tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]}))
    records = [granule(f"G{n}") for n in range(5)] + [
        granule("G1", last_update="2022-01-01T00:00:00Z")
    ]
    result = _ingest(
        db, tmp_path, "g.xml", wrap("GranuleMetaDataFile", {"Granules": records}), batch_size=2
    )
    assert (result.processed, result.inserted, result.duplicated) == (6, 5, 1), result.text
    g1 = session.scalar(select(Granule).where(Granule.granule_ur == "G1"))
    assert g1.last_update == datetime(2020, 1, 1, tzinfo=UTC)  # the first copy stands


def test_deletes(db, session, tmp_path, provider):
    _ingest(
        db,
        tmp_path,
        "c.xml",
        wrap(
            "CollectionMetaDataFile",
            {"Collections": [collection(), collection("C2", dataset="DS 2")]},
        ),
    )
    _ingest(
        db,
        tmp_path,
        "g.xml",
        wrap(
            "GranuleMetaDataFile",
            {"Granules": [granule("G1"), granule("G2"), granule("G3", dataset="DS 2")]},
        ),
    )
    result = _ingest(
        db,
        tmp_path,
        "d.xml",
        wrap(
            "GranuleMetaDataFile",
            {
                "GranuleDeletes": [
                    "<GranuleDelete><GranuleUR>G1</GranuleUR></GranuleDelete>",
                    "<GranuleDelete><GranuleUR>NOPE</GranuleUR></GranuleDelete>",
                ]
            },
        ),
    )
    assert (result.deleted, result.delete_missing) == (1, 1), result.text
    live = session.scalars(select(Granule.granule_ur).where(Granule.deleted_at.is_(None))).all()
    assert sorted(live) == ["G2", "G3"]

    delete_c2 = "<CollectionDelete><DataSetId>DS 2</DataSetId></CollectionDelete>"
    deletes = wrap("CollectionMetaDataFile", {"CollectionDeletes": [delete_c2]})
    result = _ingest(db, tmp_path, "dc.xml", deletes)
    assert result.deleted == 1, result.text
    live = session.scalars(select(Granule.granule_ur).where(Granule.deleted_at.is_(None))).all()
    assert live == ["G2"]  # the collection's granule went with it

    # A deleted granule comes back when it is sent again, whatever its LastUpdate.
    result = _ingest(
        db, tmp_path, "g2.xml", wrap("GranuleMetaDataFile", {"Granules": [granule("G1")]})
    )
    assert result.replaced == 1


def test_granules_need_a_collection_of_their_provider(db, session, tmp_path, provider):
    add_provider(session, "OTHER")
    session.commit()
    _ingest(
        db,
        tmp_path,
        "c.xml",
        wrap("CollectionMetaDataFile", {"Collections": [collection()]}),
        provider="OTHER",
    )
    result = _ingest(
        db, tmp_path, "g.xml", wrap("GranuleMetaDataFile", {"Granules": [granule("G1")]})
    )
    assert (result.processed, result.without_collection, result.inserted) == (1, 1, 0)
    (error,) = session.scalars(select(IngestError).where(IngestError.report_id == result.id)).all()
    assert error.record_id == "G1" and "no collection DataSetId=DS 1" in error.message
    assert session.scalar(select(func.count()).select_from(Granule)) == 0


def test_record_errors_are_reported_and_the_rest_goes_on(db, session, tmp_path, provider):
    _ingest(db, tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]}))
    bad_polygon = polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # crosses itself
    result = _ingest(
        db,
        tmp_path,
        "g.xml",
        wrap(
            "GranuleMetaDataFile",
            {
                "Granules": [
                    granule("G1"),
                    granule("G2", last_update="last tuesday"),
                    granule("G3", extra="<Bogus/>"),
                    granule("G4", extra=bad_polygon),
                    granule("G5"),
                ]
            },
        ),
    )
    assert result.processed == 5
    assert (result.inserted, result.data_errors, result.invalid_spatial) == (2, 2, 1), result.text
    errors = {
        e.record_id: e
        for e in session.scalars(select(IngestError).where(IngestError.report_id == result.id))
    }
    assert "'last tuesday' is not a date and time" in errors["G2"].message
    assert "Bogus" in errors["G3"].message
    assert "G4" in errors and errors["G4"].category == "invalid_spatial"
    assert all(e.line for e in errors.values())
    assert "Records ignored for data errors" in result.text
    assert "<DataErrors>2</DataErrors>" in result.xml


def test_a_rejected_file_gets_a_file_error_report(db, session, tmp_path, provider):
    result = _ingest(db, tmp_path, "x.xml", b"this is not xml")
    assert result.file_errors[0]["reason"] == "NotXML"
    result = _ingest(db, tmp_path, "y.xml", b"<GranuleMetaDataFile></GranuleMetaDataFile>")
    assert result.file_errors[0]["reason"] == "NoXMLHeader"
    job_status = session.execute(
        select(func.count()).where(JobStatus.REJECTED == JobStatus.REJECTED)
    )
    assert job_status is not None


def _orbit(start: str, stop: str) -> str:
    return (
        "<OrbitCalculatedSpatialDomains><OrbitCalculatedSpatialDomain>"
        f"<StartOrbitNumber>{start}</StartOrbitNumber><StopOrbitNumber>{stop}</StopOrbitNumber>"
        "</OrbitCalculatedSpatialDomain></OrbitCalculatedSpatialDomains>"
    )


def test_orbits_and_two_d_coordinates_as_the_schema_types_them(db, session, tmp_path, provider):
    # StartOrbitNumber/StopOrbitNumber are decimals, OrbitNumber an integer of any size: none of
    # them may stop a file, and every one is kept as given.
    _ingest(db, tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]}))
    result = _ingest(
        db,
        tmp_path,
        "g.xml",
        wrap(
            "GranuleMetaDataFile",
            {
                "Granules": [
                    granule("PART", extra=_orbit("1004.25", "1004.75")),
                    granule(
                        "HUGE",
                        extra="<OrbitCalculatedSpatialDomains><OrbitCalculatedSpatialDomain>"
                        "<OrbitNumber>99999999999999</OrbitNumber></OrbitCalculatedSpatialDomain>"
                        "</OrbitCalculatedSpatialDomains>",
                    ),
                    granule("BACK", extra=_orbit("20", "10")),
                    granule(
                        "WIDE",
                        extra="<TwoDCoordinateSystem><StartCoordinate1>1e3</StartCoordinate1>"
                        "<StartCoordinate2>-0.5</StartCoordinate2><TwoDCoordinateSystemName>X"
                        "</TwoDCoordinateSystemName></TwoDCoordinateSystem>",
                    ),
                ]
            },
        ),
    )
    assert result.processed == 4
    assert (result.inserted, result.data_errors) == (3, 1), result.text
    spans = select(Granule.granule_ur, cast(Granule.orbit_ranges, Text))
    ranges = dict(session.execute(spans).all())
    assert ranges["PART"] == "{[1004.25,1004.75]}"
    assert ranges["HUGE"] == "{[99999999999999,99999999999999]}"
    assert ranges["BACK"] == "{[10,20]}"  # given backwards: kept as the span it names
    errors = session.scalars(select(IngestError).where(IngestError.report_id == result.id)).all()
    assert [e.record_id for e in errors] == ["WIDE"] and "StartCoordinate1" in errors[0].message
