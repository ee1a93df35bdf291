"""An AQL query builder: ``Query.granules().provider("X").short_name("Y").temporal(a, b)``.

Each method adds one condition (all must hold) and returns a new query, so a query can be kept
and refined. ``not_()`` negates the condition that follows. ``to_xml()`` is the ``<query>`` that
``dtd/aql.dtd`` accepts; ``str(query)`` its text.

Values the server would refuse and that can be known here (a latitude past a pole, a cloud cover
over 100, a condition a query for collections does not take) are refused at once, as
:class:`~clearinghouse_client.errors.InvalidValue` with the server's wording.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time

from lxml import etree

from clearinghouse_client.errors import InvalidValue
from clearinghouse_client.xml import E

# The conditions aql.dtd allows under each kind of query.
COLLECTION_CONDITIONS = frozenset(
    [
        "CampaignShortName",
        "dataSetId",
        "ECHOInsertDate",
        "ECHOLastUpdate",
        "onlineOnly",
        "ECHOCollectionID",
        "processingLevel",
        "sensorName",
        "shortName",
        "sourceName",
        "instrumentShortName",
        "spatial",
        "spatialKeywords",
        "temporal",
        "temporalKeywords",
        "additionalAttributeNames",
        "additionalAttributes",
        "versionId",
        "archiveCenter",
        "difEntryId",
        "scienceKeywords",
        "TwoDCoordinateSystemName",
    ]
)
GRANULE_CONDITIONS = frozenset(
    [
        "browseOnly",
        "CampaignShortName",
        "cloudCover",
        "dataSetId",
        "dayNightFlag",
        "ECHOInsertDate",
        "ECHOLastUpdate",
        "ECHOCollectionID",
        "ECHOGranuleID",
        "GranuleUR",
        "onlineOnly",
        "TwoDCoordinateSystem",
        "ProducerGranuleID",
        "sensorName",
        "sourceName",
        "instrumentShortName",
        "spatial",
        "temporal",
        "additionalAttributes",
        "collectionVersionId",
        "PGEName",
        "PGEVersion",
        "providerInsertDate",
        "providerProductionDate",
        "measuredParameters",
        "collectionShortName",
        "orbitNumber",
        "equatorCrossingLongitude",
        "equatorCrossingDate",
    ]
)
_CONDITIONS = {"collections": COLLECTION_CONDITIONS, "granules": GRANULE_CONDITIONS}
_WITH_OPERATOR = {"sourceName", "instrumentShortName", "sensorName"}
_PATTERN_LISTS = {"GranuleUR", "ProducerGranuleID"}
SCIENCE_LEVELS = {
    "category": "categoryKeyword",
    "topic": "topicKeyword",
    "term": "termKeyword",
    "variable_level_1": "variableLevel1Keyword",
    "variable_level_2": "variableLevel2Keyword",
    "variable_level_3": "variableLevel3Keyword",
    "detailed_variable": "detailedVariableKeyword",
    "any": "anyKeyword",
}
QA_FLAGS = {
    "automatic_quality_flag": "automaticQualityFlag",
    "operational_quality_flag": "operationalQualityFlag",
    "science_quality_flag": "scienceQualityFlag",
}
QA_PERCENTS = {
    "missing_data": "QAPercentMissingData",
    "out_of_bounds_data": "QAPercentOutOfBoundsData",
    "interpolated_data": "QAPercentInterpolatedData",
    "cloud_cover": "QAPercentCloudCover",
}

Moment = datetime | date | str
Number = int | float


def _refuse(message: str) -> InvalidValue:
    """The server's words for a query it refuses (it says where: in the AQL query)."""
    return InvalidValue(f"in the AQL query: {message}")


def _number(value: Number) -> str:
    """Shortest exact text of a number (whole ones without a point), as the server shows it."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


@dataclasses.dataclass(frozen=True)
class Query:
    """An AQL query for ``collections`` or ``granules``: start with :meth:`collections` or
    :meth:`granules`, add conditions, hand it to ``session.catalog.search``."""

    target: str
    providers: tuple[str, ...] | None = None
    conditions: tuple[tuple[etree._Element, bool], ...] = ()
    _negate_next: bool = False

    @classmethod
    def collections(cls) -> Query:
        """A query for collections, from every provider until :meth:`provider` says."""
        return cls("collections")

    @classmethod
    def granules(cls) -> Query:
        """A query for granules, from every provider until :meth:`provider` says."""
        return cls("granules")

    # -- building --------------------------------------------------------------------------------

    def provider(self, *provider_ids: str) -> Query:
        """Only records of these providers (the query's ``dataCenterId``)."""
        if not provider_ids:
            raise _refuse("dataCenterId: name at least one provider")
        return dataclasses.replace(self, providers=(*(self.providers or ()), *provider_ids))

    def not_(self) -> Query:
        """Negate the condition added next (``negated="Y"``)."""
        return dataclasses.replace(self, _negate_next=True)

    def condition(self, element: etree._Element) -> Query:
        """Add a condition given as its AQL element (``<cloudCover>…``), for what the named
        methods do not cover; refused at once when the query's kind does not take it."""
        tag = element.tag
        allowed = _CONDITIONS[self.target]
        if tag not in allowed:
            wrapper = "granuleCondition" if self.target == "granules" else "collectionCondition"
            raise _refuse(
                f"{wrapper}: expected {' or '.join(sorted(allowed))}, got {tag} (aql.dtd)"
            )
        return dataclasses.replace(
            self, conditions=(*self.conditions, (element, self._negate_next)), _negate_next=False
        )

    def _text(
        self,
        tag: str,
        values: Iterable[str],
        *,
        pattern: bool = False,
        case_insensitive: bool = False,
        every: bool = False,
    ) -> Query:
        return self.condition(_text_element(tag, values, pattern, case_insensitive, every))

    def _by_target(self, collection_tag: str, granule_tag: str) -> str:
        return collection_tag if self.target == "collections" else granule_tag

    def short_name(self, *names: str, pattern: bool = False, case_insensitive: bool = False):
        """The collection's short name (for granules: their collection's). ``pattern``: the
        names are patterns (``%`` any text, ``_`` one character, as in SQL)."""
        tag = self._by_target("shortName", "collectionShortName")
        return self._text(tag, names, pattern=pattern, case_insensitive=case_insensitive)

    def version_id(self, *versions: str, pattern: bool = False, case_insensitive: bool = False):
        """The collection's version (for granules: their collection's)."""
        tag = self._by_target("versionId", "collectionVersionId")
        return self._text(tag, versions, pattern=pattern, case_insensitive=case_insensitive)

    def dataset_id(self, *ids: str, pattern: bool = False, case_insensitive: bool = False):
        """The collection's dataset id (its ``DataSetId``)."""
        return self._text("dataSetId", ids, pattern=pattern, case_insensitive=case_insensitive)

    def campaign(self, *names: str, pattern: bool = False, case_insensitive: bool = False):
        """A campaign (project) short name."""
        return self._text(
            "CampaignShortName", names, pattern=pattern, case_insensitive=case_insensitive
        )

    def platform(self, *names: str, every: bool = False, pattern: bool = False):
        """A platform (source) name; ``every``: all of them, not any."""
        return self._text("sourceName", names, every=every, pattern=pattern)

    def instrument(self, *names: str, every: bool = False, pattern: bool = False):
        """An instrument short name; ``every``: all of them, not any."""
        return self._text("instrumentShortName", names, every=every, pattern=pattern)

    def sensor(self, *names: str, every: bool = False, pattern: bool = False):
        """A sensor name; ``every``: all of them, not any."""
        return self._text("sensorName", names, every=every, pattern=pattern)

    def processing_level(self, *levels: str, pattern: bool = False):
        """Collections of a processing level."""
        return self._text("processingLevel", levels, pattern=pattern)

    def archive_center(self, *centers: str, pattern: bool = False):
        """Collections of an archive center."""
        return self._text("archiveCenter", centers, pattern=pattern)

    def dif_entry_id(self, *ids: str, pattern: bool = False):
        """Collections by DIF entry id."""
        return self._text("difEntryId", ids, pattern=pattern)

    def spatial_keywords(self, *keywords: str, pattern: bool = False):
        """Collections with a spatial keyword."""
        return self._text("spatialKeywords", keywords, pattern=pattern)

    def temporal_keywords(self, *keywords: str, pattern: bool = False):
        """Collections with a temporal keyword."""
        return self._text("temporalKeywords", keywords, pattern=pattern)

    def additional_attribute_names(self, *names: str, pattern: bool = False):
        """Collections declaring an additional attribute of these names."""
        return self._text("additionalAttributeNames", names, pattern=pattern)

    def two_d_coordinate_system_name(self, *names: str, pattern: bool = False):
        """Collections declaring a 2-D coordinate system (WRS-2, say)."""
        return self._text("TwoDCoordinateSystemName", names, pattern=pattern)

    def collection_id(self, *item_ids: str):
        """Records of these collections, by catalog item id (``C<n>-<PROVIDER>``)."""
        return self._text("ECHOCollectionID", item_ids)

    def granule_id(self, *item_ids: str):
        """Granules by catalog item id (``G<n>-<PROVIDER>``)."""
        return self._text("ECHOGranuleID", item_ids)

    def granule_ur(self, *urs: str, pattern: bool = False, case_insensitive: bool = False):
        """Granules by GranuleUR."""
        return self._text("GranuleUR", urs, pattern=pattern, case_insensitive=case_insensitive)

    def producer_granule_id(self, *ids: str, pattern: bool = False):
        """Granules by producer granule id."""
        return self._text("ProducerGranuleID", ids, pattern=pattern)

    def pge_name(self, *names: str, pattern: bool = False):
        """Granules made by a PGE of this name."""
        return self._text("PGEName", names, pattern=pattern)

    def pge_version(self, *versions: str, pattern: bool = False):
        """Granules made by a PGE of this version."""
        return self._text("PGEVersion", versions, pattern=pattern)

    def online_only(self) -> Query:
        """Only records whose data is online."""
        return self.condition(E.onlineOnly(value="Y"))

    def browse_only(self) -> Query:
        """Only granules with a browse image."""
        return self.condition(E.browseOnly(value="Y"))

    def day_night(self, flag: str) -> Query:
        """Granules taken by DAY, at NIGHT, or BOTH."""
        if flag.upper() not in ("DAY", "NIGHT", "BOTH"):
            raise _refuse(f"dayNightFlag: {flag!r} is not DAY, NIGHT or BOTH")
        return self.condition(E.dayNightFlag(value=flag.upper()))

    def cloud_cover(self, lower: Number | None = None, upper: Number | None = None) -> Query:
        """Granules whose cloud cover (percent) is within the bounds (either may be None)."""
        return self.condition(E.cloudCover(_range("cloudCover", lower, upper, 0, 100)))

    def orbit_number(
        self, number: int | None = None, *, lower: Number | None = None, upper: Number | None = None
    ) -> Query:
        """Granules of one orbit, or of orbits within the bounds."""
        if number is not None:
            return self.condition(E.orbitNumber(E.value(str(number))))
        return self.condition(E.orbitNumber(_range("orbitNumber", lower, upper, None, None)))

    def equator_crossing_longitude(self, lower: Number, upper: Number) -> Query:
        """Granules crossing the equator between these longitudes (lower > upper crosses the
        antimeridian)."""
        return self.condition(
            E.equatorCrossingLongitude(
                _range("equatorCrossingLongitude", lower, upper, -180, 180, ordered=False)
            )
        )

    def equator_crossing_date(self, start: Moment | None, stop: Moment | None) -> Query:
        """Granules crossing the equator between these times."""
        return self.condition(E.equatorCrossingDate(_date_range("dateRange", start, stop)))

    def inserted(self, start: Moment | None = None, stop: Moment | None = None) -> Query:
        """Records first ingested between these times (``ECHOInsertDate``)."""
        return self.condition(E.ECHOInsertDate(_date_range("dateRange", start, stop)))

    def updated(self, start: Moment | None = None, stop: Moment | None = None) -> Query:
        """Records last updated between these times (``ECHOLastUpdate``)."""
        return self.condition(E.ECHOLastUpdate(_date_range("dateRange", start, stop)))

    def provider_insert_date(self, start: Moment | None = None, stop: Moment | None = None):
        """Granules the provider inserted between these times."""
        return self.condition(E.providerInsertDate(_date_range("dateRange", start, stop)))

    def provider_production_date(self, start: Moment | None = None, stop: Moment | None = None):
        """Granules produced between these times."""
        return self.condition(E.providerProductionDate(_date_range("dateRange", start, stop)))

    def temporal(
        self,
        start: Moment,
        stop: Moment | None = None,
        *,
        start_day: int | None = None,
        end_day: int | None = None,
    ) -> Query:
        """Records whose time span meets ``start``–``stop``; with ``start_day`` (and
        ``end_day``), only within that window of days of each year."""
        element = _date_range("temporal", start, stop)
        if start_day is not None:
            if stop is None:
                raise _refuse("temporal: a recurring window (startDay) needs a stopDate too")
            element.append(E.startDay(value=_day("startDay", start_day)))
            if end_day is not None:
                element.append(E.endDay(value=_day("endDay", end_day)))
        return self.condition(element)

    def bounding_box(self, west: Number, south: Number, east: Number, north: Number) -> Query:
        """Records meeting the box (west > east crosses the antimeridian)."""
        _points([(west, north), (east, south)])
        if north < south:
            raise _refuse(
                f"spatial: The bounding rectangle north value [{_number(north)}] was less than"
                f" the south value [{_number(south)}]"
            )
        return self.condition(E.spatial(E.IIMSBox(_point(west, south), _point(east, north))))

    def point(self, lon: Number, lat: Number) -> Query:
        """Records meeting the point."""
        _points([(lon, lat)])
        return self.condition(E.spatial(_point(lon, lat)))

    def line(self, *points: tuple[Number, Number]) -> Query:
        """Records meeting the line through the (lon, lat) points."""
        _points(points)
        return self.condition(E.spatial(E.IIMSLine(*(_point(*p) for p in points))))

    def polygon(self, *rings: Iterable[tuple[Number, Number]]) -> Query:
        """Records meeting the polygon: its outer ring, then any holes, each a closed list of
        (lon, lat) points counter-clockwise."""
        elements = []
        for ring in rings:
            ring = list(ring)
            _points(ring)
            if ring[0] != ring[-1]:
                raise _refuse(
                    "spatial: Polygon boundary was not closed. The last point must be equal to"
                    " the first point."
                )
            elements.append(E.IIMSLRing(*(_point(*p) for p in ring)))
        return self.condition(E.spatial(E.IIMSPolygon(*elements)))

    def two_d_coordinates(
        self,
        system: str,
        coordinate1: Number | tuple[Number | None, Number | None],
        coordinate2: Number | tuple[Number | None, Number | None],
    ) -> Query:
        """Granules at these coordinates of a 2-D system (a value, or a (lower, upper) range
        each): ``two_d_coordinates("WRS-2", (10, 12), 30)``."""

        def coordinate(tag: str, value) -> etree._Element:
            if isinstance(value, tuple):
                return E(tag, _range(tag, value[0], value[1], None, None))
            return E(tag, E.value(_number(value)))

        return self.condition(
            E.TwoDCoordinateSystem(
                E.TwoDCoordinateSystemName(E.value(system)),
                coordinate("coordinate1", coordinate1),
                coordinate("coordinate2", coordinate2),
            )
        )

    def science_keywords(self, *keywords: Mapping[str, str | list[str]], every: bool = False):
        """Collections with a science keyword matching each given level (``category``,
        ``topic``, ``term``, ``variable_level_1``…, ``detailed_variable``, ``any``):
        ``science_keywords({"category": "EARTH SCIENCE", "term": "SEA ICE"})``."""
        elements = []
        for keyword in keywords:
            unknown = set(keyword) - set(SCIENCE_LEVELS)
            if unknown:
                raise _refuse(f"scienceKeyword: no level {', '.join(sorted(unknown))}")
            elements.append(
                E.scienceKeyword(
                    *(
                        _text_element(SCIENCE_LEVELS[level], _listed(keyword[level]))
                        for level in SCIENCE_LEVELS
                        if level in keyword
                    )
                )
            )
        attributes = {"operator": "AND"} if every else {}
        return self.condition(E.scienceKeywords(*elements, **attributes))

    def additional_attributes(self, *attributes: tuple[str, object], every: bool = False):
        """Records whose additional attributes have these values: each a (name, value) pair; the
        value's type says the comparison — a str (text), an int or float, a (low, high) pair of
        numbers, a datetime or a pair of them, a time or a pair of them."""
        elements = [
            E.additionalAttribute(
                E.additionalAttributeName(name), E.additionalAttributeValue(_attribute(value))
            )
            for name, value in attributes
        ]
        return self.condition(
            E.additionalAttributes(*elements, **({"operator": "AND"} if every else {}))
        )

    def measured_parameter(self, name: str, **qa) -> Query:
        """Granules with a measured parameter of this name; ``automatic_quality_flag``,
        ``operational_quality_flag``, ``science_quality_flag`` (texts) and ``missing_data``,
        ``out_of_bounds_data``, ``interpolated_data``, ``cloud_cover`` ((lower, upper)
        percents) narrow it by its quality assessment."""
        parts = [E.measuredParameterName(name)]
        unknown = set(qa) - set(QA_FLAGS) - set(QA_PERCENTS)
        if unknown:
            raise _refuse(f"measuredParameter: no quality field {', '.join(sorted(unknown))}")
        for key, tag in QA_FLAGS.items():
            if key in qa:
                parts.append(_text_element(tag, _listed(qa[key])))
        for key, tag in QA_PERCENTS.items():
            if key in qa:
                parts.append(E(tag, _range(tag, *qa[key], 0, 100)))
        return self.condition(E.measuredParameters(E.measuredParameter(*parts)))

    # -- the document ----------------------------------------------------------------------------

    def to_xml(self) -> etree._Element:
        """The ``<query>`` element (aql.dtd)."""
        if self.providers is None:
            centres = E.dataCenterId(E.all())
        elif len(self.providers) == 1:
            centres = E.dataCenterId(E.value(self.providers[0]))
        else:
            centres = E.dataCenterId(E.list(*(E.value(p) for p in self.providers)))
        wrapper = "granuleCondition" if self.target == "granules" else "collectionCondition"
        where = E.where()
        for element, negated in self.conditions:
            holder = E(wrapper, **({"negated": "Y"} if negated else {}))
            holder.append(_copy(element))
            where.append(holder)
        return E.query(E("for", value=self.target), centres, where)

    def __str__(self) -> str:
        return etree.tostring(self.to_xml(), encoding="unicode")


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def _listed(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _text_element(
    tag: str,
    values: Iterable[str],
    pattern: bool = False,
    case_insensitive: bool = False,
    every: bool = False,
) -> etree._Element:
    values = list(values)
    if not values:
        raise _refuse(f"{tag}: give at least one value")
    if any(not str(v).strip() for v in values):
        raise _refuse(f"{tag}: a value must not be empty")
    extra = {"caseInsensitive": "Y"} if case_insensitive else {}
    node = "textPattern" if pattern else "value"
    attributes = {"operator": "AND"} if every and tag in _WITH_OPERATOR else {}
    if len(values) == 1:
        return E(tag, E(node, str(values[0]), **extra), **attributes)
    if pattern:
        if tag not in _PATTERN_LISTS:
            raise _refuse(f"{tag}: takes one pattern, not a list of them")
        return E(tag, E.patternList(*(E.textPattern(str(v), **extra) for v in values)))
    return E(tag, E.list(*(E.value(str(v), **extra) for v in values)), **attributes)


def _range(where: str, lower, upper, low, high, *, ordered: bool = True) -> etree._Element:
    """A ``<range>``, refused as the server refuses it."""
    attributes = {}
    for name, value in (("lower", lower), ("upper", upper)):
        if value is None:
            continue
        if not math.isfinite(float(value)):
            raise _refuse(f"{where}/range {name}: {_number(value)!r} is not a finite number")
        raw = _number(value)
        if (low is not None and value < low) or (high is not None and value > high):
            raise _refuse(f"{where}/range {name}={raw!r} is not from {low} to {high}")
        attributes[name] = raw
    if ordered and lower is not None and upper is not None and upper < lower:
        raise _refuse(f"{where}/range: upper {upper:g} is below lower {lower:g}")
    return E.range(**attributes)


def _points(points) -> None:
    for lon, lat in points:
        if not (math.isfinite(lon) and -180 <= lon <= 180):
            raise _refuse(
                f"spatial: Point longitude [{_number(lon)}] must be within -180.0 and 180.0"
            )
        if not (math.isfinite(lat) and -90 <= lat <= 90):
            raise _refuse(f"spatial: Point latitude [{_number(lat)}] must be within -90 and 90.0")


def _point(lon: Number, lat: Number) -> etree._Element:
    return E.IIMSPoint(lat=_number(lat), long=_number(lon))


def _moment(value: Moment) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _refuse(f"{value!r} is not an ISO 8601 date") from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:  # AQL dates are UTC, without a zone
        value = (value - value.utcoffset()).replace(tzinfo=None)
    return value


def _date(value: Moment) -> etree._Element:
    moment = _moment(value)
    return E.Date(
        YYYY=str(moment.year),
        MM=str(moment.month),
        DD=str(moment.day),
        HH=str(moment.hour),
        MI=str(moment.minute),
        SS=str(moment.second),
    )


def _date_range(tag: str, start: Moment | None, stop: Moment | None) -> etree._Element:
    element = E(tag)
    if start is not None:
        element.append(E.startDate(_date(start)))
    if stop is not None:
        element.append(E.stopDate(_date(stop)))
    if start is not None and stop is not None and _moment(stop) < _moment(start):
        raise _refuse(f"{tag}: stopDate is before startDate")
    return element


def _day(tag: str, day: int) -> str:
    if not 1 <= day <= 366:
        raise _refuse(f"{tag}: day of the year: '{day}' is not a whole number from 1 to 366")
    return str(day)


def _time(value: time) -> etree._Element:
    return E.time(HH=str(value.hour), MI=str(value.minute), SS=str(value.second))


def _attribute(value: object) -> etree._Element:
    if isinstance(value, tuple) and len(value) == 2:
        low, high = value
        sample = low if low is not None else high
        if isinstance(sample, datetime | date):
            return _date_range("dateRange", low, high)
        if isinstance(sample, time):
            parts = []
            if low is not None:
                parts.append(E.startTime(_time(low)))
            if high is not None:
                parts.append(E.stopTime(_time(high)))
            return E.timeRange(*parts)
        whole = all(isinstance(v, int) for v in value if v is not None)
        tag = "intRange" if whole else "floatRange"
        bounds = {k: _number(v) for k, v in (("lower", low), ("upper", high)) if v is not None}
        return E(tag, **bounds)
    if isinstance(value, bool):
        return E.value("true" if value else "false")
    if isinstance(value, int):
        return E.int(str(value))
    if isinstance(value, float):
        return E.float(_number(value))
    if isinstance(value, datetime | date):
        return _date(value)
    if isinstance(value, time):
        return _time(value)
    return E.value(str(value))
