"""CatalogService: AQL over the ingested catalog, result sets and paging, and precise errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ingest.pipeline import ingest_file
from tests.api_support import act_for, error, login, perform, performed, user
from tests.catalog_support import AST_UR, CATALOG, aql, refused, run, urs
from tests.ingest_support import (
    granule,
    wrap,
    write,
)


def test_a_guest_finds_collections_by_name(client, catalog):
    found = run(client, aql("collections", "<shortName><value>AST_L1A</value></shortName>"))
    assert found.findtext("Hits") == "1" and found.find("Hits").get("estimated") == "false"
    (result,) = found.iterfind("Results/Result")
    assert result.get("itemId").startswith("C") and result.get("itemId").endswith("-PODAAC")
    assert result.findtext("Collection/ShortName") == "AST_L1A"
    assert result.findtext("Collection/VersionId") == "003"


def test_text_patterns_lists_and_case(client, catalog):
    def short_names(condition):
        found = run(client, aql("collections", condition), IteratorSize=50)
        return sorted(r.findtext("Collection/ShortName") for r in found.iterfind("Results/Result"))

    assert short_names("<shortName><textPattern>AST%</textPattern></shortName>") == ["AST_L1A"]
    assert short_names("<shortName><textPattern>C_</textPattern></shortName>") == ["C1", "C2"]
    assert short_names("<shortName><textPattern>ast%</textPattern></shortName>") == []
    assert short_names(
        '<shortName><textPattern caseInsensitive="Y">ast%</textPattern></shortName>'
    ) == ["AST_L1A"]
    assert short_names(
        "<shortName><list><value>C1</value><value>AIRX3STD</value></list></shortName>"
    ) == ["AIRX3STD", "C1"]
    assert short_names(r"<shortName><textPattern>AST\_L1A</textPattern></shortName>") == ["AST_L1A"]
    assert short_names('<shortName><value caseInsensitive="y">c1</value></shortName>') == ["C1"]


def test_providers_and_negation(client, catalog):
    found = run(client, aql("collections", providers="<value>MADEUP</value>"), IteratorSize=50)
    assert found.findtext("Hits") == "2"
    negated = run(
        client,
        aql(
            "collections",
            '<collectionCondition negated="Y"><shortName>'
            "<value>C1</value></shortName></collectionCondition>",
            providers="<value>MADEUP</value>",
        ),
    )
    assert [r.findtext("Collection/ShortName") for r in negated.iterfind("Results/Result")] == [
        "C2"
    ]


def test_granules_by_spatial_across_the_antimeridian(client, catalog):
    def box(west, south, east, north):
        return (
            f'<spatial operator="RELATE"><IIMSBox><IIMSPoint long="{west}" lat="{south}"/>'
            f'<IIMSPoint long="{east}" lat="{north}"/></IIMSBox></spatial>'
        )

    def found(*area):
        return set(urs(run(client, aql("granules", box(*area)), IteratorSize=50)))

    airs = next(u for u in found(0, 0, 1, 1) if u.startswith("AIRX3STD"))  # global: everywhere
    assert found(179.5, 49, 180, 50.5) == {AST_UR, airs}
    assert found(-180, 49, -179.5, 50.5) == {AST_UR, airs}
    assert found(0, 49, 1, 50.5) == {airs}
    assert found(170, 49, -170, 51) == {AST_UR, airs}  # west > east: across the antimeridian


def test_granules_by_collection_temporal_cloud_and_day_night(client, catalog):
    def found(*conditions):
        return sorted(urs(run(client, aql("granules", *conditions), IteratorSize=50)))

    in_ds1 = "<dataSetId><value>DS 1</value></dataSetId>"
    assert found(in_ds1) == [f"MADE.{n}" for n in range(5)]
    assert found("<collectionShortName><value>C1</value></collectionShortName>") == found(in_ds1)
    assert found(
        in_ds1,
        "<temporal><startDate><Date YYYY='2020' MM='02' DD='01'/></startDate>"
        "<stopDate><Date YYYY='2020' MM='03' DD='31'/></stopDate></temporal>",
    ) == ["MADE.1", "MADE.2"]
    assert found(in_ds1, "<cloudCover><range lower='30' upper='70'/></cloudCover>") == [
        "MADE.2",
        "MADE.3",
    ]
    assert found(in_ds1, "<dayNightFlag value='NIGHT'/>") == ["MADE.1", "MADE.3"]
    assert found("<orbitNumber><value>1002</value></orbitNumber>") == ["MADE.2"]
    assert found("<orbitNumber><range lower='1003'/></orbitNumber>") == ["MADE.3", "MADE.4"]
    assert found("<orbitNumber><value>1005</value></orbitNumber>") == ["MADE.4"]  # 1004 to 1006
    assert found("<orbitNumber><range lower='1006.5' upper='1100'/></orbitNumber>") == []
    assert found("<orbitNumber><range upper='1000.5'/></orbitNumber>") == ["MADE.0"]
    assert found(
        "<GranuleUR><patternList><value>MADE.0</value><textPattern>MADE.4%</textPattern>"
        "</patternList></GranuleUR>"
    ) == ["MADE.0", "MADE.4"]
    assert found("<ProducerGranuleID><textPattern>prod-3%</textPattern></ProducerGranuleID>") == [
        "MADE.3"
    ]


def test_recurring_temporal_window(client, catalog):
    # Days 40 to 80 of each year from 2019 to 2021: mid-February to late March.
    found = urs(
        run(
            client,
            aql(
                "granules",
                "<temporal><startDate><Date YYYY='2019' MM='1' DD='1'/>"
                "</startDate><stopDate><Date YYYY='2021' MM='12' DD='31'/>"
                "</stopDate><startDay value='40'/><endDay value='80'/></temporal>",
            ),
            IteratorSize=50,
        )
    )
    assert sorted(found) == ["MADE.1", "MADE.2"]


def test_platforms_and_instruments_with_and_or(client, catalog):
    def collections(condition):
        found = run(client, aql("collections", condition), IteratorSize=50)
        return sorted(r.findtext("Collection/ShortName") for r in found.iterfind("Results/Result"))

    assert collections("<sourceName><value>TERRA</value></sourceName>") == ["C1"]
    assert collections("<sourceName><value>terra</value></sourceName>") == []
    assert collections('<sourceName><value caseInsensitive="Y">terra</value></sourceName>') == [
        "C1"
    ]
    assert collections("<sourceName><textPattern>TER%</textPattern></sourceName>") == ["C1"]
    either = "<list><value>TERRA</value><value>AM-1</value></list>"
    assert "AST_L1A" in collections(f"<sourceName operator='OR'>{either}</sourceName>")
    assert (
        collections(
            "<sourceName operator='AND'><list><value>TERRA</value><value>AM-1</value>"
            "</list></sourceName>"
        )
        == []
    )
    assert collections(
        "<instrumentShortName operator='AND'><list><value>ASTER</value>"
        "</list></instrumentShortName>"
    ) == ["AST_L1A"]
    # Granules match their collection's platforms.
    granules = urs(
        run(
            client,
            aql("granules", "<sourceName><value>TERRA</value></sourceName>"),
            IteratorSize=50,
        )
    )
    assert sorted(granules) == [f"MADE.{n}" for n in range(5)]


def test_a_restricted_collection_and_its_granules_are_hidden(client, session, catalog):
    user(session, "partner", providers=["MADEUP"])
    user(session, "insider")
    user(session, "outsider")
    partner = login(client, "partner")
    act_for(client, partner, "MADEUP")
    performed(
        client,
        partner,
        "GroupManagementService",
        "<CreateGroupRequest><GroupName>made insiders</GroupName></CreateGroupRequest>",
    )
    performed(
        client,
        partner,
        "GroupManagementService",
        "<AddGroupMembersRequest><GroupName>made insiders</GroupName><UserName>insider"
        "</UserName></AddGroupMembersRequest>",
    )
    performed(
        client,
        partner,
        "GroupManagementService",
        "<GrantAccessRequest><Collection><DataSetId>DS 1</DataSetId></Collection>"
        "<Permission>READ</Permission><Grantee><GroupName>made insiders</GroupName>"
        "</Grantee></GrantAccessRequest>",
    )
    granules = aql("granules", "<dataSetId><value>DS 1</value></dataSetId>")
    ds1 = aql("collections", "<dataSetId><value>DS 1</value></dataSetId>")
    for token in (None, login(client, "outsider")):
        assert run(client, granules, token).findtext("Hits") == "0"
        assert run(client, ds1, token).findtext("Hits") == "0"
    assert run(client, granules, login(client, "insider")).findtext("Hits") == "5"
    assert run(client, ds1, partner).findtext("Hits") == "1"


def test_paging_is_stable_while_ingest_runs(client, catalog, db, tmp_path, session):
    query = aql("granules", "<dataSetId><value>DS 1</value></dataSetId>")
    first = run(client, query, IteratorSize=2)
    guid = first.findtext("ResultSetGuid")
    assert first.findtext("Hits") == "5" and first.findtext("Cursor") == "1"
    seen = urs(first)
    # New granules arrive and one seen already is deleted while the client pages on.
    ingest_file(
        db,
        write(
            tmp_path,
            "more.xml",
            wrap(
                "GranuleMetaDataFile",
                {
                    "Granules": [granule(f"MADE.0{n}") for n in range(3)],
                    "GranuleDeletes": [
                        "<GranuleDelete><GranuleUR>MADE.0</GranuleUR></GranuleDelete>"
                    ],
                },
            ),
        ),
        "MADEUP",
    )
    # They arrived after the result set was made (the test's one transaction gives every row the
    # same now(); a real ingest commits later than the query).
    session.execute(
        text(
            "UPDATE granules SET created_at = clock_timestamp() + interval '1 s'"
            " WHERE granule_ur LIKE 'MADE.0_'"
        )
    )
    session.commit()
    while True:
        page = performed(
            client,
            None,
            CATALOG,
            f"<GetQueryResultsRequest><ResultSetGuid>{guid}</ResultSetGuid>"
            "<IteratorSize>2</IteratorSize></GetQueryResultsRequest>",
        )
        if page.findtext("ItemsReturned") == "0":
            break
        seen += urs(page)
    assert sorted(seen) == [f"MADE.{n}" for n in range(5)]  # nothing new, nothing twice
    # A jump back reads from the start.
    again = performed(
        client,
        None,
        CATALOG,
        f"<GetQueryResultsRequest><ResultSetGuid>{guid}</ResultSetGuid><IteratorSize>"
        "2</IteratorSize><Cursor>3</Cursor></GetQueryResultsRequest>",
    )
    assert len(urs(again)) == 2


def test_hits_only_brief_results_and_sorting(client, catalog):
    query = aql("granules", "<dataSetId><value>DS 1</value></dataSetId>")
    hits = run(client, query, ResultType="HITS")
    assert hits.findtext("Hits") == "5" and hits.find("Results") is None
    brief = run(client, query, ResultFormat="BRIEF", SortBy="start_time", IteratorSize=5)
    results = list(brief.iterfind("Results/Result"))
    assert [r.findtext("GranuleUR") for r in results] == [f"MADE.{n}" for n in range(5)]
    assert results[0].findtext("DataSetId") == "DS 1"
    assert results[0].findtext("CollectionItemId").startswith("C")
    assert results[2].findtext("CloudCover") == "40"


def test_the_query_may_travel_as_text(client, catalog):
    query = aql("collections", "<shortName><value>C2</value></shortName>")
    found = performed(
        client,
        None,
        CATALOG,
        f"<ExecuteQueryRequest><query><![CDATA[<?xml version='1.0'?>{query}]]>"
        "</query></ExecuteQueryRequest>",
    )
    assert found.findtext("Hits") == "1"


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("<query><![CDATA[<notaql/>]]></query>", "InvalidValue", "root"),
        ("<query><![CDATA[<query><for value='granules'/>]]></query>", "MalformedXML", "AQL"),
        ("<query><for value='granules'/><where/></query>", "InvalidXML", "aql.dtd"),
        (None, "InvalidValue", "MM='13'"),
        (None, "InvalidValue", "bad escape"),
        (None, "InvalidValue", "spatial"),
        (None, "InvalidValue", "collectionCondition"),
    ],
)
def test_bad_queries_get_precise_errors(client, catalog, query, code, words):
    if query is None:
        condition = {
            "MM='13'": "<granuleCondition><temporal><startDate><Date YYYY='2020' MM='13' DD='1'/>"
            "</startDate></temporal></granuleCondition>",
            "bad escape": r"<granuleCondition><GranuleUR><textPattern>MADE\x</textPattern>"
            "</GranuleUR></granuleCondition>",
            "spatial": "<granuleCondition><spatial><IIMSPolygon><IIMSLRing>"
            "<IIMSPoint long='0' lat='0'/><IIMSPoint long='1' lat='0'/>"
            "<IIMSPoint long='1' lat='1'/><IIMSPoint long='0' lat='1'/></IIMSLRing>"
            "</IIMSPolygon></spatial></granuleCondition>",
            "collectionCondition": "<collectionCondition><shortName><value>x</value></shortName>"
            "</collectionCondition>",
        }[words]
        query = aql("granules", condition)
    fields = refused(client, query, code)
    assert words.split("=")[0] in fields["Message"] or words in fields["Message"], fields


def test_page_size_and_result_sets(client, catalog, session):
    query = aql("collections")
    fields = refused(client, query, IteratorSize=2001)
    assert "2000" in fields["Message"]
    error(
        perform(
            client,
            None,
            CATALOG,
            "<GetQueryResultsRequest><ResultSetGuid>"
            "5b0c8a4e-1111-4222-8333-944444444444</ResultSetGuid></GetQueryResultsRequest>",
        ),
        404,
        "NotFound",
    )
    guid = run(client, query).findtext("ResultSetGuid")
    # Another session does not see it.
    user(session, "someone")
    error(
        perform(
            client,
            login(client, "someone"),
            CATALOG,
            f"<GetQueryResultsRequest><ResultSetGuid>{guid}</ResultSetGuid>"
            "</GetQueryResultsRequest>",
        ),
        404,
        "NotFound",
    )
    session.execute(
        text("UPDATE result_sets SET last_used_at = now() - interval '2 hours' WHERE guid = :g"),
        {"g": guid},
    )
    session.commit()
    fields = error(
        perform(
            client,
            None,
            CATALOG,
            f"<GetQueryResultsRequest><ResultSetGuid>{guid}</ResultSetGuid>"
            "</GetQueryResultsRequest>",
        ),
        404,
        "NotFound",
    )
    assert "expired" in fields["Message"]


def _collections(client, condition) -> list[str]:
    found = run(client, aql("collections", condition), IteratorSize=50)
    return sorted(r.findtext("Collection/ShortName") for r in found.iterfind("Results/Result"))


def _granules(client, condition) -> list[str]:
    return sorted(urs(run(client, aql("granules", condition), IteratorSize=50)))


def test_science_keywords(client, catalog):
    cloud = (
        "<scienceKeyword><categoryKeyword><value>EARTH SCIENCE</value></categoryKeyword>"
        "<termKeyword><value>CLOUDS</value></termKeyword><variableLevel2Keyword><value>"
        "CLOUD FREQUENCY</value></variableLevel2Keyword></scienceKeyword>"
    )
    assert _collections(client, f"<scienceKeywords>{cloud}</scienceKeywords>") == ["AIRX3STD"]
    methane = "<scienceKeyword><anyKeyword><value>METHANE</value></anyKeyword></scienceKeyword>"
    assert _collections(client, f"<scienceKeywords>{methane}</scienceKeywords>") == ["AIRX3STD"]
    wrong = (
        "<scienceKeyword><termKeyword><value>CLOUDS</value></termKeyword>"
        "<variableLevel1Keyword><value>OZONE</value></variableLevel1Keyword></scienceKeyword>"
    )
    assert _collections(client, f"<scienceKeywords>{wrong}</scienceKeywords>") == []  # one keyword
    assert _collections(
        client, f"<scienceKeywords operator='OR'>{wrong}{methane}</scienceKeywords>"
    ) == ["AIRX3STD"]
    assert (
        _collections(client, f"<scienceKeywords operator='AND'>{wrong}{methane}</scienceKeywords>")
        == []
    )


def _attribute(name: str, value: str) -> str:
    return (
        f"<additionalAttribute><additionalAttributeName>{name}</additionalAttributeName>"
        f"<additionalAttributeValue>{value}</additionalAttributeValue></additionalAttribute>"
    )


def test_additional_attributes_typed(client, catalog):
    def granules(*attributes, operator="AND"):
        return _granules(
            client,
            f"<additionalAttributes operator='{operator}'>"
            + "".join(_attribute(*a) for a in attributes)
            + "</additionalAttributes>",
        )

    assert granules(("ASTERProcessingCenter", "<value>GDS</value>")) == [AST_UR]
    assert granules(("ASTERReceivingCenter", "<textPattern>ED%</textPattern>")) == [AST_UR]
    assert granules(("ASTERVNIRPointingAngle", "<floatRange lower='8.5' upper='8.6'/>")) == [AST_UR]
    assert granules(("ASTERVNIRPointingAngle", "<floatRange lower='8.6'/>")) == []
    assert granules(("UpperLeftQuadCloudCoverage", "<int>100</int>")) == [AST_UR]
    assert granules(("UpperLeftQuadCloudCoverage", "<intRange upper='99'/>")) == []
    assert granules(("ASTERProcessingCenter", "<int>3</int>")) == []  # GDS is no number
    both = [("ASTERProcessingCenter", "<value>GDS</value>"), ("nothing", "<value>x</value>")]
    assert granules(*both, operator="AND") == []
    assert granules(*both, operator="OR") == [AST_UR]

    def collections(value):
        return _collections(
            client, f"<additionalAttributes>{_attribute('band', value)}</additionalAttributes>"
        )

    assert collections("<intRange lower='5' upper='20'/>") == ["C2"]  # meets its range 1–10
    assert collections("<int>7</int>") == ["C2"]
    assert collections("<intRange lower='11'/>") == []
    assert _collections(
        client,
        "<additionalAttributes>"
        + _attribute("OPeNDAPServer", "<textPattern>http://acdisc%</textPattern>")
        + "</additionalAttributes>",
    ) == ["AIRX3STD"]
    assert _collections(
        client, "<additionalAttributeNames><value>band</value></additionalAttributeNames>"
    ) == ["C2"]


def test_measured_parameters_with_qa_flags(client, catalog):
    def granules(parameter):
        return _granules(
            client,
            f"<measuredParameters><measuredParameter>{parameter}"
            "</measuredParameter></measuredParameters>",
        )

    skin = "<measuredParameterName>Surface Skin Temperature</measuredParameterName>"
    found = granules(skin + "<automaticQualityFlag><value>Passed</value></automaticQualityFlag>")
    assert len(found) == 1 and found[0].startswith("AIRX3STD")
    assert (
        granules(skin + "<automaticQualityFlag><value>Failed</value></automaticQualityFlag>") == []
    )
    assert granules("<measuredParameterName>Nothing</measuredParameterName>") == []


def test_bad_typed_values(client, catalog):
    for value, words in (
        ("<int>1.5</int>", "whole number"),
        ("<floatRange lower='x'/>", "number"),
        ("<time HH='25' MI='0' SS='0'/>", "HH"),
        ("<Date YYYY='2020' MM='2' DD='30'/>", "not a date"),
    ):
        fields = refused(
            client,
            aql(
                "granules",
                "<additionalAttributes>" + _attribute("a", value) + "</additionalAttributes>",
            ),
        )
        assert words in fields["Message"], fields


def test_a_hit_count_over_the_exact_limit_is_an_estimate(client, catalog, monkeypatch):
    from clearinghouse.catalog import search

    monkeypatch.setattr(search, "EXACT_COUNT_LIMIT", 2)  # five hits: over it
    since_2019 = "<temporal><startDate><Date YYYY='2019' MM='1' DD='1'/></startDate></temporal>"
    query = aql(
        "granules",
        "<dataSetId><value>DS 1</value></dataSetId>",
        since_2019,
        "<dayNightFlag value='DAY'/>",
    )
    found = run(client, query, IteratorSize=1)
    assert found.find("Hits").get("estimated") == "true"
    assert int(found.findtext("Hits")) >= 3  # never below what was counted
    # Expected to be many: not even counted.
    monkeypatch.setattr(search, "EXACT_COUNT_LIMIT", 100)
    monkeypatch.setattr(search, "COUNT_EXPECTED_LIMIT", 0)
    found = run(client, query, IteratorSize=1)
    assert found.find("Hits").get("estimated") == "true" and int(found.findtext("Hits")) >= 1
    monkeypatch.setattr(search, "COUNT_EXPECTED_LIMIT", 10_000)
    found = run(client, query, IteratorSize=1)
    assert found.find("Hits").get("estimated") == "false"


def test_a_recurring_window_at_the_ends_of_the_calendar(client, catalog):
    found = run(
        client,
        aql(
            "granules",
            "<dataSetId><value>DS 1</value></dataSetId>",
            "<temporal><startDate><Date YYYY='1' MM='1' DD='1'/>"
            "</startDate><stopDate><Date YYYY='9999' MM='12' DD='31'/></stopDate>"
            "<startDay value='300'/><endDay value='20'/></temporal>",
        ),
        IteratorSize=10,
    )
    assert urs(found) == ["MADE.0"]  # 10 January: inside a window from late October to 20 January


def test_a_count_over_its_budget_gives_way_to_the_estimate(session):
    from sqlalchemy import func, select, text

    from clearinghouse.catalog import search

    slow = select(func.count()).select_from(select(func.pg_sleep(0.3)).subquery())
    assert search.within_budget(session, slow) is None  # cancelled at COUNT_BUDGET_MS
    assert search.within_budget(session, select(func.count())) == 1  # the session goes on
    assert session.scalar(text("SELECT current_setting('statement_timeout')")) == "0"
    session.execute(text("SET LOCAL statement_timeout = '5s'"))  # the transaction's own stays
    assert search.within_budget(session, slow) is None
    assert session.scalar(text("SELECT current_setting('statement_timeout')")) == "5s"
    fast = select(func.count()).select_from(select(func.pg_sleep(0.001)).subquery())
    assert search.within_budget(session, fast) == 1
    assert session.scalar(text("SELECT current_setting('statement_timeout')")) == "5s"


def test_keywords_and_coordinate_systems_of_collections(client, catalog):
    assert _collections(client, "<temporalKeywords><value>Summer</value></temporalKeywords>") == [
        "C1"
    ]
    assert _collections(client, "<temporalKeywords><value>summer</value></temporalKeywords>") == []
    assert _collections(
        client, "<temporalKeywords><value caseInsensitive='Y'>summer</value></temporalKeywords>"
    ) == ["C1"]
    assert _collections(
        client,
        "<TwoDCoordinateSystemName><textPattern>WRS%</textPattern></TwoDCoordinateSystemName>",
    ) == ["C1"]
    assert (
        _collections(
            client, "<TwoDCoordinateSystemName><value>WRS-1</value></TwoDCoordinateSystemName>"
        )
        == []
    )


def test_pge_and_production_date(client, catalog):
    airs = next(u for u in _granules(client, "<PGEVersion><value>6.0.9.0</value></PGEVersion>"))
    assert airs.startswith("AIRX3STD")  # the real sample's
    assert _granules(client, "<PGEVersion><textPattern>06.30%</textPattern></PGEVersion>") == [
        AST_UR
    ]
    assert _granules(client, "<PGEName><value>MADEPGE</value></PGEName>") == [
        f"MADE.{n}" for n in range(5)
    ]
    assert _granules(
        client, "<PGEVersion><list><value>1.0</value><value>3.0</value></list></PGEVersion>"
    ) == ["MADE.1", "MADE.3"]

    def produced(start: str, stop: str) -> list[str]:
        return _granules(
            client,
            f"<providerProductionDate><dateRange>{_dates(start, stop)}"
            "</dateRange></providerProductionDate>",
        )

    assert produced("2016-09-07", "2016-09-08") == [AST_UR]  # produced 2016-09-07T08:02:29
    assert produced("2020-02-01", "2020-03-31") == ["MADE.1", "MADE.2"]


def _dates(start: str, stop: str) -> str:
    def date(value: str) -> str:
        year, month, day = value.split("-")
        return f"<Date YYYY='{year}' MM='{month}' DD='{day}'/>"

    return f"<startDate>{date(start)}</startDate><stopDate>{date(stop)}</stopDate>"


def test_equator_crossings(client, catalog):
    def crossing(lower, upper) -> list[str]:
        return _granules(
            client,
            f"<equatorCrossingLongitude><range lower='{lower}'"
            f" upper='{upper}'/></equatorCrossingLongitude>",
        )

    assert crossing(-100, 10) == ["MADE.1", "MADE.2"]  # -90 and 0
    assert crossing(170, -160) == ["MADE.0", "MADE.4"]  # across the antimeridian: 175 and -170
    assert crossing(-180, 180) == [f"MADE.{n}" for n in range(5)]
    assert _granules(
        client,
        "<equatorCrossingDate><dateRange>"
        f"{_dates('2020-03-01', '2020-04-30')}</dateRange></equatorCrossingDate>",
    ) == ["MADE.2", "MADE.3"]
    fields = refused(
        client,
        aql(
            "granules", "<equatorCrossingLongitude><range lower='200'/></equatorCrossingLongitude>"
        ),
    )
    assert "lower='200' is not from -180 to 180" in fields["Message"]


def _two_d(coordinate1: str, coordinate2: str, name: str = "<value>WRS-2</value>") -> str:
    return (
        f"<TwoDCoordinateSystem><TwoDCoordinateSystemName>{name}</TwoDCoordinateSystemName>"
        f"<coordinate1>{coordinate1}</coordinate1><coordinate2>{coordinate2}</coordinate2>"
        "</TwoDCoordinateSystem>"
    )


def test_two_d_coordinates_of_granules(client, catalog):
    every = "<range/>"
    assert _granules(client, _two_d("<value>12</value>", every)) == ["MADE.1"]  # path 10–15
    assert _granules(client, _two_d("<value>40</value>", every)) == ["MADE.4"]  # 40 alone
    assert _granules(client, _two_d(every, "<range lower='100' upper='101'/>")) == [
        "MADE.0",
        "MADE.1",
    ]
    assert _granules(client, _two_d("<range lower='14' upper='22'/>", every)) == [
        "MADE.1",
        "MADE.2",
    ]
    assert _granules(client, _two_d("<value>12</value>", "<value>101</value>")) == ["MADE.1"]
    assert _granules(client, _two_d("<value>12</value>", "<value>103</value>")) == []
    assert _granules(client, _two_d(every, every, "<value>WRS-1</value>")) == []
    assert _granules(client, _two_d(every, every, "<value caseInsensitive='Y'>wrs-2</value>")) == [
        f"MADE.{n}" for n in range(5)
    ]
    path_12 = _two_d("<value>12</value>", every)
    negated = _granules(client, f"<granuleCondition negated='Y'>{path_12}</granuleCondition>")
    assert "MADE.1" not in negated and {"MADE.0", AST_UR} <= set(negated)
    fields = refused(
        client, aql("granules", _two_d(every, every, "<textPattern>WRS%</textPattern>"))
    )
    assert "names one coordinate system by value" in fields["Message"]
    fields = refused(client, aql("granules", _two_d("<value>x</value>", every)))
    assert "coordinate1/value: 'x' is not a number" in fields["Message"]


def test_spatial_with_two_d_coordinates(client, catalog):
    box = "<IIMSBox><IIMSPoint long='-20' lat='-1'/><IIMSPoint long='40' lat='6'/></IIMSBox>"

    def found(condition: str) -> list[str]:
        query = aql("granules", condition, providers="<value>MADEUP</value>")
        return sorted(urs(run(client, query, IteratorSize=50)))

    assert found(f"<spatial>{box}</spatial>") == [f"MADE.{n}" for n in range(5)]
    paths = _two_d("<range upper='15'/>", "<range/>")
    assert found(f"<spatial>{box}{paths}</spatial>") == ["MADE.0", "MADE.1"]
    typed = f"<spatial>{box}<SpatialType><value>HORIZONTAL</value></SpatialType></spatial>"
    fields = refused(client, aql("granules", typed), "NotSupported")
    assert "SpatialType" in fields["Message"]


@pytest.mark.parametrize("operator", ["EQUAL", "TOUCH", "WITHIN", "CONTAINS"])
def test_spatial_operators_other_than_relate_are_refused_not_ignored(client, catalog, operator):
    box = "<IIMSBox><IIMSPoint long='-20' lat='-1'/><IIMSPoint long='40' lat='6'/></IIMSBox>"
    fields = refused(
        client, aql("granules", f"<spatial operator='{operator}'>{box}</spatial>"), "NotSupported"
    )
    assert f'operator="{operator}" is not supported' in fields["Message"]
    related = aql(
        "granules", f"<spatial operator='RELATE'>{box}</spatial>", providers="<value>MADEUP</value>"
    )
    assert sorted(urs(run(client, related, IteratorSize=50))) == [f"MADE.{n}" for n in range(5)]


def test_extreme_numbers_are_answered_or_refused_never_crashed_on(client, catalog):
    assert _granules(client, "<orbitNumber><range lower='1e300'/></orbitNumber>") == []
    assert _granules(client, "<orbitNumber><value>99999999999999999999</value></orbitNumber>") == []
    assert _granules(client, _two_d("<range lower='-1e300' upper='1e300'/>", "<range/>")) == [
        f"MADE.{n}" for n in range(5)
    ]
    for condition, words in (
        (_two_d("<value>1e400</value>", "<range/>"), "not a finite number"),
        (_two_d("<value>nan</value>", "<range/>"), "not a finite number"),
        ("<equatorCrossingLongitude><range lower='nan'/></equatorCrossingLongitude>", "finite"),
        ("<orbitNumber><value>1.5</value></orbitNumber>", "not a whole number"),
    ):
        assert words in refused(client, aql("granules", condition))["Message"], condition
