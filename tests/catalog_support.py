"""Searching in tests: AQL queries built and run through CatalogService, and a small catalog
(the real samples and made-up records) to search."""

from __future__ import annotations

from lxml import etree

from ingest.pipeline import ingest_file
from tests.api_support import error, perform, performed, provider
from tests.ingest_support import (
    COLLECTIONS,
    GRANULES,
    collection,
    granule,
    polygon,
    sample,
    wrap,
    write,
)

CATALOG = "CatalogService"
AST_UR = "SC:AST_L1A.003:2242022926"


def aql(target: str, *conditions: str, providers: str = "<all/>") -> str:
    kind = "collectionCondition" if target == "collections" else "granuleCondition"
    whole = ("<granuleCondition", "<collectionCondition")
    where = "".join(c if c.startswith(whole) else f"<{kind}>{c}</{kind}>" for c in conditions)
    return (
        f'<query><for value="{target}"/><dataCenterId>{providers}</dataCenterId>'
        f"<where>{where}</where></query>"
    )


OPTIONS = ["ResultType", "IteratorSize", "Cursor", "MaxResults", "ResultFormat", "SortBy"]


def _options(options: dict) -> str:
    return "".join(f"<{k}>{options[k]}</{k}>" for k in OPTIONS if k in options)


def run(client, query: str, token=None, **options) -> etree._Element:
    extra = _options(options)
    return performed(
        client, token, CATALOG, f"<ExecuteQueryRequest>{query}{extra}</ExecuteQueryRequest>"
    )


def ids(response: etree._Element) -> list[str]:
    return [r.get("itemId") for r in response.iterfind("Results/Result")]


def urs(response) -> list[str]:
    return [r.findtext("Granule/GranuleUR") for r in response.iterfind("Results/Result")]


def refused(client, query: str, code="InvalidValue", status=400, token=None, **options):
    extra = _options(options)
    return error(
        perform(
            client, token, CATALOG, f"<ExecuteQueryRequest>{query}{extra}</ExecuteQueryRequest>"
        ),
        status,
        code,
    )


def load_catalog(db, session, tmp_path):
    """The real samples (PODAAC) and made-up records (MADEUP: DS 1 with five granules)."""
    provider(session, "PODAAC")
    provider(session, "MADEUP")
    files = [
        ("PODAAC", "CollectionMetaDataFile", {"Collections": [sample(n) for n in COLLECTIONS]}),
        ("PODAAC", "GranuleMetaDataFile", {"Granules": [sample(n) for n in GRANULES]}),
        (
            "MADEUP",
            "CollectionMetaDataFile",
            {
                "Collections": [
                    collection(
                        "C1",
                        dataset="DS 1",
                        extra="<TemporalKeywords><Keyword>Summer</Keyword>"
                        "</TemporalKeywords><Platforms><Platform><ShortName>TERRA"
                        "</ShortName><LongName>T</LongName><Type>S</Type><Instruments><Instrument>"
                        "<ShortName>MODIS</ShortName></Instrument></Instruments></Platform>"
                        "</Platforms><TwoDCoordinateSystems><TwoDCoordinateSystem>"
                        "<TwoDCoordinateSystemName>WRS-2</TwoDCoordinateSystemName><Coordinate1/>"
                        "<Coordinate2/></TwoDCoordinateSystem></TwoDCoordinateSystems>",
                    ),
                    collection(
                        "C2",
                        dataset="DS 2",
                        extra="<AdditionalAttributes><AdditionalAttribute>"
                        "<Name>band</Name><DataType>INT</DataType><Description>d</Description>"
                        "<ParameterRangeBegin>1</ParameterRangeBegin><ParameterRangeEnd>10"
                        "</ParameterRangeEnd></AdditionalAttribute></AdditionalAttributes>",
                    ),
                ]
            },
        ),
        (
            "MADEUP",
            "GranuleMetaDataFile",
            {"Granules": [granule(f"MADE.{n}", extra=_granule_extra(n)) for n in range(5)]},
        ),
    ]
    for number, (provider_id, root, sections) in enumerate(files):
        report = ingest_file(
            db, write(tmp_path, f"f{number}.xml", wrap(root, sections)), provider_id
        )
        assert report.processed == report.inserted, report.text
    return db


def _granule_extra(n: int) -> str:
    """MADE.n: a 5° square from longitude 10n − 10 along the equator, on the 10th of month n + 1,
    PGE MADEPGE n.0, WRS-2 path 10n to 10n + 5 (MADE.4: 40 alone) and row 100 + n, its orbit 1000
    + n (MADE.4: orbits 1004 to 1006) crossing the equator at -170, -90, 0, 90, 175° on the 10th
    at noon."""
    lon = -10 + 10 * n
    end1 = "" if n == 4 else f"<EndCoordinate1>{10 * n + 5}</EndCoordinate1>"
    return (
        f"<DataGranule><ProducerGranuleId>prod-{n}.hdf</ProducerGranuleId><DayNightFlag>"
        f"{'DAY' if n % 2 == 0 else 'NIGHT'}</DayNightFlag><ProductionDateTime>"
        f"2020-0{n + 1}-15T00:00:00Z</ProductionDateTime></DataGranule>"
        f"<PGEVersionClass><PGEName>MADEPGE</PGEName><PGEVersion>{n}.0</PGEVersion>"
        f"</PGEVersionClass><Temporal><RangeDateTime><BeginningDateTime>"
        f"2020-0{n + 1}-10T00:00:00Z</BeginningDateTime><EndingDateTime>2020-0{n + 1}-11T00:00:00Z"
        f"</EndingDateTime></RangeDateTime></Temporal>"
        + polygon([(lon, 0), (lon, 5), (lon + 5, 5), (lon + 5, 0), (lon, 0)])
        + "<OrbitCalculatedSpatialDomains><OrbitCalculatedSpatialDomain>"
        + (
            f"<OrbitNumber>{1000 + n}</OrbitNumber>"
            if n < 4
            else "<StartOrbitNumber>1004</StartOrbitNumber><StopOrbitNumber>1006</StopOrbitNumber>"
        )
        + f"<EquatorCrossingLongitude>{[-170, -90, 0, 90, 175][n]}"
        + f"</EquatorCrossingLongitude><EquatorCrossingDateTime>2020-0{n + 1}-10T12:00:00Z"
        + "</EquatorCrossingDateTime></OrbitCalculatedSpatialDomain>"
        + "</OrbitCalculatedSpatialDomains>"
        + f"<TwoDCoordinateSystem><StartCoordinate1>{10 * n}</StartCoordinate1>{end1}"
        + f"<StartCoordinate2>{100 + n}</StartCoordinate2><TwoDCoordinateSystemName>WRS-2"
        + "</TwoDCoordinateSystemName></TwoDCoordinateSystem>"
        + (f"<CloudCover>{20 * n}</CloudCover>")
    )
