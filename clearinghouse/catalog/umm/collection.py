"""ECHO 10 collection -> UMM-C, as CMR's ``umm-spec-lib`` does it
(``xml_to_umm_mappings/echo10.clj`` and ``echo10/*.clj``), with the defaults CMR's search answers
use (its ``sanitize?`` parsing): a field UMM-C requires that the record lacks is "Not provided"."""

from __future__ import annotations

from lxml import etree

from clearinghouse.catalog.umm import collection_parts as parts
from clearinghouse.catalog.umm import contacts, spatial, urls
from clearinghouse.catalog.umm._xml import (
    NOT_PROVIDED,
    boolean,
    compact,
    instant,
    number,
    root,
    text,
    texts,
)

VERSION = "1.18.6"
SPECIFICATION = {
    "URL": f"https://cdn.earthdata.nasa.gov/umm/collection/v{VERSION}",
    "Name": "UMM-C",
    "Version": VERSION,
}

_PROGRESS = {
    "COMPLETE": "COMPLETE",
    "COMPLETED": "COMPLETE",
    "IN WORK": "ACTIVE",
    "ACTIVE": "ACTIVE",
    "PLANNED": "PLANNED",
    "DEPRECATED": "DEPRECATED",
    "NOT APPLICABLE": "NOT PROVIDED",
    "PREPRINT": "PREPRINT",
    "INREVIEW": "INREVIEW",
    "SUPERSEDED": "SUPERSEDED",
}
# Characteristic data types before UMM 1.10 -> UMM's enumeration; anything else is a STRING.
_DATA_TYPES = {
    "INTEGER": "INT",
    **{
        t: t
        for t in (
            "STRING",
            "FLOAT",
            "INT",
            "BOOLEAN",
            "DATE",
            "TIME",
            "DATETIME",
            "DATE_STRING",
            "TIME_STRING",
            "DATETIME_STRING",
        )
    },
}
_COVERAGE_TYPES = {
    "EARTH/GLOBAL",
    "HORIZONTAL",
    "VERTICAL",
    "ORBITAL",
    "HORIZONTAL_VERTICAL",
    "ORBITAL_VERTICAL",
    "HORIZONTAL_ORBITAL",
    "HORIZONTAL_VERTICAL_ORBITAL",
    "LUNAR",
}
_DEFAULT_TEMPORAL = [{"RangeDateTimes": [{"BeginningDateTime": "1970-01-01T00:00:00.000Z"}]}]
_DEFAULT_KEYWORDS = [{"Category": "EARTH SCIENCE", "Topic": NOT_PROVIDED, "Term": NOT_PROVIDED}]


def collection(record: bytes | str) -> dict:
    c = root(record, "Collection")
    umm = {
        "ShortName": text(c, "ShortName"),
        "Version": text(c, "VersionId"),
        "VersionDescription": text(c, "VersionDescription"),
        "EntryTitle": text(c, "DataSetId"),
        "DOI": _doi(c),
        "AssociatedDOIs": parts.associated_dois(c),
        "DataMaturity": text(c, "DataMaturity"),
        "MetadataDates": parts.metadata_dates(c),
        "DataDates": [
            {"Type": kind, "Date": instant(c, tag)}
            for kind, tag in (
                ("CREATE", "InsertTime"),
                ("UPDATE", "LastUpdate"),
                ("DELETE", "DeleteTime"),
            )
            if text(c, tag)
        ],
        "Abstract": text(c, "Description") or NOT_PROVIDED,
        "CollectionDataType": text(c, "CollectionDataType"),
        "Purpose": text(c, "SuggestedUsage"),
        "CollectionProgress": _PROGRESS.get(
            (text(c, "CollectionState") or "").upper(), "NOT PROVIDED"
        ),
        "StandardProduct": boolean(c, "StandardProduct"),
        "AccessConstraints": _access(c),
        "UseConstraints": parts.use_constraints(c),
        "TemporalKeywords": texts(c, "TemporalKeywords/Keyword"),
        "SpatialExtent": _spatial(c),
        "TemporalExtents": [_temporal(t) for t in c.findall("Temporal")] or _DEFAULT_TEMPORAL,
        "Platforms": [_platform(p) for p in c.findall("Platforms/Platform")]
        or [{"ShortName": NOT_PROVIDED}],
        "ProcessingLevel": {
            "Id": text(c, "ProcessingLevelId") or NOT_PROVIDED,
            "ProcessingLevelDescription": text(c, "ProcessingLevelDescription"),
        },
        "AdditionalAttributes": [
            _attribute(a) for a in c.findall("AdditionalAttributes/AdditionalAttribute")
        ],
        "Projects": [
            {
                "ShortName": text(p, "ShortName"),
                "LongName": text(p, "LongName"),
                "StartDate": instant(p, "StartDate"),
                "EndDate": instant(p, "EndDate"),
            }
            for p in c.findall("Campaigns/Campaign")
        ],
        "MetadataAssociations": parts.metadata_associations(c),
        "RelatedUrls": urls.collection(c),
        "ScienceKeywords": [_keyword(k) for k in c.findall("ScienceKeywords/ScienceKeyword")]
        or _DEFAULT_KEYWORDS,
        "DataCenters": contacts.data_centers(c),
        "ContactPersons": contacts.contact_persons(c),
        "CollectionCitations": [{"OtherCitationDetails": text(c, "CitationForExternalPublication")}]
        if text(c, "CitationForExternalPublication")
        else None,
        "ArchiveAndDistributionInformation": _distribution(c),
        "DirectDistributionInformation": parts.direct_distribution(c),
    }
    tiling = {"TilingIdentificationSystems": t} if (t := parts.tiling_systems(c)) else {}
    return {**compact(umm), **tiling, "MetadataSpecification": SPECIFICATION}


def _doi(c: etree._Element) -> dict:
    doi = c.find("DOI")
    if doi is None:
        return {
            "MissingReason": "Unknown",
            "Explanation": "It is unknown if this record has a DOI.",
        }
    if text(doi, "DOI") or text(doi, "Authority"):
        return compact({"DOI": text(doi, "DOI"), "Authority": text(doi, "Authority")})
    return compact(
        {"MissingReason": text(doi, "MissingReason"), "Explanation": text(doi, "Explanation")}
    )


def _access(c: etree._Element) -> dict | None:
    value, comment = number(c, "RestrictionFlag"), text(c, "RestrictionComment")
    if value is None and comment is None:
        return None
    return {
        "Description": comment or NOT_PROVIDED,
        "Value": float(value) if value is not None else None,
    }


def _temporal(t: etree._Element) -> dict:
    return {
        "PrecisionOfSeconds": number(t, "PrecisionOfSeconds"),
        # CMR reads an absent flag as false and writes it.
        "EndsAtPresentFlag": bool(boolean(t, "EndsAtPresentFlag")),
        "RangeDateTimes": [
            {
                "BeginningDateTime": instant(r, "BeginningDateTime"),
                "EndingDateTime": instant(r, "EndingDateTime"),
            }
            for r in t.findall("RangeDateTime")
        ],
        "SingleDateTimes": [instant(s, ".") for s in t.findall("SingleDateTime")],
        "PeriodicDateTimes": [
            {
                "Name": text(p, "Name"),
                "StartDate": instant(p, "StartDate"),
                "EndDate": instant(p, "EndDate"),
                "DurationUnit": text(p, "DurationUnit"),
                "DurationValue": number(p, "DurationValue"),
                "PeriodCycleDurationUnit": text(p, "PeriodCycleDurationUnit"),
                "PeriodCycleDurationValue": number(p, "PeriodCycleDurationValue"),
            }
            for p in t.findall("PeriodicDateTime")
        ],
    }


def _characteristics(element: etree._Element) -> list[dict]:
    return [
        {
            "Name": text(ch, "Name"),
            "Description": text(ch, "Description"),
            "DataType": _DATA_TYPES.get((text(ch, "DataType") or "").upper(), "STRING"),
            "Unit": text(ch, "Unit"),
            "Value": text(ch, "Value"),
        }
        for ch in element.findall("Characteristics/Characteristic")
    ]


def _platform(p: etree._Element) -> dict:
    kind = text(p, "Type")
    return {
        "ShortName": text(p, "ShortName"),
        "LongName": text(p, "LongName"),
        "Type": None if kind == NOT_PROVIDED else kind,
        "Characteristics": _characteristics(p),
        "Instruments": [
            {
                "ShortName": text(i, "ShortName"),
                "LongName": text(i, "LongName"),
                "Technique": text(i, "Technique"),
                "NumberOfInstruments": number(i, "NumberOfSensors"),
                "OperationalModes": texts(i, "OperationModes/OperationMode"),
                "Characteristics": _characteristics(i),
                "ComposedOf": [
                    {
                        "ShortName": text(s, "ShortName"),
                        "LongName": text(s, "LongName"),
                        "Technique": text(s, "Technique"),
                        "Characteristics": _characteristics(s),
                    }
                    for s in i.findall("Sensors/Sensor")
                ],
            }
            for i in p.findall("Instruments/Instrument")
        ],
    }


def _attribute(a: etree._Element) -> dict:
    return {
        "Name": text(a, "Name"),
        "DataType": text(a, "DataType"),
        "Description": text(a, "Description") or NOT_PROVIDED,
        "ParameterRangeBegin": text(a, "ParameterRangeBegin"),
        "ParameterRangeEnd": text(a, "ParameterRangeEnd"),
        "Value": text(a, "Value"),
    }


def _keyword(k: etree._Element) -> dict:
    level1 = "VariableLevel1Keyword"
    level2 = f"{level1}/VariableLevel2Keyword"
    return {
        "Category": text(k, "CategoryKeyword"),
        "Topic": text(k, "TopicKeyword"),
        "Term": text(k, "TermKeyword"),
        "VariableLevel1": text(k, f"{level1}/Value"),
        "VariableLevel2": text(k, f"{level2}/Value"),
        "VariableLevel3": text(k, f"{level2}/VariableLevel3Keyword"),
        "DetailedVariable": text(k, "DetailedVariableKeyword"),
    }


def _distribution(c: etree._Element) -> dict | None:
    price, formats = text(c, "Price"), texts(c, "DataFormat")
    if price and not formats:
        files = [{"Fees": price, "Format": NOT_PROVIDED, "FormatType": "Native"}]
    else:
        files = [{"Fees": price, "Format": f, "FormatType": "Native"} for f in formats]
    return {"FileDistributionInformation": files} if files else None


def _spatial(c: etree._Element) -> dict:
    s = c.find("Spatial")
    if s is None:
        return {"GranuleSpatialRepresentation": "NO_SPATIAL"}
    horizontal = s.find("HorizontalSpatialDomain")
    orbit = s.find("OrbitParameters")
    return {
        # CMR upper-cases it and passes on what UMM-C does not know (ECHO's "HORIZ&VERT"...),
        # writing a record its schema refuses; here that is left out.
        "SpatialCoverageType": _coverage_type(text(s, "SpatialCoverageType")),
        "GranuleSpatialRepresentation": text(s, "GranuleSpatialRepresentation"),
        "HorizontalSpatialDomain": None
        if horizontal is None
        else {
            "Geometry": spatial.geometry(horizontal.find("Geometry"), collection=True),
            "ZoneIdentifier": text(horizontal, "ZoneIdentifier"),
        },
        "OrbitParameters": None if orbit is None else _orbit_parameters(orbit),
    }


def _coverage_type(value: str | None) -> str | None:
    upper = (value or "").upper()
    return upper if upper in _COVERAGE_TYPES else None


def _orbit_parameters(o: etree._Element) -> dict:
    # ECHO 10 names no units; CMR writes the ones ECHO 10 documents.
    fields = {
        "SwathWidth": number(o, "SwathWidth"),
        "OrbitPeriod": number(o, "Period"),
        "InclinationAngle": number(o, "InclinationAngle"),
        "NumberOfOrbits": number(o, "NumberOfOrbits"),
        "StartCircularLatitude": number(o, "StartCircularLatitude"),
    }
    units = {
        "SwathWidth": "Kilometer",
        "OrbitPeriod": "Decimal Minute",
        "InclinationAngle": "Degree",
        "StartCircularLatitude": "Degree",
    }
    for name, unit in units.items():
        if fields[name] is not None:
            fields[f"{name}Unit"] = unit
    return fields
