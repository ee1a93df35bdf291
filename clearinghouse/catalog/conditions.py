"""The conditions of a catalog search, whichever front end they came from (AQL or the CMR-style
parameters of ``GET /search``): each turns into a SQL condition on collections or granules.

A granule condition on a collection field (its short name, its dataset id…) is a condition on the
granule's collection; platforms, instruments and sensors match a granule's own values, or its
collection's when it has none, and additional attributes its own or its collection's (CMR's
rules, which CMR's AQL follows too).
"""

from __future__ import annotations

import contextvars
import dataclasses
import re
from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Numeric,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import TSTZMULTIRANGE

from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.catalog.orbits import backtracked
from clearinghouse.errors import InvalidValue
from spatial.search import intersects
from spatial.shapes import Shape

#: Catalog item ids: C<n>-<PROVIDER> for collections, G<n>-<PROVIDER> for granules.
ITEM_ID = re.compile(r"([CG])([0-9]{1,18})-([A-Z0-9_]{1,40})")


def item_id(kind: str, number: int, provider_id: str) -> str:
    return f"{kind}{number}-{provider_id}"


def parse_item_ids(kind: str, values, where: str) -> list[tuple[int, str]]:
    out = []
    for value in values:
        match = ITEM_ID.fullmatch(value.strip())
        if match is None or match.group(1) != kind:
            example = "C1200000001-PROVIDER" if kind == "C" else "G1200000001-PROVIDER"
            raise InvalidValue(f"{where}: {value!r} is not a catalog item id like {example}")
        out.append((int(match.group(2)), match.group(3)))
    return out


# -- text: values, lists and patterns ------------------------------------------------------------


def like_pattern(pattern: str, where: str) -> str:
    """An AQL/CMR text pattern (``%`` any run, ``_`` one character, ``\\`` escaping either or
    itself) as a SQL LIKE pattern with ``\\`` as its escape; a stray escape is an error."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 == len(pattern) or pattern[i + 1] not in "%_\\":
                shown = pattern[i : i + 2]
                raise InvalidValue(
                    f"{where}: bad escape '{shown}' in the pattern '{pattern}':"
                    " a backslash escapes %, _ or another backslash"
                )
            out.append("\\" + pattern[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


@dataclasses.dataclass(frozen=True)
class Text:
    """Strings to match exactly and patterns to match, either case-insensitively."""

    values: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # SQL LIKE patterns (``like_pattern``)
    case_insensitive: bool = False

    def on_column(self, column) -> ColumnElement[bool]:
        fold = func.lower if self.case_insensitive else (lambda c: c)
        parts = []
        if self.values:
            values = [v.lower() for v in self.values] if self.case_insensitive else self.values
            parts.append(fold(column).in_(values) if len(values) > 1 else fold(column) == values[0])
        for pattern in self.patterns:
            parts.append(fold(column).like(fold(literal(pattern)), escape="\\"))
        return or_(*parts) if parts else false()

    def on_array(self, column) -> ColumnElement[bool]:
        """Any element of a text array matches. Values go through ``lower_array(column)``, which
        the granules' name arrays are indexed by (an exact case is then checked on top)."""
        parts = []
        if self.values:
            lowered = literal([v.lower() for v in self.values], column.type)
            found = func.lower_array(column).op("&&")(lowered)
            if not self.case_insensitive:
                found = and_(found, column.op("&&")(literal(list(self.values), column.type)))
            parts.append(found)
        if self.patterns:
            element = func.unnest(column).column_valued("v")  # FROM unnest(column) AS v
            patterns = Text((), self.patterns, self.case_insensitive)
            parts.append(exists(select(literal(1)).where(patterns.on_column(element))))
        return or_(*parts)

    def each(self) -> list[Text]:
        """One Text per value or pattern (for AND: every one must match)."""
        return [Text((v,), (), self.case_insensitive) for v in self.values] + [
            Text((), (p,), self.case_insensitive) for p in self.patterns
        ]


# -- conditions ----------------------------------------------------------------------------------


class Condition:
    """Something a record must satisfy. ``negated`` (AQL's negated="Y") inverts it."""

    negated: bool = False

    def collections(self) -> ColumnElement[bool]:
        raise InvalidValue(f"{self.name} is not a condition on collections")

    def granules(self) -> ColumnElement[bool]:
        raise InvalidValue(f"{self.name} is not a condition on granules")

    @property
    def name(self) -> str:
        return type(self).__name__

    def sql(self, target: str) -> ColumnElement[bool]:
        condition = self.collections() if target == "collections" else self.granules()
        # IS NOT TRUE, not NOT: a record lacking the field (NULL) does not match, so it is found.
        return condition.is_not(True) if self.negated else condition


#: Set while a plan builds its granule conditions: runs a query on collections and returns the ids.
#: Collections are few, so their conditions are settled first and the granule statement gets the
#: ids as constants, which the planner can estimate (an array from a subquery it cannot).
collection_resolver: contextvars.ContextVar = contextvars.ContextVar("collection_resolver")


def collection_ids(*conditions: ColumnElement[bool]) -> list[int] | ColumnElement:
    """The ids of the collections meeting the conditions: a list when a resolver is set, else one
    array computed once per query (an InitPlan)."""
    statement = select(Collection.id).where(*conditions)
    resolve = collection_resolver.get(None)
    if resolve is not None:
        return resolve(statement)
    return func.array(statement.scalar_subquery())


#: Up to this many collections, a granule condition on them is one equality each, typed bigint as
#: the column is: the (collection, footprint) GiST index can then be searched once per collection
#: (it cannot search an IN list, which PostgreSQL reads as = ANY(array), nor an integer constant).
FEW_COLLECTIONS = 8


def in_collections(ids) -> ColumnElement[bool]:
    if isinstance(ids, list):
        if not ids:
            return false()
        if len(ids) <= FEW_COLLECTIONS:
            return or_(*(Granule.collection_id == cast(literal(i), BigInteger) for i in ids))
        return Granule.collection_id.in_(ids)
    return Granule.collection_id == func.any(ids)


def _of_collection(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """A granule condition on its collection's fields."""
    return in_collections(collection_ids(condition))


COLLECTION_FIELDS = {
    "short_name": Collection.short_name,
    "version_id": Collection.version_id,
    "dataset_id": Collection.dataset_id,
    "processing_level": Collection.processing_level,
    "archive_center": Collection.archive_center,
    "entry_id": Collection.entry_id,
}


@dataclasses.dataclass
class CollectionField(Condition):
    """A collection's text field: for granules, their collection's."""

    field: str
    match: Text
    negated: bool = False

    def collections(self):
        return self.match.on_column(COLLECTION_FIELDS[self.field])

    def granules(self):
        return _of_collection(self.collections())


GRANULE_FIELDS = {
    "granule_ur": Granule.granule_ur,
    "producer_granule_id": Granule.producer_granule_id,
    "pge_name": Granule.pge_name,
    "pge_version": Granule.pge_version,
}


@dataclasses.dataclass
class GranuleField(Condition):
    field: str
    match: Text
    negated: bool = False

    def granules(self):
        return self.match.on_column(GRANULE_FIELDS[self.field])


#: Names only collections have; a granule condition on them is on its collection's.
COLLECTION_NAMES = frozenset({"spatial_keywords", "temporal_keywords", "two_d_systems"})


@dataclasses.dataclass
class Names(Condition):
    """Platforms (AQL sourceName), instruments, sensors, campaigns, spatial keywords: text arrays.
    ``every``: AND (each value must be there) instead of OR."""

    field: str  # platforms, instruments, sensors, campaigns, or one of COLLECTION_NAMES
    match: Text
    every: bool = False
    negated: bool = False
    own_only: bool = False  # a granule's names alone (CMR's exclude_collection)

    def _on(self, model) -> ColumnElement[bool]:
        column = getattr(model, self.field)
        if self.every:
            return and_(*(part.on_array(column) for part in self.match.each()))
        return self.match.on_array(column)

    def collections(self):
        return self._on(Collection)

    def granules(self):
        if self.field in COLLECTION_NAMES:
            return _of_collection(self._on(Collection))
        if self.field == "campaigns" or self.own_only:
            return self._on(Granule)
        # CMR's rule: a granule's own names, its collection's only when it names none.
        inherited = and_(
            func.cardinality(getattr(Granule, self.field)) == 0,
            _of_collection(self._on(Collection)),
        )
        return or_(self._on(Granule), inherited)


@dataclasses.dataclass
class ItemIds(Condition):
    """ECHOCollectionID / ECHOGranuleID / concept_id: catalog item ids."""

    kind: str  # "C" or "G"
    ids: tuple[tuple[int, str], ...]
    negated: bool = False

    def _match(self, model) -> ColumnElement[bool]:
        return or_(*(and_(model.id == n, model.provider_id == p) for n, p in self.ids))

    def collections(self):
        if self.kind != "C":
            return super().collections()
        return self._match(Collection)

    def granules(self):
        if self.kind == "C":
            return _of_collection(self._match(Collection))
        return self._match(Granule)


@dataclasses.dataclass
class DateRange(Condition):
    """ECHOInsertDate / ECHOLastUpdate (ours), providerInsertDate (the partner's InsertTime)."""

    field: str  # created_at, updated_at, insert_time, last_update
    start: datetime | None = None
    stop: datetime | None = None
    negated: bool = False

    def _on(self, model):
        return and_(true(), *_within(getattr(model, self.field), self.start, self.stop))

    def collections(self):
        return self._on(Collection)

    def granules(self):
        return self._on(Granule)


@dataclasses.dataclass
class Flag(Condition):
    """onlineOnly, browseOnly: a boolean column that must be true."""

    field: str  # online_only, browse_available
    negated: bool = False

    def collections(self):
        return getattr(Collection, self.field).is_(True)

    def granules(self):
        return getattr(Granule, self.field).is_(True)


def _within(value, low, high) -> list[ColumnElement[bool]]:
    """``low <= value <= high``, either end left out when None."""
    return [
        *([value >= low] if low is not None else []),
        *([value <= high] if high is not None else []),
    ]


def _any_within(array, low, high) -> ColumnElement[bool]:
    """Some element of an array column is within [low, high]."""
    element = func.unnest(array).column_valued("e")
    return exists(select(literal(1)).where(true(), *_within(element, low, high)))


def _numbers(low: float | None, high: float | None):
    """The numbers from low to high, both included (either end open when None)."""
    return func.numrange(literal(low, Numeric), literal(high, Numeric), "[]")


@dataclasses.dataclass
class NumberRange(Condition):
    """cloudCover (a number within bounds), orbitNumber (any orbit the granule spans)."""

    field: str  # cloud_cover, orbits
    lower: float | None = None
    upper: float | None = None
    negated: bool = False

    def granules(self):
        if self.field == "orbits":  # any orbit the granule spans
            return Granule.orbit_ranges.op("&&")(_numbers(self.lower, self.upper))
        column = getattr(Granule, self.field)
        return and_(column.is_not(None), *_within(column, self.lower, self.upper))


@dataclasses.dataclass
class EquatorCrossing(Condition):
    """equatorCrossingLongitude (a range; lower above upper: across the antimeridian) and
    equatorCrossingDate: one of the granule's orbits crossed the equator there or then."""

    longitudes: tuple[float | None, float | None] | None = None
    dates: tuple[datetime | None, datetime | None] | None = None
    negated: bool = False

    def granules(self):
        if self.dates is not None:
            return _any_within(Granule.equator_crossing_dates, *self.dates)
        low, high = self.longitudes
        if low is not None and high is not None and low > high:
            return or_(
                _any_within(Granule.equator_crossing_longitudes, low, None),
                _any_within(Granule.equator_crossing_longitudes, None, high),
            )
        return _any_within(Granule.equator_crossing_longitudes, low, high)


@dataclasses.dataclass
class TwoDCoordinates(Condition):
    """A granule in the named 2-D coordinate system whose coordinate ranges meet the wanted ones
    (each a value or a range, ends open when None)."""

    system: Text
    coordinate1: tuple[float | None, float | None]
    coordinate2: tuple[float | None, float | None]
    negated: bool = False

    def granules(self):
        parts = [self.system.on_column(Granule.two_d_system)]
        for column, (low, high) in (
            (Granule.two_d_coordinate1, self.coordinate1),
            (Granule.two_d_coordinate2, self.coordinate2),
        ):
            parts.append(column.op("&&")(_numbers(low, high)))
        return and_(*parts)


@dataclasses.dataclass
class AllOf(Condition):
    """Several conditions that must all hold, negated together (a spatial condition with its
    2-D coordinates)."""

    parts: tuple[Condition, ...]
    negated: bool = False

    def collections(self):
        return and_(*(part.collections() for part in self.parts))

    def granules(self):
        return and_(*(part.granules() for part in self.parts))


@dataclasses.dataclass
class DayNight(Condition):
    value: str  # DAY, NIGHT, BOTH
    negated: bool = False

    def granules(self):
        return Granule.day_night_flag == self.value


@dataclasses.dataclass
class Spatial(Condition):
    shape: Shape
    negated: bool = False

    def collections(self):
        return intersects(Collection, self.shape)

    def granules(self):
        return or_(intersects(Granule, self.shape), *_backtracked(self.shape))


def _backtracked(shape: Shape) -> list[ColumnElement[bool]]:
    """The granules of orbit collections the shape is seen from (``catalog.orbits``): they keep
    no footprint. Needs the plan's collection resolver (the orbit parameters are read first)."""
    resolve = collection_resolver.get(None)
    if resolve is None:
        raise LookupError("a granule search by area is built inside a plan (catalog.search)")
    return backtracked(shape, resolve, orbit_scope.get([]))


#: Set while a granule query builds its conditions: the conditions on collections it has (its
#: collection ids, names, providers), so that only the orbit collections in scope are backtracked.
orbit_scope: contextvars.ContextVar = contextvars.ContextVar("orbit_scope")


def _collection_scope(query: Query) -> list[ColumnElement[bool]]:
    scope = [
        c.collections()
        for c in query.conditions
        if not c.negated
        and (isinstance(c, CollectionField) or (isinstance(c, ItemIds) and c.kind == "C"))
    ]
    if query.providers is not None:
        scope.append(Collection.provider_id.in_(query.providers))
    return scope


@dataclasses.dataclass
class Temporal(Condition):
    """Records whose time meets [start, stop]; with ``start_day`` (and ``end_day``), only the
    part of each year between those days (of the year, 1–366) counts: a recurring window."""

    start: datetime | None
    stop: datetime | None
    start_day: int | None = None
    end_day: int | None = None
    negated: bool = False

    def _ranges(self) -> list[tuple[datetime | None, datetime | None]]:
        if self.start_day is None and self.end_day is None:
            return [(self.start, self.stop)]
        # CMR's defaults for a recurring window: from its earliest date to the end of this year,
        # from the year's first day, to the year's last.
        start = self.start or EARLIEST
        stop = self.stop or datetime(datetime.now(UTC).year + 1, 1, 1, tzinfo=UTC)
        start_day = self.start_day or 1
        end_day = self.end_day if self.end_day is not None else 366
        ranges = []
        # From the year before the start (a window across New Year), within the calendar.
        zone = start.tzinfo
        for year in range(max(1, start.year - 1), stop.year + 1):
            first = _days_into(year, start_day - 1, zone)
            if self.end_day is None:  # to the year's last second, as CMR
                last = _days_into(year + 1, 0, zone) - timedelta(seconds=1)
            else:
                last = _days_into(year + 1 if end_day < start_day else year, end_day, zone)
            low, high = max(first, start), min(last, stop)
            if low <= high:
                ranges.append((low, high))
        return ranges

    def _on(self, model):
        ranges = self._ranges()
        if not ranges:
            return false()
        literal_text = (
            "{" + ",".join(f"[{_bound(low)},{_bound(high)}]" for low, high in ranges) + "}"
        )
        window = literal(literal_text, TSTZMULTIRANGE)
        overlaps = model.temporal.op("&&")(window)
        # The same, said so that btree indexes on (collection_id, temporal_start/end) serve it too:
        # the planner can then read a collection's granules in the window instead of the whole
        # catalog's.
        low, high = ranges[0][0], ranges[-1][1]
        bounds = []
        if high is not None:
            bounds.append(model.temporal_start <= high)
        if low is not None:
            bounds.append(or_(model.temporal_end >= low, model.temporal_end.is_(None)))
        return and_(overlaps, *bounds)

    def collections(self):
        return self._on(Collection)

    def granules(self):
        return self._on(Granule)


#: Where a recurring window without a start begins (CMR's earliest start date).
EARLIEST = datetime(1582, 10, 15, tzinfo=UTC)


def _days_into(year: int, days: int, zone) -> datetime:
    """Midnight ``days`` days after New Year of ``year``; the calendar's last instant when that
    is past year 9999 (a window of year 9999 ending on its day 365 or 366, or across its New
    Year)."""
    if year > MAXYEAR:
        return datetime.max.replace(tzinfo=zone)
    try:
        return datetime(year, 1, 1, tzinfo=zone) + timedelta(days)
    except OverflowError:
        return datetime.max.replace(tzinfo=zone)


def _bound(moment: datetime | None) -> str:
    return "" if moment is None else f'"{moment.isoformat()}"'


@dataclasses.dataclass
class AttributeNames(Condition):
    """Collections that declare additional attributes of these names."""

    match: Text
    negated: bool = False

    def collections(self):
        element = func.jsonb_array_elements(Collection.additional_attributes).table_valued("value")
        name = element.c.value.op("->>")("name")
        return exists(select(literal(1)).select_from(element).where(self.match.on_column(name)))


@dataclasses.dataclass
class Query:
    """A search: what for, of which providers (None: all), under which conditions (all hold)."""

    target: str  # "collections" or "granules"
    providers: tuple[str, ...] | None
    conditions: list[Condition]
    # What CMR's parameters add: an order (``clearinghouse.catalog.search.SortKey``s; empty: the
    # plan's), rows to skip (page_num, offset), and the granule conditions a collection's granule
    # count is taken under (None: no count).
    order: tuple = ()
    skip: int = 0
    granule_counts: tuple[Condition, ...] | None = None

    def where(self) -> list[ColumnElement[bool]]:
        model = Collection if self.target == "collections" else Granule
        token = orbit_scope.set(_collection_scope(self) if self.target == "granules" else [])
        try:
            parts = [c.sql(self.target) for c in self.conditions]
        finally:
            orbit_scope.reset(token)
        if self.providers is not None:
            parts.append(model.provider_id.in_(self.providers))
        return parts


# -- science keywords, additional attributes, measured parameters (JSON columns) ----------------

SCIENCE_LEVELS = (
    "category",
    "topic",
    "term",
    "variable_level_1",
    "variable_level_2",
    "variable_level_3",
    "detailed_variable",
)


def _either(parts: list[ColumnElement[bool]], every: bool) -> ColumnElement[bool]:
    return and_(*parts) if every else or_(*parts)


@dataclasses.dataclass
class ScienceKeywords(Condition):
    """Each keyword: levels (category, topic, term, variable_level_1…, detailed_variable, or
    ``any``) that one of the collection's science keywords must all match."""

    keywords: tuple[dict[str, Text], ...]
    every: bool = False
    negated: bool = False

    def _one(self, levels: dict[str, Text]) -> ColumnElement[bool]:
        keyword = func.jsonb_array_elements(Collection.science_keywords).column_valued("k")
        parts = []
        for level, match in levels.items():
            if level == "any":
                parts.append(
                    or_(*(match.on_column(keyword.op("->>")(name)) for name in SCIENCE_LEVELS))
                )
            else:
                parts.append(match.on_column(keyword.op("->>")(level)))
        return exists(select(literal(1)).where(*parts))

    def collections(self):
        return _either([self._one(levels) for levels in self.keywords], self.every)

    def granules(self):
        return _of_collection(self.collections())


@dataclasses.dataclass(frozen=True)
class AttributeValue:
    """What an additional attribute's value must be: text matching ``match``, or, typed
    (``number``, ``date``, ``time``), within [low, high] (either end open)."""

    kind: str  # text, number, date, time, string (a text range); any: by name alone
    match: Text | None = None
    low: Any = None
    high: Any = None

    def cast(self, raw):
        if self.kind == "string":  # a range of text (CMR's string,name,min,max)
            return raw
        return {"number": func.try_numeric, "date": func.try_timestamptz, "time": func.try_time}[
            self.kind
        ](raw)

    def on_value(self, raw) -> ColumnElement[bool]:
        if self.kind == "any":
            return true()
        if self.kind == "text":
            return self.match.on_column(raw)
        value = self.cast(raw)
        return and_(value.is_not(None), *_within(value, self.low, self.high))

    def on_range(self, begin, end) -> ColumnElement[bool]:
        """A declared range [begin, end] meeting the wanted value or range."""
        if self.kind in ("text", "any"):
            return false()
        first, last = self.cast(begin), self.cast(end)
        parts = [first.is_not(None), last.is_not(None)]
        if self.high is not None:
            parts.append(first <= self.high)
        if self.low is not None:
            parts.append(last >= self.low)
        return and_(*parts)


@dataclasses.dataclass
class AdditionalAttributes(Condition):
    """Attributes by name with a wanted value: a collection's declared value or range, a granule's
    values or, unless ``own_only``, its collection's (CMR's rule). ``every``: all the attributes
    must match (AND), else any (OR)."""

    attributes: tuple[tuple[str, AttributeValue], ...]
    every: bool = False
    negated: bool = False
    own_only: bool = False

    @staticmethod
    def _of_collections(name: str, wanted: AttributeValue) -> ColumnElement[bool]:
        attribute = func.jsonb_array_elements(Collection.additional_attributes).column_valued("a")
        field = attribute.op("->>")
        return exists(
            select(literal(1)).where(
                field("name") == name,
                or_(wanted.on_value(field("value")), wanted.on_range(field("begin"), field("end"))),
            )
        )

    def collections(self):
        return _either([self._of_collections(n, w) for n, w in self.attributes], self.every)

    def granules(self):
        parts = []
        for name, wanted in self.attributes:
            attribute = func.jsonb_array_elements(Granule.additional_attributes).column_valued("a")
            values = func.jsonb_array_elements_text(attribute.op("->")("values")).column_valued("v")
            any_value = exists(select(literal(1)).where(wanted.on_value(values)))
            own = exists(select(literal(1)).where(attribute.op("->>")("name") == name, any_value))
            if not self.own_only:
                own = or_(own, _of_collection(self._of_collections(name, wanted)))
            parts.append(own)
        return _either(parts, self.every)


@dataclasses.dataclass(frozen=True)
class MeasuredParameter:
    name: str
    flags: dict[str, Text]  # AutomaticQualityFlag…: wanted values
    stats: dict[str, tuple[float | None, float | None]]  # QAPercentMissingData…: range


@dataclasses.dataclass
class MeasuredParameters(Condition):
    parameters: tuple[MeasuredParameter, ...]
    every: bool = False
    negated: bool = False

    def granules(self):
        parts = []
        for wanted in self.parameters:
            parameter = func.jsonb_array_elements(Granule.measured_parameters).column_valued("m")
            where = [parameter.op("->>")("name") == wanted.name]
            for flag, match in wanted.flags.items():
                where.append(match.on_column(parameter.op("->")("QAFlags").op("->>")(flag)))
            for stat, (low, high) in wanted.stats.items():
                value = func.try_numeric(parameter.op("->")("QAStats").op("->>")(stat))
                where += [value.is_not(None), *_within(value, low, high)]
            parts.append(exists(select(literal(1)).where(*where)))
        return _either(parts, self.every)


# -- CMR's own conditions (``GET /search``) ------------------------------------------------------


@dataclasses.dataclass
class AnyOf(Condition):
    """Several conditions of which one must hold (CMR's ``options[…][or]``, repeated temporal)."""

    parts: tuple[Condition, ...]
    negated: bool = False

    def collections(self):
        return or_(*(part.collections() for part in self.parts))

    def granules(self):
        return or_(*(part.granules() for part in self.parts))


@dataclasses.dataclass
class Providers(Condition):
    """CMR's ``provider``: ids as given, or case ignored, or patterns. Provider ids are upper case
    (the providers table says so), so values whose case is ignored are compared upper-cased and
    the id indexes still serve; patterns are resolved against the providers first."""

    match: Text
    negated: bool = False

    def _on(self, model) -> ColumnElement[bool]:
        from clearinghouse.accounts.models import Provider

        parts = []
        if self.match.values:
            wanted = [v.upper() if self.match.case_insensitive else v for v in self.match.values]
            parts.append(model.provider_id.in_(wanted))
        if self.match.patterns:
            patterns = Text((), self.match.patterns, self.match.case_insensitive)
            matching = select(Provider.provider_id).where(patterns.on_column(Provider.provider_id))
            parts.append(model.provider_id.in_(matching.scalar_subquery()))
        return or_(*parts) if parts else false()

    def collections(self):
        return self._on(Collection)

    def granules(self):
        return self._on(Granule)


@dataclasses.dataclass
class Nothing(Condition):
    """A condition no record meets (``cloud_hosted=true``: no record here is in a cloud)."""

    negated: bool = False

    def collections(self):
        return false()

    def granules(self):
        return false()


def _live_granules(*conditions: ColumnElement[bool]):
    """A collection's live granules (as a search would find them) meeting the conditions."""
    return select(literal(1)).where(
        Granule.collection_id == Collection.id,
        Granule.deleted_at.is_(None),
        Granule.visible.is_(True),
        (Granule.delete_time.is_(None)) | (Granule.delete_time > func.now()),
        *conditions,
    )


@dataclasses.dataclass
class HasGranules(Condition):
    """Collections with (or, negated, without) a live granule."""

    negated: bool = False

    def collections(self):
        return exists(_live_granules())


def granule_count(conditions: list[Condition]):
    """The number of a collection's live granules meeting the granule side of the collection
    conditions given (CMR's ``include_granule_counts``: its spatial and temporal ones)."""
    parts = [part.sql("granules") for part in conditions]
    statement = _live_granules(*parts).with_only_columns(func.count())
    return statement.scalar_subquery().label("granule_count")


@dataclasses.dataclass
class ReadableName(Condition):
    """CMR's ``readable_granule_name``: the granule UR or the producer granule id."""

    match: Text
    negated: bool = False

    def granules(self):
        return or_(
            self.match.on_column(Granule.granule_ur),
            self.match.on_column(Granule.producer_granule_id),
        )


@dataclasses.dataclass
class Keyword(Condition):
    """CMR's ``keyword``: every word, or one phrase, in a collection's names, summary, science
    keywords, platforms and instruments: the ``keywords`` column (a full-text vector of the
    record, GIN-indexed, its names weighted above its summary). For granules: their collection's.

    ``pieces``: ("words", text) all of whose words must be there, ("phrase", text) those words
    in order, ("prefix", text) words the last of which may go on (a trailing wildcard), ("pattern",
    LIKE pattern) a word of the record matching it (wildcards inside a word: not in the index)."""

    pieces: tuple[tuple[str, str], ...]
    negated: bool = False

    def tsquery(self) -> ColumnElement | None:
        parts = []
        for kind, words in self.pieces:
            if kind == "words":
                parts.append(func.plainto_tsquery("simple", words))
            elif kind == "phrase":
                parts.append(func.phraseto_tsquery("simple", words))
            elif kind == "prefix":  # letters and digits alone: nothing to_tsquery reads as syntax
                tokens = re.findall(r"[^\W_]+", words)
                text_query = " & ".join(f"'{t}'" for t in tokens) + ":*"
                parts.append(func.to_tsquery("simple", text_query))
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined.op("&&")(part)
        return combined

    def collections(self):
        query = self.tsquery()
        parts = [] if query is None else [Collection.keywords.op("@@")(query)]
        for kind, pattern in self.pieces:
            if kind == "pattern":
                word = func.unnest(func.tsvector_to_array(Collection.keywords)).column_valued("w")
                parts.append(exists(select(literal(1)).where(word.like(pattern, escape="\\"))))
        return and_(*parts)

    def granules(self):
        return _of_collection(self.collections())

    def score(self) -> ColumnElement:
        """A whole-number rank (a sort key JSON keeps exactly): ts_rank in thousandths."""
        query = self.tsquery()
        if query is None:
            return cast(literal(0), BigInteger)
        return cast(func.round(func.ts_rank(Collection.keywords, query) * 1000), BigInteger)
