"""CMR's search tests, ported: records made up as CMR's own tests make them (a few fields each),
ingested through the real pipeline, then searched over HTTP by CMR's parameters."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import ingest_file
from tests.api_support import error, provider
from tests.ingest_support import wrap, write


def platforms_xml(platforms: dict[str, dict[str, list[str]]], *, collection: bool) -> str:
    """Platforms: {platform: {instrument: [sensor…]}} (collections also need LongName, Type)."""
    out = []
    for platform, instruments in platforms.items():
        own = "<LongName>l</LongName><Type>t</Type>" if collection else ""
        parts = []
        for instrument, sensors in instruments.items():
            sensed = "".join(f"<Sensor><ShortName>{s}</ShortName></Sensor>" for s in sensors)
            parts.append(
                f"<Instrument><ShortName>{instrument}</ShortName>"
                + (f"<Sensors>{sensed}</Sensors>" if sensors else "")
                + "</Instrument>"
            )
        held = f"<Instruments>{''.join(parts)}</Instruments>" if parts else ""
        out.append(f"<Platform><ShortName>{platform}</ShortName>{own}{held}</Platform>")
    return f"<Platforms>{''.join(out)}</Platforms>"


def range_xml(start: str, end: str | None = None) -> str:
    ending = f"<EndingDateTime>{end}</EndingDateTime>" if end else ""
    return (
        f"<Temporal><RangeDateTime><BeginningDateTime>{start}</BeginningDateTime>{ending}"
        "</RangeDateTime></Temporal>"
    )


def coll(
    short: str,
    version: str = "1",
    *,
    dataset: str | None = None,
    extra: str = "",
    summary: str = "d",
) -> str:
    """A collection (its DataSetId by default "<short> <version>")."""
    dataset = dataset or f"{short} {version}"
    return (
        f"<Collection><ShortName>{short}</ShortName><VersionId>{version}</VersionId>"
        "<InsertTime>2019-01-01T00:00:00Z</InsertTime><LastUpdate>2020-01-01T00:00:00Z"
        f"</LastUpdate><LongName>{short} long</LongName><DataSetId>{dataset}</DataSetId>"
        f"<Description>{summary}</Description>{extra}<Spatial><GranuleSpatialRepresentation>"
        "GEODETIC</GranuleSpatialRepresentation></Spatial></Collection>"
    )


def gran(
    ur: str,
    dataset: str,
    *,
    producer: str | None = None,
    day_night: str | None = None,
    temporal: str = "",
    platforms: str = "",
    attributes: dict[str, list[str]] | None = None,
    online: bool = False,
    browse: bool = False,
    cloud: float | None = None,
) -> str:
    """A granule of the collection ``dataset``, its elements in ECHO 10's order."""
    data = ""
    if producer is not None or day_night is not None:
        data = (
            "<DataGranule>"
            + (f"<ProducerGranuleId>{producer}</ProducerGranuleId>" if producer else "")
            + f"<DayNightFlag>{day_night or 'UNSPECIFIED'}</DayNightFlag>"
            "<ProductionDateTime>2020-01-01T00:00:00Z</ProductionDateTime></DataGranule>"
        )
    held = ""
    if attributes:
        held = (
            "<AdditionalAttributes>"
            + "".join(
                f"<AdditionalAttribute><Name>{name}</Name><Values>"
                + "".join(f"<Value>{v}</Value>" for v in values)
                + "</Values></AdditionalAttribute>"
                for name, values in attributes.items()
            )
            + "</AdditionalAttributes>"
        )
    access = (
        (
            "<OnlineAccessURLs><OnlineAccessURL><URL>https://data.example/x</URL>"
            "</OnlineAccessURL></OnlineAccessURLs>"
        )
        if online
        else ""
    )
    shown = (
        (
            "<AssociatedBrowseImageUrls><ProviderBrowseUrl><URL>https://data.example/b.jpg"
            "</URL></ProviderBrowseUrl></AssociatedBrowseImageUrls>"
        )
        if browse
        else ""
    )
    clouds = f"<CloudCover>{cloud}</CloudCover>" if cloud is not None else ""
    return (
        f"<Granule><GranuleUR>{ur}</GranuleUR><InsertTime>2019-01-01T00:00:00Z</InsertTime>"
        f"<LastUpdate>2020-01-01T00:00:00Z</LastUpdate><Collection><DataSetId>{dataset}"
        f"</DataSetId></Collection>{data}{temporal}{platforms}{held}{access}{clouds}{shown}"
        "</Granule>"
    )


def ingest(db, session, folder: Path, provider_id: str, collections=(), granules=()) -> None:
    """The records, through the ingest pipeline, as the provider's."""
    provider(session, provider_id)
    for root, section, records in (
        ("CollectionMetaDataFile", "Collections", collections),
        ("GranuleMetaDataFile", "Granules", granules),
    ):
        if not records:
            continue
        name = f"{provider_id}-{section}-{len(list(folder.iterdir()))}.xml"
        report = ingest_file(
            db, write(folder, name, wrap(root, {section: list(records)})), provider_id
        )
        assert report.processed == report.inserted + report.replaced, report.text


def found(client, target: str, params) -> list[str]:
    """The short names (collections) or URs (granules) a search finds, in its order."""
    response = client.get(f"/search/{target}.json", query_string=_with_size(params))
    assert response.status_code == 200, response.data
    key = "short_name" if target == "collections" else "title"
    return [entry[key] for entry in response.get_json()["feed"]["entry"]]


def entries(client, target: str, params) -> list[dict]:
    response = client.get(f"/search/{target}.json", query_string=_with_size(params))
    assert response.status_code == 200, response.data
    return response.get_json()["feed"]["entry"]


def refused(client, target: str, params, words: str, code: str = "InvalidValue") -> str:
    fields = error(client.get(f"/search/{target}", query_string=params), 400, code)
    assert words in fields["Message"], fields
    return fields["Message"]


def _with_size(params):
    if isinstance(params, dict):
        return {"page_size": 100, **params}
    return [("page_size", "100"), *params]
