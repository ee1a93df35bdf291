"""Partial metadata updates: only the named fields change, in ECHO 10 order, dated by the target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree
from sqlalchemy import select

from clearinghouse.catalog.models import Collection, Granule
from ingest.models import IngestError
from ingest.pipeline import ingest_file
from spatial.search import intersects, prepare_search
from spatial.shapes import Point
from tests.ingest_support import add_provider, collection, granule, polygon, wrap, write

DATA_GRANULE = (
    "<DataGranule><DayNightFlag>DAY</DayNightFlag>"
    "<ProductionDateTime>2019-01-01T00:00:00Z</ProductionDateTime></DataGranule>"
)
TEMPORAL = "<Temporal><SingleDateTime>2018-06-01T00:00:00Z</SingleDateTime></Temporal>"
ATTRIBUTES = (
    "<AdditionalAttributes><AdditionalAttribute><Name>A</Name><Values><Value>1</Value></Values>"
    "</AdditionalAttribute></AdditionalAttributes>"
)
URLS = (
    "<OnlineAccessURLs><OnlineAccessURL><URL>http://x/1</URL><MimeType>a/b</MimeType>"
    "</OnlineAccessURL></OnlineAccessURLs>"
)


@pytest.fixture
def catalog(db, session, tmp_path):
    add_provider(session)
    session.commit()
    ingest_file(
        db,
        write(tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]})),
        "PODAAC",
    )
    granules = [
        granule(
            "G1", extra=DATA_GRANULE + TEMPORAL + ATTRIBUTES + URLS + "<CloudCover>10</CloudCover>"
        ),
        granule("G2", extra=DATA_GRANULE),
    ]
    result = ingest_file(
        db, write(tmp_path, "g.xml", wrap("GranuleMetaDataFile", {"Granules": granules})), "PODAAC"
    )
    assert result.inserted == 2, result.text
    return db


def _update(db, tmp_path, section, items, kind="Granule"):
    content = wrap(f"{kind}MetaDataFile", {section: items})
    return ingest_file(db, write(tmp_path, f"{section}.xml", content), "PODAAC")


def _add(ur, fields, last_update=None):
    date = f"<LastUpdate>{last_update}</LastUpdate>" if last_update else ""
    body = "".join(f"<Field>{f}</Field>" for f in fields)
    return (
        f"<GranulePartialAdd><Targets><Target>{date}<GranuleUR>{ur}</GranuleUR></Target>"
        f"</Targets><Fields>{body}</Fields></GranulePartialAdd>"
    )


def _delete(ur, fields):
    body = "".join(f"<Field>{f}</Field>" for f in fields)
    return (
        f"<GranulePartialDelete><Targets><Target><GranuleUR>{ur}</GranuleUR></Target></Targets>"
        f"<Fields>{body}</Fields></GranulePartialDelete>"
    )


def _granule(session, ur) -> Granule:
    session.expire_all()
    return session.scalar(select(Granule).where(Granule.granule_ur == ur))


def test_adds_change_only_the_named_fields(catalog, session, tmp_path):
    before = _granule(session, "G2")
    revision, last_update = before.revision, before.last_update
    result = _update(
        catalog,
        tmp_path,
        "GranulePartialAdds",
        [
            _add(
                "G2",
                [
                    "<OnlineAccessURL><URL>http://x/new</URL></OnlineAccessURL>",
                    "<CloudCover>42.5</CloudCover>",
                    "<Visible>false</Visible>",
                    "<DayNightFlag>NIGHT</DayNightFlag>",
                    "<MeasuredParameter><ParameterName>P</ParameterName><QAFlags>"
                    "<AutomaticQualityFlag>Passed</AutomaticQualityFlag></QAFlags></MeasuredParameter>",
                ],
            )
        ],
    )
    assert (result.processed, result.replaced, result.data_errors) == (1, 1, 0), result.text
    after = _granule(session, "G2")
    assert after.online_only and after.cloud_cover == 42.5 and not after.visible
    assert after.day_night_flag.value == "NIGHT"
    assert after.measured_parameters == [
        {"name": "P", "QAFlags": {"AutomaticQualityFlag": "Passed"}}
    ]
    assert after.last_update == last_update  # no Target/LastUpdate: the date stays
    assert after.revision == revision + 1
    # The new elements stand where ECHO 10 wants them: the record is still valid.
    tags = [child.tag for child in etree.fromstring(after.xml)]
    assert tags.index("MeasuredParameters") < tags.index("OnlineAccessURLs") < tags.index("Visible")
    assert tags.index("Visible") < tags.index("CloudCover")


def test_keyed_items_are_replaced_by_their_key(catalog, session, tmp_path):
    result = _update(
        catalog,
        tmp_path,
        "GranulePartialAdds",
        [
            _add(
                "G1",
                [
                    "<OnlineAccessURL><URL>http://x/1</URL><MimeType>c/d</MimeType></OnlineAccessURL>",
                    "<AdditionalAttribute><Name>A</Name><Values><Value>2</Value></Values>"
                    "</AdditionalAttribute>",
                ],
            )
        ],
    )
    assert result.replaced == 1, result.text
    after = _granule(session, "G1")
    record = etree.fromstring(after.xml)
    assert [
        u.findtext("MimeType") for u in record.iterfind("OnlineAccessURLs/OnlineAccessURL")
    ] == ["c/d"]
    assert after.additional_attributes == [{"name": "A", "values": ["2"]}]


def test_temporal_and_spatial_are_replaced_whole(catalog, session, tmp_path):
    square = polygon([(10, 10), (10, 12), (12, 12), (12, 10)])  # clockwise, as ECHO 10 has it
    result = _update(
        catalog,
        tmp_path,
        "GranulePartialAdds",
        [
            _add(
                "G1",
                [
                    "<Temporal><SingleDateTime>2001-01-01T00:00:00Z</SingleDateTime></Temporal>",
                    square,
                ],
            )
        ],
    )
    assert result.replaced == 1, result.text
    after = _granule(session, "G1")
    assert after.temporal_start == datetime(2001, 1, 1, tzinfo=UTC)
    found = session.scalar(
        select(Granule.id).where(
            Granule.id == after.id, intersects(Granule, prepare_search(Point(11, 11)))
        )
    )
    assert found == after.id


def test_the_target_date_decides_and_is_saved(catalog, session, tmp_path):
    older = _add("G1", ["<CloudCover>1</CloudCover>"], last_update="2019-06-01T00:00:00Z")
    old = _update(catalog, tmp_path, "GranulePartialAdds", [older])
    assert (old.out_of_date, old.replaced) == (1, 0)
    assert _granule(session, "G1").cloud_cover == 10
    newer = _add("G1", ["<CloudCover>2</CloudCover>"], last_update="2021-06-01T00:00:00Z")
    new = _update(catalog, tmp_path, "GranulePartialAdds", [newer])
    assert new.replaced == 1
    after = _granule(session, "G1")
    assert after.cloud_cover == 2 and after.last_update == datetime(2021, 6, 1, tzinfo=UTC)


def test_deletes_remove_or_reset(catalog, session, tmp_path):
    result = _update(
        catalog,
        tmp_path,
        "GranulePartialDeletes",
        [
            _delete(
                "G1",
                [
                    "<OnlineAccessURL>http://x/1</OnlineAccessURL>",
                    "<AllAdditionalAttributes/>",
                    "<CloudCover/>",
                    "<DayNightFlag/>",
                    "<Temporal/>",
                ],
            )
        ],
    )
    assert result.replaced == 1, result.text
    after = _granule(session, "G1")
    assert not after.online_only and after.additional_attributes == []
    assert after.cloud_cover is None and after.temporal_start is None
    assert after.day_night_flag.value == "UNSPECIFIED"


def test_bad_updates_are_reported_and_change_nothing(catalog, session, tmp_path):
    before = _granule(session, "G2").xml
    result = _update(
        catalog,
        tmp_path,
        "GranulePartialDeletes",
        [
            _delete("NOPE", ["<CloudCover/>"]),
            _delete("G2", ["<CloudCover/>", "<OnlineResource>http://not/there</OnlineResource>"]),
        ],
    )
    assert (result.processed, result.replaced, result.data_errors) == (2, 0, 2), result.text
    messages = sorted(
        e.message
        for e in session.scalars(select(IngestError).where(IngestError.report_id == result.id))
    )
    assert "G2: the record has no OnlineResource 'http://not/there' to delete" in messages
    assert "no granule NOPE to update" in messages
    assert _granule(session, "G2").xml == before


def test_collection_partial_adds(catalog, session, tmp_path):
    target = "<Target><Collection><DataSetId>DS 1</DataSetId></Collection></Target>"
    item = (
        f"<CollectionPartialAdd><Targets>{target}</Targets><Fields><Field><Visible>false"
        "</Visible></Field></Fields></CollectionPartialAdd>"
    )
    result = _update(catalog, tmp_path, "CollectionPartialAdds", [item], kind="Collection")
    assert result.replaced == 1, result.text
    session.expire_all()
    assert (
        session.scalar(select(Collection.visible).where(Collection.dataset_id == "DS 1")) is False
    )


def test_collection_partial_deletes(catalog, session, tmp_path):
    target = (
        "<Target><Collection><ShortName>C1</ShortName><VersionId>1</VersionId></Collection>"
        "</Target>"
    )
    add = (
        f"<CollectionPartialAdd><Targets>{target}</Targets><Fields><Field><DeleteTime>"
        "2030-01-01T00:00:00Z</DeleteTime></Field></Fields></CollectionPartialAdd>"
    )
    assert _update(catalog, tmp_path, "CollectionPartialAdds", [add], kind="Collection").replaced
    session.expire_all()
    assert session.scalar(select(Collection.delete_time)) == datetime(2030, 1, 1, tzinfo=UTC)
    delete = (
        f"<CollectionPartialDelete><Targets>{target}</Targets><Fields><Field><DeleteTime/>"
        "</Field></Fields></CollectionPartialDelete>"
    )
    result = _update(catalog, tmp_path, "CollectionPartialDeletes", [delete], kind="Collection")
    assert result.replaced == 1, result.text
    session.expire_all()
    assert session.scalar(select(Collection.delete_time)) is None
