"""Bad ingest files: each gets a precise line in its report, nothing half-written, and the rest of
the file goes on where that is safe."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from clearinghouse.catalog.models import Granule
from clearinghouse.db import Database
from ingest.models import IngestError, IngestJob, JobStatus
from ingest.pipeline import ingest_file
from tests.ingest_support import add_provider, collection, granule, wrap, write

HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.fixture
def provider(db, session, tmp_path):
    add_provider(session)
    session.commit()
    ingest_file(
        db,
        write(tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]})),
        "PODAAC",
    )
    return "PODAAC"


def _run(db, tmp_path, content: bytes, name="g.xml"):
    return ingest_file(db, write(tmp_path, name, content), "PODAAC")


def _granules(session) -> int:
    return session.scalar(select(func.count()).select_from(Granule))


@pytest.mark.parametrize(
    ("content", "reason", "words"),
    [
        (b"", "NotXML", "empty"),
        (b"GIF89a\x00\x01binary", "NotXML", "does not contain XML"),
        (b"<GranuleMetaDataFile/>", "NoXMLHeader", "no XML header"),
        (HEADER + b"<Granules><Granule/></Granules>", "WrongRoot", "root element is Granules"),
        (HEADER + b"<GranuleMetaDataFile><Granules>", "Incomplete", "does not end with"),
        (
            HEADER + b'<!DOCTYPE GranuleMetaDataFile SYSTEM "http://evil.example/x.dtd">'
            b"<GranuleMetaDataFile></GranuleMetaDataFile>",
            "ForeignDoctype",
            "nothing a DOCTYPE points to is ever fetched",
        ),
        (
            HEADER + b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<GranuleMetaDataFile>&lol2;</GranuleMetaDataFile>",
            "ForbiddenXMLConstruct",
            "entity declarations are not accepted",
        ),
        (
            HEADER + b'<!DOCTYPE g [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<GranuleMetaDataFile><DataCenter>&xxe;</DataCenter></GranuleMetaDataFile>",
            "ForbiddenXMLConstruct",
            "entity declarations are not accepted",
        ),
        (
            HEADER + b"<GranuleMetaDataFile><Granules></Granules><DataCenter>x</DataCenter>"
            b"</GranuleMetaDataFile>",
            "InvalidDocument",
            "section DataCenter is out of place",
        ),
        (
            HEADER + b"<GranuleMetaDataFile><Granulez></Granulez></GranuleMetaDataFile>",
            "InvalidDocument",
            "has no section Granulez",
        ),
    ],
)
def test_files_refused_as_a_whole(db, session, tmp_path, provider, content, reason, words):
    report = _run(db, tmp_path, content)
    (error,) = report.file_errors
    assert error["reason"] == reason, report.text
    assert words in error["message"], error
    assert session.get(IngestJob, report.job_id).status is JobStatus.REJECTED
    assert _granules(session) == 0
    assert reason in report.text and f'reason="{reason}"' in report.xml


def test_a_doctype_naming_our_dtd_is_fine(db, session, tmp_path, provider):
    content = (
        HEADER
        + b'<!DOCTYPE GranuleMetaDataFile SYSTEM "granule.dtd">'
        + wrap("GranuleMetaDataFile", {"Granules": [granule("G1")]}).split(b"?>", 1)[1]
    )
    report = _run(db, tmp_path, content)
    assert report.inserted == 1, report.text


@pytest.mark.parametrize("count", [4, 600])  # inside libxml2's first read buffer, and far past it
def test_xml_breaking_off_midway_keeps_every_record_before_the_break(
    db, session, tmp_path, provider, count
):
    good = wrap("GranuleMetaDataFile", {"Granules": [granule(f"G{n}") for n in range(count)]})
    last = count - 1
    broken = good.replace(
        f"<GranuleUR>G{last}</GranuleUR>".encode(), f"<GranuleUR>G{last}</Granule_UR>".encode()
    )
    report = ingest_file(db, write(tmp_path, "b.xml", broken), "PODAAC", batch_size=2)
    (error,) = report.file_errors
    assert error["reason"] == "MalformedXML" and error["line"], report.text
    line = broken.decode().splitlines()[error["line"] - 1]
    assert f"G{last}</Granule_UR>" in line
    # every record that ended before the break stands, the half-full batch too; nothing after it
    assert report.inserted == last
    assert _granules(session) == last
    urs = set(session.scalars(select(Granule.granule_ur)))
    assert f"G{last - 1}" in urs and f"G{last}" not in urs


def test_xml_breaking_off_midway_in_workers_keeps_every_record_before_the_break(
    database_url, tmp_path
):
    """Worker processes read the collections from the database: the data is committed here."""
    engine = create_engine(database_url)
    db = Database(engine)
    good = wrap("GranuleMetaDataFile", {"Granules": [granule(f"G{n}") for n in range(301)]})
    broken = good.replace(b"<GranuleUR>G300</GranuleUR>", b"<GranuleUR>G300</Granule_UR>")
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO providers (provider_id, contact_email)"
                    " VALUES ('BREAKW', 'w@example.org')"
                )
            )
        ingest_file(
            db,
            write(
                tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]})
            ),
            "BREAKW",
        )
        report = ingest_file(
            db, write(tmp_path, "b.xml", broken), "BREAKW", batch_size=7, workers=2
        )
        assert report.file_errors[0]["reason"] == "MalformedXML", report.text
        assert report.inserted == 300, report.text
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM providers WHERE provider_id = 'BREAKW'"))
        engine.dispose()


def test_wrong_values_are_record_errors_with_their_line(db, session, tmp_path, provider):
    content = wrap(
        "GranuleMetaDataFile",
        {
            "Granules": [
                granule("G1", extra="<CloudCover>cloudy</CloudCover>"),
                granule(
                    "G2",
                    extra="<DataGranule><DayNightFlag>DUSK</DayNightFlag><ProductionDateTime>"
                    "2019-01-01T00:00:00Z</ProductionDateTime></DataGranule>",
                ),
                granule("G3", dataset="DS OF ANOTHER PROVIDER"),
                granule("G4"),
            ]
        },
    )
    report = _run(db, tmp_path, content)
    assert (report.processed, report.inserted, report.data_errors) == (4, 1, 2), report.text
    assert report.without_collection == 1
    errors = {
        e.record_id: e
        for e in session.scalars(select(IngestError).where(IngestError.report_id == report.id))
    }
    assert "'cloudy' is not a decimal number" in errors["G1"].message
    assert "'DUSK' is not one of DAY, NIGHT, BOTH, UNSPECIFIED" in errors["G2"].message
    lines = content.decode().splitlines()
    assert "cloudy" in lines[errors["G1"].line - 1] or "Granule" in lines[errors["G1"].line - 1]


def test_a_record_of_the_wrong_kind_in_a_section(db, session, tmp_path, provider):
    content = wrap(
        "GranuleMetaDataFile",
        {
            "Granules": [
                granule("G1"),
                "<GranuleDelete><GranuleUR>G2</GranuleUR></GranuleDelete>",
                granule("G3"),
            ]
        },
    )
    report = _run(db, tmp_path, content)
    assert (report.processed, report.inserted, report.data_errors) == (3, 2, 1), report.text
    (error,) = session.scalars(select(IngestError).where(IngestError.report_id == report.id))
    assert "Granules holds Granule elements, not GranuleDelete" in error.message


def test_a_record_the_database_refuses_is_reported_and_the_rest_go_in(
    db, session, tmp_path, provider
):
    """Whatever our checks let through and PostgreSQL refuses (here a constraint made for the
    test) costs that record alone, reported with the database's reason; before, the batch failed
    and the job stayed running with no report, retried at every scan."""
    session.execute(
        text("ALTER TABLE granules ADD CONSTRAINT test_no_g2 CHECK (granule_ur <> 'G2')")
    )
    session.commit()  # the test's savepoint: rolled back with the test
    content = wrap("GranuleMetaDataFile", {"Granules": [granule(f"G{n}") for n in range(1, 5)]})
    report = _run(db, tmp_path, content)
    assert (report.processed, report.inserted, report.data_errors) == (4, 3, 1), report.text
    (error,) = session.scalars(select(IngestError).where(IngestError.report_id == report.id))
    assert error.record_id == "G2"
    assert "the database refused this record" in error.message and "test_no_g2" in error.message
    assert set(session.scalars(select(Granule.granule_ur))) == {"G1", "G3", "G4"}
    job = session.get(IngestJob, report.job_id)
    assert job.status is JobStatus.DONE
