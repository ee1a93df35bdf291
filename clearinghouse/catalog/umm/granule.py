"""ECHO 10 granule -> UMM-G, as CMR does it: ``umm-lib``'s ``echo10/granule.clj`` reads the
record and ``umm-spec-lib``'s ``umm_g/granule.clj`` (with its ``umm_g/*.clj``) writes UMM-G."""

from __future__ import annotations

from lxml import etree

from clearinghouse.catalog.umm import spatial, urls
from clearinghouse.catalog.umm._xml import NOT_PROVIDED, compact, instant, number, root, text, texts

VERSION = "1.6.7"
SPECIFICATION = {
    "URL": f"https://cdn.earthdata.nasa.gov/umm/granule/v{VERSION}",
    "Name": "UMM-G",
    "Version": VERSION,
}

_DAY_NIGHT = {"DAY": "Day", "NIGHT": "Night", "BOTH": "Both", "UNSPECIFIED": "Unspecified"}
_QUALITY_FLAGS = {
    "AutomaticQualityFlag": {"Passed", "Failed", "Suspect"},
    "OperationalQualityFlag": {
        "Passed",
        "Failed",
        "Being Investigated",
        "Not Investigated",
        "Inferred Passed",
        "Inferred Failed",
        "Suspect",
    },
    "ScienceQualityFlag": {
        "Passed",
        "Failed",
        "Being Investigated",
        "Not Investigated",
        "Inferred Passed",
        "Inferred Failed",
        "Suspect",
        "Hold",
    },
}


def granule(record: bytes | str) -> dict:
    g = root(record, "Granule")
    dates = [
        {"Date": instant(g, tag), "Type": kind}
        for tag, kind in (
            ("InsertTime", "Insert"),
            ("LastUpdate", "Update"),
            ("DeleteTime", "Delete"),
        )
        if text(g, tag)
    ]
    restriction = number(g, "RestrictionFlag")
    campaigns = texts(g, "Campaigns/Campaign/ShortName")
    umm = {
        "GranuleUR": text(g, "GranuleUR"),
        "ProviderDates": dates,
        "CollectionReference": _collection(g.find("Collection")),
        "TemporalExtent": _temporal(g.find("Temporal")),
        "SpatialExtent": _spatial(g.find("Spatial/HorizontalSpatialDomain")),
        "OrbitCalculatedSpatialDomains": [
            _orbit_domain(e)
            for e in g.findall("OrbitCalculatedSpatialDomains/OrbitCalculatedSpatialDomain")
        ],
        "Platforms": [_platform(e) for e in g.findall("Platforms/Platform")],
        "CloudCover": number(g, "CloudCover"),
        "AccessConstraints": {"Value": restriction} if restriction is not None else None,
        # UMM-G asks for a project per campaign list; ECHO 10 names no project, CMR neither.
        "Projects": [{"ShortName": NOT_PROVIDED, "Campaigns": campaigns}] if campaigns else None,
        "DataGranule": _data_granule(g.find("DataGranule")),
        "PGEVersionClass": _pge(g.find("PGEVersionClass")),
        "TilingIdentificationSystem": _tiling(g.find("TwoDCoordinateSystem")),
        "AdditionalAttributes": [
            {"Name": text(a, "Name"), "Values": texts(a, "Values/Value")}
            for a in g.findall("AdditionalAttributes/AdditionalAttribute")
        ],
        "MeasuredParameters": [
            _measured(e) for e in g.findall("MeasuredParameters/MeasuredParameter")
        ],
        "RelatedUrls": urls.granule(g),
    }
    return {**compact(umm), "ProviderDates": compact(dates), "MetadataSpecification": SPECIFICATION}


def _collection(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    if text(element, "DataSetId"):
        return {"EntryTitle": text(element, "DataSetId")}
    return {"ShortName": text(element, "ShortName"), "Version": text(element, "VersionId")}


def _temporal(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    if text(element, "SingleDateTime"):
        return {"SingleDateTime": instant(element, "SingleDateTime")}
    if element.find("RangeDateTime") is None:
        return None
    return {
        "RangeDateTime": {
            "BeginningDateTime": instant(element, "RangeDateTime/BeginningDateTime"),
            "EndingDateTime": instant(element, "RangeDateTime/EndingDateTime"),
        }
    }


def _spatial(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    geometry = spatial.geometry(element.find("Geometry"), collection=False)
    orbit = spatial.orbit(element.find("Orbit"))
    if geometry is None and orbit is None:
        return None
    return {"HorizontalSpatialDomain": compact({"Geometry": geometry, "Orbit": orbit})}


def _orbit_domain(element: etree._Element) -> dict:
    orbit_number = number(element, "OrbitNumber")
    begin, end = number(element, "StartOrbitNumber"), number(element, "StopOrbitNumber")
    if orbit_number is not None:
        # UMM-G takes an orbit number or a range, not both; ECHO 10 allowed both (CMR writes both
        # and so an invalid record): the orbit number is the more precise.
        begin = end = None
    return {
        "OrbitalModelName": text(element, "OrbitalModelName"),
        "OrbitNumber": orbit_number,
        # CMR turns these into whole numbers: older formats wrote them as decimals.
        "BeginOrbitNumber": int(begin) if begin is not None else None,
        "EndOrbitNumber": int(end) if end is not None else None,
        "EquatorCrossingLongitude": number(element, "EquatorCrossingLongitude"),
        "EquatorCrossingDateTime": instant(element, "EquatorCrossingDateTime"),
    }


def _characteristics(element: etree._Element) -> list[dict]:
    return [
        {"Name": text(c, "Name"), "Value": text(c, "Value")}
        for c in element.findall("Characteristics/Characteristic")
    ]


def _platform(element: etree._Element) -> dict:
    instruments = [
        {
            "ShortName": text(i, "ShortName"),
            "Characteristics": _characteristics(i),
            "ComposedOf": [
                {"ShortName": text(s, "ShortName"), "Characteristics": _characteristics(s)}
                for s in i.findall("Sensors/Sensor")
            ],
            "OperationalModes": texts(i, "OperationModes/OperationMode"),
        }
        for i in element.findall("Instruments/Instrument")
    ]
    return {"ShortName": text(element, "ShortName"), "Instruments": instruments}


def _data_granule(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    size, in_bytes = number(element, "SizeMBDataGranule"), number(element, "DataGranuleSizeInBytes")
    producer = text(element, "ProducerGranuleId")
    day_night, produced = text(element, "DayNightFlag"), instant(element, "ProductionDateTime")
    checksum = {
        "Value": text(element, "Checksum/Value"),
        "Algorithm": text(element, "Checksum/Algorithm"),
    }
    if not any((size, in_bytes, producer, day_night, produced, checksum["Value"])):
        return None
    archive = {
        "Name": NOT_PROVIDED,
        "Size": size,
        "SizeInBytes": in_bytes,
        "Checksum": checksum if checksum["Value"] else None,
        "SizeUnit": "MB" if size is not None else "NA",
    }
    return {
        "DayNightFlag": _DAY_NIGHT.get((day_night or "").upper(), "Unspecified"),
        "Identifiers": [{"Identifier": producer, "IdentifierType": "ProducerGranuleId"}]
        if producer
        else None,
        "ProductionDateTime": produced,
        "ArchiveAndDistributionInformation": [archive],
    }


def _pge(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    return {"PGEName": text(element, "PGEName"), "PGEVersion": text(element, "PGEVersion")}


def _tiling(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    return {
        "TilingIdentificationSystemName": text(element, "TwoDCoordinateSystemName"),
        "Coordinate1": {
            "MinimumValue": number(element, "StartCoordinate1"),
            "MaximumValue": number(element, "EndCoordinate1"),
        },
        "Coordinate2": {
            "MinimumValue": number(element, "StartCoordinate2"),
            "MaximumValue": number(element, "EndCoordinate2"),
        },
    }


_QA_STATS = (
    "QAPercentMissingData",
    "QAPercentOutOfBoundsData",
    "QAPercentInterpolatedData",
    "QAPercentCloudCover",
)


def _measured(element: etree._Element) -> dict:
    measured = {"ParameterName": text(element, "ParameterName")}
    # Each part looked up once, its fields under it: a granule may measure dozens of parameters.
    qa_stats = element.find("QAStats")
    if qa_stats is not None:
        # ECHO 10 producers write -999 and the like for "unknown"; UMM-G wants a percentage (CMR
        # passes the fill value on, writing a record its own schema refuses).
        stats = {k: number(qa_stats, k) for k in _QA_STATS}
        measured["QAStats"] = {k: v for k, v in stats.items() if v is not None and 0 <= v <= 100}
    qa_flags = element.find("QAFlags")
    if qa_flags is not None:
        flags = {}
        for name, allowed in _QUALITY_FLAGS.items():
            flag = text(qa_flags, name)
            # CMR maps a flag outside UMM-G's list to "Undetermined", keeping its explanation.
            flags[name] = None if flag is None else flag if flag in allowed else "Undetermined"
            flags[f"{name}Explanation"] = text(qa_flags, f"{name}Explanation")
        measured["QAFlags"] = flags
    return measured
