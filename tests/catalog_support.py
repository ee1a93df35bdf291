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
    return (f'<query><for value="{target}"/><dataCenterId>{providers}</dataCenterId>'
            f"<where>{where}</where></query>")  # fmt: skip


OPTIONS = ["ResultType", "IteratorSize", "Cursor", "MaxResults", "ResultFormat", "SortBy"]


def _options(options: dict) -> str:
    return "".join(f"<{k}>{options[k]}</{k}>" for k in OPTIONS if k in options)


def run(client, query: str, token=None, **options) -> etree._Element:
    extra = _options(options)
    return performed(client, token, CATALOG,
                     f"<ExecuteQueryRequest>{query}{extra}</ExecuteQueryRequest>")  # fmt: skip


def ids(response: etree._Element) -> list[str]:
    return [r.get("itemId") for r in response.iterfind("Results/Result")]


def urs(response) -> list[str]:
    return [r.findtext("Granule/GranuleUR") for r in response.iterfind("Results/Result")]


def refused(client, query: str, code="InvalidValue", status=400, token=None, **options):
    extra = _options(options)
    return error(perform(client, token, CATALOG,
                         f"<ExecuteQueryRequest>{query}{extra}</ExecuteQueryRequest>"),
                 status, code)  # fmt: skip


def load_catalog(db, session, tmp_path):
    """The real samples (PODAAC) and made-up records (MADEUP: DS 1 with five granules)."""
    provider(session, "PODAAC")
    provider(session, "MADEUP")
    files = [
        ("PODAAC", "CollectionMetaDataFile", {"Collections": [sample(n) for n in COLLECTIONS]}),
        ("PODAAC", "GranuleMetaDataFile", {"Granules": [sample(n) for n in GRANULES]}),
        ("MADEUP", "CollectionMetaDataFile", {"Collections": [
            collection("C1", dataset="DS 1", extra="<Platforms><Platform><ShortName>TERRA"
                       "</ShortName><LongName>T</LongName><Type>S</Type><Instruments><Instrument>"
                       "<ShortName>MODIS</ShortName></Instrument></Instruments></Platform>"
                       "</Platforms>".replace("<Platforms>", "<Platforms>", 1)),
            collection("C2", dataset="DS 2", extra="<AdditionalAttributes><AdditionalAttribute>"
                       "<Name>band</Name><DataType>INT</DataType><Description>d</Description>"
                       "<ParameterRangeBegin>1</ParameterRangeBegin><ParameterRangeEnd>10"
                       "</ParameterRangeEnd></AdditionalAttribute></AdditionalAttributes>")]}),
        ("MADEUP", "GranuleMetaDataFile", {"Granules": [
            granule(f"MADE.{n}", extra=_granule_extra(n)) for n in range(5)]}),
    ]  # fmt: skip
    for number, (provider_id, root, sections) in enumerate(files):
        report = ingest_file(db, write(tmp_path, f"f{number}.xml", wrap(root, sections)),
                             provider_id)  # fmt: skip
        assert report.processed == report.inserted, report.text
    return db


def _granule_extra(n: int) -> str:
    lon = -10 + 10 * n
    return (
        f"<DataGranule><ProducerGranuleId>prod-{n}.hdf</ProducerGranuleId><DayNightFlag>"
        f"{'DAY' if n % 2 == 0 else 'NIGHT'}</DayNightFlag><ProductionDateTime>2020-01-01T00:00:00Z"
        f"</ProductionDateTime></DataGranule><Temporal><RangeDateTime><BeginningDateTime>"
        f"2020-0{n + 1}-10T00:00:00Z</BeginningDateTime><EndingDateTime>2020-0{n + 1}-11T00:00:00Z"
        f"</EndingDateTime></RangeDateTime></Temporal>"
        + polygon([(lon, 0), (lon, 5), (lon + 5, 5), (lon + 5, 0), (lon, 0)])
        + "<OrbitCalculatedSpatialDomains><OrbitCalculatedSpatialDomain><OrbitNumber>"
        + f"{1000 + n}</OrbitNumber></OrbitCalculatedSpatialDomain></OrbitCalculatedSpatialDomains>"
        + (f"<CloudCover>{20 * n}</CloudCover>")
    )
