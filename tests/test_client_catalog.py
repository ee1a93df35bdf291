"""The toolkit's AQL builder and paging results against the real server, one test per kind of
condition (the expectations are those of tests/test_catalog_search.py, on the same catalog), and
its refusals before sending, worded as the server words them."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from clearinghouse_client import Granule, InvalidValue, InvalidXML, Query, Session
from lxml import etree

from tests.catalog_support import AST_UR

MADE = [f"MADE.{n}" for n in range(5)]


@pytest.fixture
def guest(live, catalog):
    with Session(live, client_id="catalog-tests") as session:
        yield session


def urs(session, query: Query) -> list[str]:
    return sorted(g.granule_ur for g in session.catalog.search(query, page_size=50))


def names(session, query: Query) -> list[str]:
    return sorted(c.short_name for c in session.catalog.search(query, page_size=50))


GRANULES, COLLECTIONS = Query.granules(), Query.collections()


def test_paging_through_more_than_two_pages(guest):
    query = GRANULES.provider("MADEUP")
    results = guest.catalog.search(query, page_size=2, sort="start_time")
    pages = list(results.pages())
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [g.granule_ur for p in pages for g in p] == MADE
    assert results.hits() == 5 and not results.estimated
    assert [g.granule_ur for g in results] == MADE  # iterating again: the same result set
    assert guest.catalog.hits(query) == 5
    assert guest.catalog.search(query, max_results=3, page_size=2).hits() == 3
    first = next(iter(guest.catalog.search(query)))
    assert isinstance(first, Granule) and first.item_id.startswith("G")
    assert first.item_id.endswith("-MADEUP") and first.record.tag == "Granule"
    brief = next(iter(guest.catalog.search(query, result_format="BRIEF", sort="start_time")))
    assert (brief.granule_ur, brief.dataset_id, brief.record) == ("MADE.0", "DS 1", None)


def test_collections_by_name_pattern_list_and_case(guest):
    found = list(guest.catalog.search(COLLECTIONS.short_name("AST_L1A")))
    assert [(c.short_name, c.version_id) for c in found] == [("AST_L1A", "003")]
    assert found[0].item_id.endswith("-PODAAC")
    assert names(guest, COLLECTIONS.short_name("C_", pattern=True)) == ["C1", "C2"]
    assert names(guest, COLLECTIONS.short_name("ast%", pattern=True)) == []
    assert names(guest, COLLECTIONS.short_name("ast%", pattern=True, case_insensitive=True)) == [
        "AST_L1A"
    ]
    assert names(guest, COLLECTIONS.short_name("C1", "AIRX3STD")) == ["AIRX3STD", "C1"]
    assert names(guest, COLLECTIONS.provider("MADEUP").not_().short_name("C1")) == ["C2"]
    assert names(guest, COLLECTIONS.provider("MADEUP").version_id("1")) == ["C1", "C2"]
    assert names(guest, COLLECTIONS.dataset_id("DS 2")) == ["C2"]


def test_granule_fields(guest):
    in_ds1 = GRANULES.dataset_id("DS 1")
    assert urs(guest, in_ds1) == MADE
    assert urs(guest, GRANULES.short_name("C1")) == MADE
    assert urs(guest, GRANULES.granule_ur("MADE.4%", "MADE.0", pattern=True)) == [
        "MADE.0",
        "MADE.4",
    ]
    assert urs(guest, GRANULES.producer_granule_id("prod-3%", pattern=True)) == ["MADE.3"]
    assert urs(guest, GRANULES.pge_name("MADEPGE")) == MADE
    assert urs(guest, GRANULES.pge_version("1.0", "3.0")) == ["MADE.1", "MADE.3"]
    made_1 = next(iter(guest.catalog.search(GRANULES.granule_ur("MADE.1"))))
    assert urs(guest, GRANULES.granule_id(made_1.item_id)) == ["MADE.1"]
    collection = next(iter(guest.catalog.search(COLLECTIONS.dataset_id("DS 1"))))
    assert urs(guest, GRANULES.collection_id(collection.item_id)) == MADE
    assert urs(guest, GRANULES.short_name("C1").version_id("1")) == MADE


def test_temporal_and_date_ranges(guest):
    in_ds1 = GRANULES.dataset_id("DS 1")
    assert urs(guest, in_ds1.temporal("2020-02-01", "2020-03-31")) == ["MADE.1", "MADE.2"]
    aware = datetime(2020, 2, 1, tzinfo=UTC)
    assert urs(guest, in_ds1.temporal(aware, datetime(2020, 3, 31))) == ["MADE.1", "MADE.2"]
    window = in_ds1.temporal("2019-01-01", "2021-12-31", start_day=40, end_day=80)
    assert urs(guest, window) == ["MADE.1", "MADE.2"]
    produced = GRANULES.provider_production_date("2020-02-01", "2020-03-31")
    assert urs(guest, produced) == ["MADE.1", "MADE.2"]
    assert urs(guest, GRANULES.provider("MADEUP").provider_insert_date("2018-01-01")) == MADE
    assert urs(guest, GRANULES.provider("MADEUP").inserted(stop="2000-01-01")) == []
    assert urs(guest, GRANULES.provider("MADEUP").updated("2000-01-01")) == MADE
    crossed = GRANULES.equator_crossing_date("2020-03-01", "2020-04-30")
    assert urs(guest, crossed) == ["MADE.2", "MADE.3"]


def test_numbers_flags_and_orbits(guest):
    in_ds1 = GRANULES.dataset_id("DS 1")
    assert urs(guest, in_ds1.cloud_cover(30, 70)) == ["MADE.2", "MADE.3"]
    assert urs(guest, in_ds1.day_night("NIGHT")) == ["MADE.1", "MADE.3"]
    assert urs(guest, GRANULES.orbit_number(1002)) == ["MADE.2"]
    assert urs(guest, GRANULES.orbit_number(lower=1003)) == ["MADE.3", "MADE.4"]
    assert urs(guest, GRANULES.orbit_number(1005)) == ["MADE.4"]
    assert urs(guest, GRANULES.equator_crossing_longitude(-100, 10)) == ["MADE.1", "MADE.2"]
    assert urs(guest, GRANULES.equator_crossing_longitude(170, -160)) == ["MADE.0", "MADE.4"]
    assert urs(guest, in_ds1.online_only()) == []
    assert urs(guest, in_ds1.browse_only()) == []
    assert urs(guest, in_ds1.not_().browse_only()) == MADE


def test_spatial_shapes(guest):
    airs = next(u for u in urs(guest, GRANULES.bounding_box(0, 0, 1, 1)) if "AIRX3STD" in u)
    assert urs(guest, GRANULES.bounding_box(179.5, 49, 180, 50.5)) == sorted([AST_UR, airs])
    assert urs(guest, GRANULES.bounding_box(170, 49, -170, 51)) == sorted([AST_UR, airs])
    made = GRANULES.provider("MADEUP")
    assert urs(guest, made.point(12, 2)) == ["MADE.2"]
    assert urs(guest, made.line((-7, 2), (3, 2))) == ["MADE.0", "MADE.1"]
    ring = [(21, 1), (24, 1), (24, 4), (21, 4), (21, 1)]
    assert urs(guest, made.polygon(ring)) == ["MADE.3"]


def test_two_d_coordinates(guest):
    every = (None, None)
    assert urs(guest, GRANULES.two_d_coordinates("WRS-2", 12, every)) == ["MADE.1"]
    assert urs(guest, GRANULES.two_d_coordinates("WRS-2", every, (100, 101))) == [
        "MADE.0",
        "MADE.1",
    ]
    assert urs(guest, GRANULES.two_d_coordinates("WRS-2", 12, 103)) == []
    assert names(guest, COLLECTIONS.two_d_coordinate_system_name("WRS%", pattern=True)) == ["C1"]


def test_platforms_instruments_sensors_and_campaigns(guest):
    assert names(guest, COLLECTIONS.platform("TERRA")) == ["C1"]
    assert "AST_L1A" in names(guest, COLLECTIONS.platform("TERRA", "AM-1"))
    assert names(guest, COLLECTIONS.platform("TERRA", "AM-1", every=True)) == []
    assert names(guest, COLLECTIONS.instrument("ASTER", every=True)) == ["AST_L1A"]
    assert names(guest, COLLECTIONS.provider("MADEUP").instrument("MODIS")) == ["C1"]
    assert names(guest, COLLECTIONS.provider("MADEUP").sensor("none")) == []
    assert names(guest, COLLECTIONS.provider("MADEUP").campaign("none")) == []


def test_collection_keywords_and_attributes(guest):
    assert names(guest, COLLECTIONS.temporal_keywords("Summer")) == ["C1"]
    cloud = {"category": "EARTH SCIENCE", "term": "CLOUDS", "variable_level_2": "CLOUD FREQUENCY"}
    assert names(guest, COLLECTIONS.science_keywords(cloud)) == ["AIRX3STD"]
    assert names(guest, COLLECTIONS.science_keywords({"any": "METHANE"})) == ["AIRX3STD"]
    wrong = {"term": "CLOUDS", "variable_level_1": "OZONE"}
    assert names(guest, COLLECTIONS.science_keywords(wrong, {"any": "METHANE"})) == ["AIRX3STD"]
    assert names(guest, COLLECTIONS.science_keywords(wrong, {"any": "METHANE"}, every=True)) == []
    assert names(guest, COLLECTIONS.additional_attribute_names("band")) == ["C2"]
    assert names(guest, COLLECTIONS.additional_attributes(("band", (5, 20)))) == ["C2"]
    assert names(guest, COLLECTIONS.additional_attributes(("band", 7))) == ["C2"]
    assert names(guest, COLLECTIONS.provider("MADEUP").spatial_keywords("none")) == []
    for level in (
        COLLECTIONS.processing_level,
        COLLECTIONS.archive_center,
        COLLECTIONS.dif_entry_id,
    ):
        assert names(guest, level("no such")) == []
    assert "AST_L1A" in names(guest, COLLECTIONS.inserted("2000-01-01").updated(stop="2100-01-01"))


def test_granule_attributes_and_measured_parameters(guest):
    def found(*attributes, every=True):
        return urs(guest, GRANULES.additional_attributes(*attributes, every=every))

    assert found(("ASTERProcessingCenter", "GDS")) == [AST_UR]
    assert found(("ASTERVNIRPointingAngle", (8.5, 8.6))) == [AST_UR]
    assert found(("ASTERVNIRPointingAngle", (8.6, None))) == []
    assert found(("UpperLeftQuadCloudCoverage", 100)) == [AST_UR]
    assert found(("UpperLeftQuadCloudCoverage", (None, 99))) == []
    both = [("ASTERProcessingCenter", "GDS"), ("nothing", "x")]
    assert found(*both) == [] and found(*both, every=False) == [AST_UR]
    assert found(("nothing", datetime(2020, 1, 1))) == []
    assert found(("nothing", (time(1, 0, 0), time(2, 0, 0)))) == []
    skin = "Surface Skin Temperature"
    passed = urs(guest, GRANULES.measured_parameter(skin, automatic_quality_flag="Passed"))
    assert len(passed) == 1 and passed[0].startswith("AIRX3STD")
    assert urs(guest, GRANULES.measured_parameter(skin, automatic_quality_flag="Failed")) == []


def _server_words(session: Session, query_text: str) -> str:
    """What the server says of a query sent as written (bypassing the builder's checks)."""
    message = (
        f"<CatalogService><ExecuteQueryRequest>{query_text}</ExecuteQueryRequest></CatalogService>"
    )
    with pytest.raises(InvalidValue) as refused:
        session.perform_xml(message)
    return refused.value.message


@pytest.mark.parametrize(
    ("build", "sent"),
    [
        (lambda q: q.point(10, 91), "<spatial><IIMSPoint long='10' lat='91'/></spatial>"),
        (lambda q: q.point(-181, 0), "<spatial><IIMSPoint long='-181' lat='0'/></spatial>"),
        (
            lambda q: q.bounding_box(0, 10, 5, 5),
            "<spatial><IIMSBox><IIMSPoint long='0' lat='10'/><IIMSPoint long='5' lat='5'/>"
            "</IIMSBox></spatial>",
        ),
        (
            lambda q: q.cloud_cover(0, 110),
            "<cloudCover><range lower='0' upper='110'/></cloudCover>",
        ),
        (
            lambda q: q.cloud_cover(50, 10),
            "<cloudCover><range lower='50' upper='10'/></cloudCover>",
        ),
        (
            lambda q: q.temporal("2020-02-01", "2020-01-01"),
            "<temporal><startDate><Date YYYY='2020' MM='2' DD='1'/></startDate><stopDate>"
            "<Date YYYY='2020' MM='1' DD='1'/></stopDate></temporal>",
        ),
        (
            lambda q: q.equator_crossing_longitude(200, 10),
            "<equatorCrossingLongitude><range lower='200' upper='10'/></equatorCrossingLongitude>",
        ),
    ],
)
def test_refused_before_sending_in_the_server_words(guest, build, sent):
    with pytest.raises(InvalidValue) as refused:
        build(GRANULES)
    query = (
        '<query><for value="granules"/><dataCenterId><all/></dataCenterId><where>'
        f"<granuleCondition>{sent}</granuleCondition></where></query>"
    )
    assert refused.value.message == _server_words(guest, query)


def test_a_condition_the_query_kind_does_not_take_is_refused(guest):
    with pytest.raises(InvalidValue, match=r"collectionCondition: expected .* got cloudCover"):
        COLLECTIONS.cloud_cover(0, 10)
    with pytest.raises(InvalidValue, match="got noSuchCondition"):
        GRANULES.condition(etree.Element("noSuchCondition"))
    with pytest.raises(InvalidXML, match="noSuchCondition"):  # the server says so too
        guest.perform_xml(
            '<CatalogService><ExecuteQueryRequest><query><for value="granules"/><dataCenterId>'
            "<all/></dataCenterId><where><granuleCondition><noSuchCondition/></granuleCondition>"
            "</where></query></ExecuteQueryRequest></CatalogService>"
        )


def test_every_query_the_builder_makes_follows_aql_dtd(guest):
    """The builder's output is valid AQL whatever the condition (the server validates it)."""
    query = (
        GRANULES.provider("MADEUP", "PODAAC")
        .short_name("C1", case_insensitive=True)
        .not_()
        .day_night("DAY")
        .measured_parameter("x", science_quality_flag=["a", "b"], cloud_cover=(0, 5))
        .additional_attributes(("a", 1.5), ("b", (1.5, 2.5)), ("c", datetime(2020, 1, 1)))
        .additional_attributes(("d", (datetime(2020, 1, 1), None)), ("e", time(3, 4, 5)))
    )
    assert guest.catalog.hits(query) == 0
