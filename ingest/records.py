"""From a validated ECHO 10 record to its catalog row: identity, dates, searchable fields and
footprint.

Records reaching here have passed the DTD and the code checks, so the structure is known; what can
still fail is meaning (a date beyond what the catalog stores, a footprint that is not a valid
shape), raised as :class:`RecordError` with the line at fault.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from lxml import etree

from clearinghouse.catalog.models import SpatialRepresentation
from clearinghouse.errors import InvalidValue
from ingest import browse
from spatial import echo10 as spatial_echo10
from spatial.backtrack import granule_clats
from spatial.errors import SpatialError
from spatial.postgis import record_columns
from spatial.shapes import Orbit, OrbitParameters

#: Dates and times Python's ``fromisoformat`` reads exactly as XML Schema means them (no hour 24,
#: at most six decimals, years of four digits from 1000).
_PLAIN_MOMENT = re.compile(
    r"[1-9]\d{3}-\d{2}-\d{2}(T(?!24)\d{2}:\d{2}:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?",
    re.ASCII,
)
_MOMENT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?",
    re.ASCII,
)


class RecordError(Exception):
    """A record that passed validation but cannot enter the catalog; ``category`` names the
    report counter it goes to."""

    def __init__(self, category: str, message: str, line: int | None):
        super().__init__(message)
        self.category = category
        self.message = message
        self.line = line


def text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def moment(value: str | None, line: int | None = None) -> datetime | None:
    """An XML Schema dateTime (or date) as an aware datetime; no zone means UTC."""
    if value is None:
        return None
    value = value.strip()
    if _PLAIN_MOMENT.fullmatch(value):  # the usual form: the standard library's parser is exact
        with contextlib.suppress(ValueError, OverflowError):  # told precisely below
            when = datetime.fromisoformat(value)
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    match = _MOMENT.fullmatch(value)
    if not match:
        raise RecordError("data_errors", f"{value!r} is not a date and time", line)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    hours = int(hour or 0)
    try:
        when = datetime(
            int(year),
            int(month),
            int(day),
            0,
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=_zone(zone),
        )
        return (when + timedelta(hours=hours)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise RecordError("data_errors", f"{value!r} is outside the dates we store", line) from None


def _zone(zone: str | None) -> timezone:
    if zone in (None, "Z"):
        return UTC
    sign = 1 if zone[0] == "+" else -1
    return timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))


def flag(element: etree._Element, path: str, default: bool) -> bool:
    value = text(element, path)
    return default if value is None else value in ("true", "1")


def names(element: etree._Element, path: str) -> list[str]:
    return sorted({(e.text or "").strip() for e in element.iterfind(path) if e.text})


# -- temporal -------------------------------------------------------------------------------


@dataclass
class Temporal:
    ranges: list[tuple[datetime, datetime | None]]
    ends_at_present: bool
    periodic: list[dict[str, Any]]

    @property
    def start(self) -> datetime | None:
        starts = [r[0] for r in self.ranges]
        return min(starts) if starts else None

    @property
    def end(self) -> datetime | None:
        if not self.ranges or self.ends_at_present or any(r[1] is None for r in self.ranges):
            return None
        return max(r[1] for r in self.ranges)

    def multirange(self) -> str | None:
        """The ranges as a PostgreSQL tstzmultirange literal (inclusive; open when unended)."""
        if not self.ranges:
            return None
        parts = []
        for begin, end in self.ranges:
            if end is None or (self.ends_at_present and end == self.end_of_latest()):
                parts.append(f"[{begin.isoformat()},)")
            else:
                parts.append(f"[{begin.isoformat()},{end.isoformat()}]")
        return "{" + ",".join(parts) + "}"

    def end_of_latest(self) -> datetime | None:
        ends = [r[1] for r in self.ranges if r[1] is not None]
        return max(ends) if ends else None


def temporal(record: etree._Element) -> Temporal:
    node = record.find("Temporal")
    if node is None:
        return Temporal([], False, [])
    ranges: list[tuple[datetime, datetime | None]] = []
    for rng in node.iterfind("RangeDateTime"):
        begin = moment(text(rng, "BeginningDateTime"), rng.sourceline)
        end = moment(text(rng, "EndingDateTime"), rng.sourceline)
        if end is not None and end < begin:
            raise RecordError(
                "data_errors", "a RangeDateTime ends before it begins", rng.sourceline
            )
        ranges.append((begin, end))
    for single in node.iterfind("SingleDateTime"):
        when = moment(single.text, single.sourceline)
        ranges.append((when, when))
    periodic = []
    for period in node.iterfind("PeriodicDateTime"):
        start = moment(text(period, "StartDate"), period.sourceline)
        end = moment(text(period, "EndDate"), period.sourceline)
        ranges.append((start, end))
        periodic.append({child.tag: (child.text or "").strip() for child in period})
    return Temporal(ranges, flag(node, "EndsAtPresentFlag", False), periodic)


# -- rows -----------------------------------------------------------------------------------


ORBIT_DOMAINS = ("OrbitCalculatedSpatialDomains", "OrbitCalculatedSpatialDomain")
TWO_D_SYSTEM_NAMES = "TwoDCoordinateSystems/TwoDCoordinateSystem/TwoDCoordinateSystemName"


class Children:
    """A record's direct children by tag (the first of each): one pass instead of a path search
    per field (records are read by the thousand)."""

    __slots__ = ("by_tag",)

    def __init__(self, record: etree._Element):
        self.by_tag: dict[str, etree._Element] = {}
        for child in record:
            if isinstance(child.tag, str):
                self.by_tag.setdefault(child.tag, child)

    def text(self, tag: str) -> str | None:
        found = self.by_tag.get(tag)
        return None if found is None or found.text is None else found.text.strip()

    def names(self, tag: str, path: str) -> list[str]:
        found = self.by_tag.get(tag)
        return [] if found is None else names(found, path)

    def all(self, tag: str, path: str) -> list[etree._Element]:
        found = self.by_tag.get(tag)
        return [] if found is None else list(found.iterfind(path))

    def has(self, tag: str, path: str) -> bool:
        found = self.by_tag.get(tag)
        return found is not None and found.find(path) is not None


def _common(record: etree._Element, children: Children) -> dict[str, Any]:
    when = temporal(record)
    line = record.sourceline
    visible, orderable = children.text("Visible"), children.text("Orderable")
    restriction = children.text("RestrictionFlag")
    return {
        "insert_time": moment(children.text("InsertTime"), line),
        "last_update": moment(children.text("LastUpdate"), line),
        "delete_time": moment(children.text("DeleteTime"), line),
        "visible": True if visible is None else visible in ("true", "1"),
        "orderable": True if orderable is None else orderable in ("true", "1"),
        "restriction_flag": None if restriction is None else Decimal(restriction),
        "online_only": children.has("OnlineAccessURLs", "OnlineAccessURL"),
        "browse_available": children.has("AssociatedBrowseImages", "ProviderBrowseId")
        or children.has("AssociatedBrowseImageUrls", "ProviderBrowseUrl"),
        "temporal": when.multirange(),
        "temporal_start": when.start,
        "temporal_end": when.end,
        "ends_at_present": when.ends_at_present,
        "temporal_periodic": when.periodic or None,
        "platforms": children.names("Platforms", "Platform/ShortName"),
        "instruments": children.names("Platforms", "Platform/Instruments/Instrument/ShortName"),
        "sensors": children.names(
            "Platforms", "Platform/Instruments/Instrument/Sensors/Sensor/ShortName"
        ),
        "campaigns": children.names("Campaigns", "Campaign/ShortName"),
        "browse_ids": children.names("AssociatedBrowseImages", "ProviderBrowseId"),
        "xml": etree.tostring(record, encoding="unicode", with_tail=False),
    }


def collection_row(record: etree._Element) -> dict[str, Any]:
    """The collection's row; its ``orbit`` column keeps its orbit parameters, which its granules'
    footprints need."""
    short_name, version = text(record, "ShortName"), text(record, "VersionId")
    try:
        coverage, representation = spatial_echo10.collection_coverage(record)
        spatial = record_columns(coverage)
    except SpatialError as exc:
        raise RecordError("invalid_spatial", exc.message, exc.line) from None
    parameters = coverage.orbit_parameters
    return {
        **_common(record, Children(record)),
        "short_name": short_name,
        "version_id": version,
        "dataset_id": text(record, "DataSetId"),
        "entry_id": f"{short_name}_{version}",
        "processing_level": text(record, "ProcessingLevelId"),
        "archive_center": text(record, "ArchiveCenter"),
        "spatial_representation": (representation or SpatialRepresentation.NO_SPATIAL.value),
        "spatial_keywords": names(record, "SpatialKeywords/Keyword"),
        "temporal_keywords": names(record, "TemporalKeywords/Keyword"),
        "two_d_systems": names(record, TWO_D_SYSTEM_NAMES),
        "science_keywords": [
            science_keyword(k) for k in record.iterfind("ScienceKeywords/ScienceKeyword")
        ],
        "additional_attributes": [
            {
                "name": text(attribute, "Name"),
                "type": text(attribute, "DataType"),
                "value": text(attribute, "Value"),
                "begin": text(attribute, "ParameterRangeBegin"),
                "end": text(attribute, "ParameterRangeEnd"),
            }
            for attribute in record.iterfind("AdditionalAttributes/AdditionalAttribute")
        ],
        **spatial,
        "orbit": _parameters_json(parameters),
    }


#: A science keyword's levels as stored (and searched): field, path in the ScienceKeyword element.
SCIENCE_KEYWORD_LEVELS = {
    "category": "CategoryKeyword",
    "topic": "TopicKeyword",
    "term": "TermKeyword",
    "variable_level_1": "VariableLevel1Keyword/Value",
    "variable_level_2": "VariableLevel1Keyword/VariableLevel2Keyword/Value",
    "variable_level_3": "VariableLevel1Keyword/VariableLevel2Keyword/VariableLevel3Keyword",
    "detailed_variable": "DetailedVariableKeyword",
}


def science_keyword(keyword: etree._Element) -> dict[str, str]:
    found = {field: text(keyword, path) for field, path in SCIENCE_KEYWORD_LEVELS.items()}
    return {field: value for field, value in found.items() if value is not None}


def _parameters_json(parameters: OrbitParameters | None) -> dict[str, Any] | None:
    if parameters is None:
        return None
    return {
        "swath_width_km": parameters.swath_width_km,
        "period_min": parameters.period_min,
        "inclination_deg": parameters.inclination_deg,
        "number_of_orbits": parameters.number_of_orbits,
        "start_circular_latitude": parameters.start_circular_latitude,
    }


def parameters_from_json(data: dict[str, Any] | None) -> OrbitParameters | None:
    return None if data is None else OrbitParameters(**data)


def granule_row(
    record: etree._Element,
    representation: str,
    orbit_parameters: OrbitParameters | None,
    *,
    footprint: bool = True,
) -> dict[str, Any]:
    """The granule's row, its footprint in its collection's coordinate model. Without
    ``footprint``, the row holds the coverage as read (``"coverage"``) for a batch to validate
    and store (``spatial.batch``)."""
    try:
        coverage = spatial_echo10.granule_coverage(record, representation, orbit_parameters)
        spatial = record_columns(coverage) if footprint else {"coverage": coverage}
    except SpatialError as exc:
        raise RecordError("invalid_spatial", exc.message, exc.line) from None
    children = Children(record)
    cloud = children.text("CloudCover")
    data = children.by_tag.get("DataGranule")
    return {
        **_common(record, children),
        "granule_ur": children.text("GranuleUR"),
        "producer_granule_id": None if data is None else text(data, "ProducerGranuleId"),
        "day_night_flag": None if data is None else text(data, "DayNightFlag"),
        "production_date": None
        if data is None
        else moment(text(data, "ProductionDateTime"), data.sourceline),
        "pge_name": _in(children, "PGEVersionClass", "PGEName"),
        "pge_version": _in(children, "PGEVersionClass", "PGEVersion"),
        **_two_d(children.by_tag.get("TwoDCoordinateSystem")),
        **_orbits(children.all(*ORBIT_DOMAINS)),
        "cloud_cover": float(cloud) if cloud is not None else None,
        "measured_parameters": [
            _measured(p) for p in children.all("MeasuredParameters", "MeasuredParameter")
        ],
        "additional_attributes": [
            {
                "name": text(attribute, "Name"),
                "values": [(v.text or "").strip() for v in attribute.iterfind("Values/Value")],
            }
            for attribute in children.all("AdditionalAttributes", "AdditionalAttribute")
        ],
        **spatial,
        "orbit": None if coverage.orbit is None else vars(coverage.orbit),
        **_orbit_columns(coverage.orbit),
    }


def _orbit_columns(orbit: Orbit | None) -> dict[str, float | None]:
    """What a backtrack search asks of an orbit granule: its crossing and circular latitudes."""
    if orbit is None:
        return dict.fromkeys(("orbit_asc_crossing", "orbit_start_clat", "orbit_end_clat"))
    start, end = granule_clats(
        orbit.start_lat, orbit.start_direction, orbit.end_lat, orbit.end_direction
    )
    return {
        "orbit_asc_crossing": orbit.ascending_crossing,
        "orbit_start_clat": start,
        "orbit_end_clat": end,
    }


def _in(children: Children, tag: str, path: str) -> str | None:
    found = children.by_tag.get(tag)
    return None if found is None else text(found, path)


def _two_d(system: etree._Element | None) -> dict[str, Any]:
    """A granule's 2-D coordinates as two numeric ranges (an end left out: the start alone)."""
    if system is None:
        return {"two_d_system": None, "two_d_coordinate1": None, "two_d_coordinate2": None}
    ranges = {}
    for n in (1, 2):
        start = Decimal(text(system, f"StartCoordinate{n}"))
        end = text(system, f"EndCoordinate{n}")
        end = start if end is None else Decimal(end)
        low, high = sorted((start, end))
        ranges[f"two_d_coordinate{n}"] = f"[{low},{high}]"
    return {"two_d_system": text(system, "TwoDCoordinateSystemName"), **ranges}


def _orbits(domains: list[etree._Element]) -> dict[str, Any]:
    """The orbits a granule spans (a nummultirange literal: ECHO's start and stop orbit numbers
    are decimals, fractions of an orbit, and its orbit numbers integers of any size) and where and
    when they crossed the equator."""
    spans, longitudes, dates = [], [], []
    for domain in domains:
        number = text(domain, "OrbitNumber")
        start, stop = text(domain, "StartOrbitNumber"), text(domain, "StopOrbitNumber")
        if number is not None:
            spans.append((Decimal(number), Decimal(number)))
        if start is not None or stop is not None:
            spans.append(tuple(sorted((Decimal(start or stop), Decimal(stop or start)))))
        longitude = text(domain, "EquatorCrossingLongitude")
        if longitude is not None:
            longitudes.append(float(longitude))
        when = text(domain, "EquatorCrossingDateTime")
        if when is not None:
            dates.append(moment(when, domain.sourceline))
    return {
        "orbit_ranges": "{" + ",".join(f"[{a},{b}]" for a, b in sorted(spans)) + "}",
        "equator_crossing_longitudes": longitudes,
        "equator_crossing_dates": dates,
    }


def _measured(parameter: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {"name": text(parameter, "ParameterName")}
    for group in ("QAStats", "QAFlags"):
        node = parameter.find(group)
        if node is not None:
            out[group] = {child.tag: (child.text or "").strip() for child in node}
    return out


def browse_row(record: etree._Element) -> dict[str, Any]:
    try:
        size = browse.file_size(text(record, "FileSize"))
    except InvalidValue as exc:
        raise RecordError("data_errors", exc.message, record.sourceline) from None
    return {
        "provider_browse_id": text(record, "ProviderBrowseId"),
        "insert_time": moment(text(record, "InsertTime"), record.sourceline),
        "last_update": moment(text(record, "LastUpdate"), record.sourceline),
        "delete_time": moment(text(record, "DeleteTime"), record.sourceline),
        "file_name": text(record, "FileName"),
        "file_url": text(record, "FileURL"),
        "file_size": size,
        "description": text(record, "Description"),
        "mime_type": text(record, "MimeType"),
    }


@dataclass(frozen=True)
class CollectionRef:
    short_name: str | None = None
    version_id: str | None = None
    dataset_id: str | None = None
    entry_id: str | None = None

    def __str__(self) -> str:
        if self.dataset_id:
            return f"DataSetId={self.dataset_id}"
        if self.entry_id:
            return f"EntryId={self.entry_id}"
        return f"ShortName={self.short_name} VersionId={self.version_id}"


def collection_ref(element: etree._Element) -> CollectionRef:
    """A granule's ``Collection`` (or any ``CollectionRef``): ShortName+VersionId, DataSetId or
    EntryId."""
    return CollectionRef(
        short_name=text(element, "ShortName"),
        version_id=text(element, "VersionId"),
        dataset_id=text(element, "DataSetId"),
        entry_id=text(element, "EntryId"),
    )
