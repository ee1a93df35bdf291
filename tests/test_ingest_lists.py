"""Verifications and inventories: lists a partner sends to keep the catalog in step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clearinghouse.catalog.models import Collection, Granule
from ingest.models import IngestError, InventoryEntry
from ingest.pipeline import ingest_file
from tests.ingest_support import add_provider, collection, granule, wrap, write


@pytest.fixture
def catalog(db, session, tmp_path):
    add_provider(session)
    session.commit()
    ingest_file(
        db,
        write(
            tmp_path,
            "c.xml",
            wrap(
                "CollectionMetaDataFile",
                {
                    "Collections": [
                        collection(),
                        collection("C2", dataset="DS 2"),
                        collection("C3", dataset="DS 3"),
                    ]
                },
            ),
        ),
        "PODAAC",
    )
    ingest_file(
        db,
        write(
            tmp_path,
            "g.xml",
            wrap(
                "GranuleMetaDataFile",
                {
                    "Granules": [
                        granule("G1"),
                        granule("G2"),
                        granule("G3"),
                        granule("X1", dataset="DS 2"),
                    ]
                },
            ),
        ),
        "PODAAC",
    )
    return db


def _run(db, tmp_path, root, sections, **options):
    return ingest_file(db, write(tmp_path, "list.xml", wrap(root, sections)), "PODAAC", **options)


def _live(session, model, column):
    session.expire_all()
    return sorted(session.scalars(select(column).where(model.deleted_at.is_(None))).all())


def _errors(session, report):
    query = select(IngestError).where(IngestError.report_id == report.id).order_by(IngestError.id)
    return [(e.category, e.message) for e in session.scalars(query)]


def _granule_inventory(dataset, urs):
    listed = "".join(f"<GranuleUR>{ur}</GranuleUR>" for ur in urs)
    return (
        f"<GranuleInventory><CollectionRef><DataSetId>{dataset}</DataSetId></CollectionRef>"
        f"<GranuleURs>{listed}</GranuleURs></GranuleInventory>"
    )


def test_a_granule_inventory_removes_what_it_no_longer_lists(catalog, session, tmp_path):
    report = _run(
        catalog,
        tmp_path,
        "GranuleMetaDataFile",
        {"GranuleInventories": [_granule_inventory("DS 1", ["G1", "G3", "G9"])]},
        batch_size=2,
    )
    assert (report.processed, report.deleted) == (3, 1), report.text
    assert _live(session, Granule, Granule.granule_ur) == [
        "G1",
        "G3",
        "X1",
    ]  # other collections stay
    assert ("inventory", "listed but not in the catalog: G9") in _errors(session, report)
    assert session.scalars(select(InventoryEntry)).all() == []  # the list is not kept


def test_an_empty_inventory_empties_its_collection(catalog, session, tmp_path):
    report = _run(
        catalog,
        tmp_path,
        "GranuleMetaDataFile",
        {"GranuleInventories": [_granule_inventory("DS 2", [])]},
    )
    assert report.deleted == 1, report.text
    assert _live(session, Granule, Granule.granule_ur) == ["G1", "G2", "G3"]


def test_an_inventory_of_an_unknown_collection_is_not_applied(catalog, session, tmp_path):
    report = _run(
        catalog,
        tmp_path,
        "GranuleMetaDataFile",
        {"GranuleInventories": [_granule_inventory("NOPE", [])]},
    )
    assert report.deleted == 0 and report.data_errors == 1, report.text
    assert len(_live(session, Granule, Granule.granule_ur)) == 4


def test_a_collection_inventory_removes_unlisted_collections(catalog, session, tmp_path):
    refs = (
        "<CollectionRef><ShortName>C1</ShortName><VersionId>1</VersionId></CollectionRef>"
        "<CollectionRef><DataSetId>DS 3</DataSetId></CollectionRef>"
        "<CollectionRef><DataSetId>DS 404</DataSetId></CollectionRef>"
    )
    report = _run(
        catalog,
        tmp_path,
        "CollectionMetaDataFile",
        {"CollectionInventory": [f"<CollectionReferences>{refs}</CollectionReferences>"]},
    )
    assert (report.processed, report.deleted) == (3, 1), report.text
    assert _live(session, Collection, Collection.short_name) == ["C1", "C3"]
    assert "X1" not in _live(session, Granule, Granule.granule_ur)  # C2's granule went with it
    assert ("inventory", "listed but not in the catalog: DataSetId=DS 404") in _errors(
        session, report
    )


def test_verifications_report_differences_then_load(catalog, session, tmp_path):
    report = _run(
        catalog,
        tmp_path,
        "GranuleMetaDataFile",
        {
            "GranuleVerifications": [
                granule("G1"),
                granule("G2", last_update="2024-01-01T00:00:00Z"),
                granule("G7"),
            ]
        },
    )
    assert (report.processed, report.inserted, report.replaced) == (3, 1, 1), report.text
    assert report.out_of_date == 1  # G1: identical, so not newer
    errors = _errors(session, report)
    assert ("verification", "not in the catalog") in errors
    assert any("Granule/LastUpdate: '2020-01-01T00:00:00Z' in the catalog" in m for _, m in errors)
    assert len(errors) == 2  # G1 matches
