"""Reading an AQL query (``dtd/aql.dtd``) into a ``Query``.

The DTD has checked the structure; this checks what it cannot (dates, numbers, days of the year,
patterns, coordinates) and says which element is wrong, with its line.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

import dtd
from clearinghouse.catalog import conditions as c
from clearinghouse.errors import ClearinghouseError, InvalidValue, NotSupported
from clearinghouse.inputs import whole_number
from spatial.aql import parse_spatial
from spatial.errors import SpatialError
from spatial.search import prepare_search

_YES = ("Y", "y")
_WIDEST = 10**30 - 1  # the widest whole number a query may hold


def read(query: etree._Element) -> c.Query:
    """A ``<query>`` element (already parsed) as a Query; raises a precise error."""
    dtd.check("aql.dtd", query)
    target = query.find("for").get("value")
    if target is None:
        raise InvalidValue('for: say value="collections" or value="granules"', line=1)
    centres = query.find("dataCenterId")
    providers = None if centres.find("all") is not None else _provider_ids(centres)
    found = []
    for condition in query.find("where"):
        if not isinstance(condition.tag, str):
            continue
        wanted = "collectionCondition" if target == "collections" else "granuleCondition"
        if condition.tag != wanted:
            raise InvalidValue(
                f"a query for {target} takes {wanted}s, not {condition.tag}",
                line=condition.sourceline,
            )
        element = next(child for child in condition if isinstance(child.tag, str))
        try:
            parsed = _condition(element, target)
        except ClearinghouseError as exc:
            if exc.line is None:
                exc.line = element.sourceline
            raise
        parsed.negated = condition.get("negated") in _YES
        found.append(parsed)
    return c.Query(target, providers, found)


def _texts(element: etree._Element) -> list[str]:
    """The values of a value/list element: ``<value>`` or ``<list><value>…``."""
    values = element.findall("value") + element.findall("list/value")
    return [_unquoted(v.text) for v in values]


def _unquoted(content: str | None) -> str:
    """A value as written, without the single quotes ECHO's own examples (and the clients
    written from them) put around it: ``<value>'MODIS'</value>``."""
    value = (content or "").strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def _provider_ids(element: etree._Element) -> tuple[str, ...]:
    """dataCenterId's values; ``caseInsensitive`` ones upper-cased, as provider ids all are."""
    values = element.findall("value") + element.findall("list/value")
    return tuple(
        _unquoted(v.text).upper() if _insensitive(v) else _unquoted(v.text) for v in values
    )


def _insensitive(element: etree._Element) -> bool:
    return element.get("caseInsensitive") in _YES


def _text(holder: etree._Element) -> c.Text:
    """value, list, textPattern or patternList, as a Text matcher."""
    where = holder.tag
    values, patterns, insensitive = [], [], False
    for node in holder.iter("value", "textPattern"):
        content = node.text or ""
        if node.getparent().tag in ("list", "patternList") or node.getparent() is holder:
            insensitive = insensitive or _insensitive(node)
            if node.tag == "value":
                values.append(_unquoted(content))
            else:
                patterns.append(c.like_pattern(_unquoted(content), where))
    return c.Text(tuple(values), tuple(patterns), insensitive)


NAMES = {
    "sourceName": "platforms",
    "instrumentShortName": "instruments",
    "sensorName": "sensors",
    "CampaignShortName": "campaigns",
    "spatialKeywords": "spatial_keywords",
    "temporalKeywords": "temporal_keywords",
    "TwoDCoordinateSystemName": "two_d_systems",
}
COLLECTION_TEXT = {
    "shortName": "short_name",
    "versionId": "version_id",
    "dataSetId": "dataset_id",
    "processingLevel": "processing_level",
    "archiveCenter": "archive_center",
    "difEntryId": "entry_id",
    "collectionShortName": "short_name",
    "collectionVersionId": "version_id",
}
GRANULE_TEXT = {
    "GranuleUR": "granule_ur",
    "ProducerGranuleID": "producer_granule_id",
    "PGEName": "pge_name",
    "PGEVersion": "pge_version",
}
DATES = {
    "ECHOInsertDate": "created_at",
    "ECHOLastUpdate": "updated_at",
    "providerInsertDate": "insert_time",
    "providerProductionDate": "production_date",
}
FLAGS = {"onlineOnly": "online_only", "browseOnly": "browse_available"}


def _condition(element: etree._Element, target: str) -> c.Condition:
    tag = element.tag
    if tag in NAMES:
        every = element.get("operator") == "AND"
        return c.Names(NAMES[tag], _text(element), every=every)
    if tag in COLLECTION_TEXT:
        return c.CollectionField(COLLECTION_TEXT[tag], _text(element))
    if tag in GRANULE_TEXT:
        return c.GranuleField(GRANULE_TEXT[tag], _text(element))
    if tag in DATES:
        start, stop = _date_range(element.find("dateRange"))
        return c.DateRange(DATES[tag], start, stop)
    if tag in FLAGS:
        return c.Flag(FLAGS[tag])
    if tag == "ECHOCollectionID":
        return c.ItemIds("C", tuple(c.parse_item_ids("C", _texts(element), tag)))
    if tag == "ECHOGranuleID":
        match = _text(element)
        if match.patterns:
            raise InvalidValue("ECHOGranuleID: catalog item ids take values, not patterns")
        return c.ItemIds("G", tuple(c.parse_item_ids("G", match.values, tag)))
    if tag == "cloudCover":
        lower, upper = _range(element.find("range"), tag, 0, 100)
        return c.NumberRange("cloud_cover", lower, upper)
    if tag == "orbitNumber":
        if element.find("value") is not None:
            value = element.findtext("value").strip().strip("'")  # CMR takes '1' too
            number = _number(value, f"{tag}/value", integer=True)
            return c.NumberRange("orbits", number, number)
        lower, upper = _range(element.find("range"), tag, None, None)
        return c.NumberRange("orbits", lower, upper)
    if tag == "dayNightFlag":
        value = element.get("value")
        if value is None:
            raise InvalidValue('dayNightFlag: give value="DAY", "NIGHT" or "BOTH"')
        return c.DayNight(value.upper())
    if tag == "spatial":
        return _spatial(element, target)
    if tag == "TwoDCoordinateSystem":
        return _two_d(element)
    if tag == "equatorCrossingLongitude":
        longitudes = _range(element.find("range"), tag, -180, 180, ordered=False)
        return c.EquatorCrossing(longitudes=longitudes)
    if tag == "equatorCrossingDate":
        return c.EquatorCrossing(dates=_date_range(element.find("dateRange")))
    if tag == "temporal":
        return _temporal(element)
    if tag == "additionalAttributeNames":
        return c.AttributeNames(_text(element))
    every = element.get("operator") == "AND"
    if tag == "scienceKeywords":
        keywords = tuple(
            {
                SCIENCE_LEVELS[child.tag]: _text(child)
                for child in keyword
                if isinstance(child.tag, str)
            }
            for keyword in element.iterfind("scienceKeyword")
        )
        return c.ScienceKeywords(keywords, every=every)
    if tag == "additionalAttributes":
        attributes = tuple(
            (
                _required_text(a.find("additionalAttributeName"), "additionalAttributeName"),
                _attribute_value(a.find("additionalAttributeValue")),
            )
            for a in element.iterfind("additionalAttribute")
        )
        return c.AdditionalAttributes(attributes, every=every)
    if tag == "measuredParameters":
        return c.MeasuredParameters(
            tuple(_measured(p) for p in element.iterfind("measuredParameter")), every=every
        )
    raise NotSupported(f"the condition {tag} is not supported by this server yet")


def _spatial(element: etree._Element, target: str) -> c.Condition:
    operator = element.get("operator", "RELATE")
    if operator != "RELATE":  # RELATE: any interaction, what ECHO searched by default
        raise NotSupported(
            f'spatial: operator="{operator}" is not supported by this server: it finds the'
            ' records a shape meets (operator="RELATE", the default)',
            line=element.sourceline,
        )
    if element.find("SpatialType") is not None:
        raise NotSupported(
            "spatial: SpatialType is not supported by this server",
            line=element.find("SpatialType").sourceline,
        )
    try:
        found = c.Spatial(prepare_search(parse_spatial(element)))
    except SpatialError as exc:
        raise InvalidValue(f"spatial: {exc.message}", line=exc.line) from None
    system = element.find("TwoDCoordinateSystem")
    if system is None:
        return found
    if target == "collections":  # collections declare systems, not coordinates
        names = _text(system.find("TwoDCoordinateSystemName"))
        return c.AllOf((found, c.Names("two_d_systems", names)))
    return c.AllOf((found, _two_d(system)))


def _two_d(element: etree._Element) -> c.TwoDCoordinates:
    """A granule's 2-D coordinate system: one name (ECHO refuses a list or pattern here: one
    system's coordinates mean nothing in another) and each coordinate a value or a range."""
    name = element.find("TwoDCoordinateSystemName")
    system = _text(name)
    if system.patterns or len(system.values) != 1:
        raise InvalidValue(
            "TwoDCoordinateSystemName: a granule search names one coordinate system by value,"
            " not a list or a pattern",
            line=name.sourceline,
        )
    coordinates = []
    for tag in ("coordinate1", "coordinate2"):
        holder = element.find(tag)
        if holder.find("value") is not None:
            value = _number(holder.findtext("value"), f"{tag}/value")
            coordinates.append((value, value))
        else:
            coordinates.append(_range(holder.find("range"), tag, None, None))
    return c.TwoDCoordinates(system, *coordinates)


def _date(holder: etree._Element | None) -> datetime | None:
    """The ``Date`` inside ``startDate``/``stopDate`` (YYYY MM DD [HH MI SS], UTC)."""
    if holder is None:
        return None
    return _date_element(holder.find("Date"), f"{holder.tag}/Date")


def _date_element(date: etree._Element, where: str) -> datetime:
    if date.find("Date") is not None:  # the first port's nesting
        date = date.find("Date")
    fields = {}
    for name, low, high, default in (
        ("YYYY", 1, 9999, None),
        ("MM", 1, 12, None),
        ("DD", 1, 31, None),
        ("HH", 0, 23, 0),
        ("MI", 0, 59, 0),
        ("SS", 0, 59, 0),
    ):
        raw = date.get(name)
        if raw is None:
            if default is None:
                raise InvalidValue(
                    f"{where}: the {name} attribute is required", line=date.sourceline
                )
            fields[name] = default
            continue
        fields[name] = whole_number(raw, low, high, where=f"{where}: {name}", line=date.sourceline)
    try:
        return datetime(
            fields["YYYY"],
            fields["MM"],
            fields["DD"],
            fields["HH"],
            fields["MI"],
            fields["SS"],
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise InvalidValue(f"{where}: not a date: {exc}", line=date.sourceline) from None


def _date_range(element: etree._Element) -> tuple[datetime | None, datetime | None]:
    start, stop = _date(element.find("startDate")), _date(element.find("stopDate"))
    if start is not None and stop is not None and stop < start:
        raise InvalidValue(f"{element.tag}: stopDate is before startDate", line=element.sourceline)
    return start, stop


def _day(element: etree._Element | None) -> int | None:
    if element is None:
        return None
    where = f"{element.tag}: day of the year"
    return whole_number(element.get("value", ""), 1, 366, where=where, line=element.sourceline)


def _temporal(element: etree._Element) -> c.Temporal:
    start, stop = _date_range(element)
    start_day, end_day = _day(element.find("startDay")), _day(element.find("endDay"))
    # A recurring window without a stopDate runs to the end of this year (CMR's reading).
    return c.Temporal(start, stop, start_day, end_day)


def _number(raw: str | None, where: str, *, integer: bool = False) -> float:
    if integer:  # compared as numeric: a well-formed value past any stored one just matches none
        return whole_number(raw, -_WIDEST, _WIDEST, where=where)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidValue(f"{where}: {raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidValue(f"{where}: {raw!r} is not a finite number")
    return value


def _range(
    element: etree._Element,
    where: str,
    low: float | None,
    high: float | None,
    *,
    ordered: bool = True,
):
    """A ``range`` element's lower and upper (either may be left out); ``ordered``: upper must
    not be below lower."""
    bounds = []
    for name in ("lower", "upper"):
        raw = element.get(name)
        if raw is None or raw.strip() == "":
            bounds.append(None)
            continue
        value = _number(raw, f"{where}/range {name}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise InvalidValue(f"{where}/range {name}={raw!r} is not from {low} to {high}")
        bounds.append(value)
    lower, upper = bounds
    if ordered and lower is not None and upper is not None and upper < lower:
        raise InvalidValue(f"{where}/range: upper {upper:g} is below lower {lower:g}")
    return lower, upper


SCIENCE_LEVELS = {
    "categoryKeyword": "category",
    "topicKeyword": "topic",
    "termKeyword": "term",
    "variableLevel1Keyword": "variable_level_1",
    "variableLevel2Keyword": "variable_level_2",
    "variableLevel3Keyword": "variable_level_3",
    "detailedVariableKeyword": "detailed_variable",
    "anyKeyword": "any",
}
QA_FLAGS = {
    "automaticQualityFlag": "AutomaticQualityFlag",
    "operationalQualityFlag": "OperationalQualityFlag",
    "scienceQualityFlag": "ScienceQualityFlag",
}
QA_STATS = (
    "QAPercentMissingData",
    "QAPercentOutOfBoundsData",
    "QAPercentInterpolatedData",
    "QAPercentCloudCover",
)


def _required_text(element: etree._Element, where: str) -> str:
    value = (element.text or "").strip()
    if not value:
        raise InvalidValue(f"{where}: must not be empty", line=element.sourceline)
    return value


def _time(element: etree._Element | None):
    from datetime import time

    if element is None:
        return None
    values = []
    for name, high in (("HH", 23), ("MI", 59), ("SS", 59)):
        raw = element.get(name, "")
        values.append(whole_number(raw, 0, high, where=f"time: {name}", line=element.sourceline))
    return time(*values)


def _attribute_value(holder: etree._Element) -> c.AttributeValue:
    """An additionalAttributeValue: its one child says the type."""
    child = next(node for node in holder if isinstance(node.tag, str))
    tag, where = child.tag, f"additionalAttributeValue/{child.tag}"
    if tag in ("value", "list", "textPattern"):
        return c.AttributeValue("text", match=_text(holder))
    if tag in ("int", "float"):
        number = _number(child.text, where, integer=tag == "int")
        return c.AttributeValue("number", low=number, high=number)
    if tag in ("intRange", "floatRange", "range"):
        low, high = _range(child, where, None, None)
        if tag == "intRange":
            for bound in (low, high):
                if bound is not None and not float(bound).is_integer():
                    raise InvalidValue(f"{where}: {bound:g} is not a whole number")
        return c.AttributeValue("number", low=low, high=high)
    if tag == "Date":
        moment = _date_element(child, where)
        return c.AttributeValue("date", low=moment, high=moment)
    if tag == "dateRange":
        low, high = _date_range(child)
        return c.AttributeValue("date", low=low, high=high)
    if tag == "time":
        moment = _time(child)
        return c.AttributeValue("time", low=moment, high=moment)
    low, high = _time(child.find("startTime/time")), _time(child.find("stopTime/time"))
    return c.AttributeValue("time", low=low, high=high)


def _measured(element: etree._Element) -> c.MeasuredParameter:
    name = _required_text(element.find("measuredParameterName"), "measuredParameterName")
    flags = {
        QA_FLAGS[tag]: _text(element.find(tag)) for tag in QA_FLAGS if element.find(tag) is not None
    }
    stats = {
        tag: _range(element.find(f"{tag}/range"), tag, 0, 100)
        for tag in QA_STATS
        if element.find(f"{tag}/range") is not None
    }
    return c.MeasuredParameter(name, flags, stats)
