"""Reading the CMR-style parameters of ``GET /search/collections`` and ``GET /search/granules``
(CONTRACT §6.2) into the same ``Query`` AQL makes: one reader per group of parameters (``READERS``),
CMR's options and the answer's shape in ``cmr_params``.

Text parameters may repeat (any value matches, all with ``options[<name>][and]`` where CMR takes
it); like CMR's they ignore case unless ``options[<name>][ignore_case]=false``, and take ``*``
and ``?`` wildcards with ``options[<name>][pattern]=true``. Spatial parameters (``bounding_box``,
``polygon``, ``point``, ``line``, ``circle``) may repeat; all must hold unless ``…[or]``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime, time

from clearinghouse.catalog import cmr_params as params
from clearinghouse.catalog import conditions as c
from clearinghouse.catalog.search import PAGE_LIMIT
from clearinghouse.errors import InvalidValue
from clearinghouse.inputs import whole_number
from clearinghouse.times import parse_instant
from spatial.errors import SpatialError
from spatial.search import prepare_search
from spatial.shapes import BoundingBox, Circle, Line, Point, Polygon, ring

TEXT = {  # parameter: collection field (for granules: their collection's)
    "short_name": "short_name",
    "version": "version_id",
    "dataset_id": "dataset_id",
    "entry_title": "dataset_id",
    "entry_id": "entry_id",
    "processing_level_id": "processing_level",
    "archive_center": "archive_center",
}
NAMES = {
    "platform": "platforms",
    "instrument": "instruments",
    "sensor": "sensors",
    "campaign": "campaigns",
    "project": "campaigns",
    "spatial_keyword": "spatial_keywords",
}
GRANULE_TEXT = {"granule_ur": "granule_ur", "producer_granule_id": "producer_granule_id"}
#: A record's native id (CMR's ``native_id``, and the ``native-id`` of its UMM-JSON ``meta``): the
#: provider's own name for it, as ECHO 10 records carry one.
NATIVE_ID = {"collections": "dataset_id", "granules": "granule_ur"}
# -- orbit_number, equator_crossing_longitude, equator_crossing_date -----------------------------

#: The ECHO catalog-rest forms CMR folds into its own parameters.
_LEGACY_RANGES = ("value", "minValue", "maxValue", "min_value", "max_value")
ORBIT_PARAMETERS = frozenset(
    {
        "orbit_number",
        "equator_crossing_longitude",
        "equator_crossing_start_date",
        "equator_crossing_end_date",
        *(
            f"{name}[{part}]"
            for name in ("orbit_number", "equator_crossing_longitude")
            for part in _LEGACY_RANGES
        ),
    }
)


KNOWN = {
    *TEXT,
    *NAMES,
    *GRANULE_TEXT,
    "native_id",
    "provider",
    "concept_id",
    "bounding_box",
    "polygon",
    "point",
    "line",
    "circle",
    "temporal",
    "cloud_cover",
    "day_night_flag",
    "online_only",
    "browse_only",
    "updated_since",
    "page_size",
    "production_date",
    "equator_crossing_longitude",
    "equator_crossing_date",
    "collection_concept_id",
    "echo_collection_id",
    "echo_granule_id",
    "readable_granule_name",
    "provider_short_name",
    "downloadable",
    "browsable",
    "cloud_hosted",
    "revision_date",
    "created_at",
    "keyword",
    "attribute",
    "has_granules",
    "include_granule_counts",
    "sort_key",
    "page_num",
    "offset",
    "pretty",
}
KNOWN |= ORBIT_PARAMETERS
GRANULE_ONLY = ("production_date", "equator_crossing_longitude", "equator_crossing_date")
DEFAULT_PAGE = 10


def read(target: str, args) -> tuple[c.Query, int]:
    """The query and the page size the parameters (a MultiDict) ask for."""
    unknown = sorted(
        {k for k in args if k not in KNOWN and not k.startswith(("options[", "exclude["))}
    )
    if unknown:
        raise InvalidValue(
            f"unknown parameter {unknown[0]}; the parameters are " + ", ".join(sorted(KNOWN))
        )
    params.check_options(target, args)
    found = [condition for reader in READERS for condition in reader(target, args)]
    params.check_wildcards(found)
    size = _page_size(args)
    return c.Query(target, None, found, **params.shape(target, args, found, size)), size


def _texts(target: str, args) -> list[c.Condition]:
    found: list[c.Condition] = []
    for name, field in TEXT.items():
        if name in args:
            found.append(_each(args, name, lambda m, f=field: c.CollectionField(f, m)))
    for name, field in NAMES.items():
        if name in args:
            every = params.option(args, name, "and")
            own_only = params.option(args, name, "exclude_collection")
            found.append(c.Names(field, _text(args, name), every=every, own_only=own_only))
    for name, field in GRANULE_TEXT.items():
        if name in args:
            params.granules_only(target, name)
            found.append(c.GranuleField(field, _text(args, name)))
    if "native_id" in args:
        own = c.CollectionField if target == "collections" else c.GranuleField
        found.append(own(NATIVE_ID[target], _text(args, "native_id")))
    return found


def _each(args, name: str, condition) -> c.Condition:
    """One condition on all the values (any matches), or with ``options[name][and]`` one per
    value, all of which must hold (a collection has one short name: two ANDed match none)."""
    match = _text(args, name)
    if not params.option(args, name, "and"):
        return condition(match)
    return c.AllOf(tuple(condition(part) for part in match.each()))


def _text(args, name: str) -> c.Text:
    values = [v.strip() for v in args.getlist(name)]
    ignore_case = params.option(args, name, "ignore_case", default=True)
    if params.option(args, name, "pattern"):
        patterns = tuple(_wildcards(v) for v in values)
        return c.Text((), patterns, ignore_case)
    return c.Text(tuple(values), (), ignore_case)


def _wildcards(value: str) -> str:
    """CMR's ``*`` and ``?`` as a LIKE pattern (the rest taken literally)."""
    out = []
    for char in value:
        if char in "%_\\":
            out.append("\\" + char)
        else:
            out.append({"*": "%", "?": "_"}.get(char, char))
    return "".join(out)


def _ids(target: str, args) -> list[c.Condition]:
    """concept_id (C and G ids mixed: a granule of those collections, or one of those granules),
    echo_collection_id, collection_concept_id, echo_granule_id."""
    found: list[c.Condition] = []
    for name, kinds in (
        ("concept_id", "CG"),
        ("echo_collection_id", "C"),
        ("collection_concept_id", "C"),
        ("echo_granule_id", "G"),
    ):
        if name not in args:
            continue
        if name in ("collection_concept_id", "echo_granule_id"):
            params.granules_only(target, name)
        found.append(_concept_ids(target, name, kinds, args.getlist(name)))
    return found


def _concept_ids(target: str, name: str, kinds: str, values: list[str]) -> c.Condition:
    """Catalog item ids (CMR takes no options on them: always exact)."""
    values = [v.strip() for v in values]
    wanted = {kind: [v for v in values if v[:1] == kind] for kind in kinds}
    strays = [
        v for v in values if v[:1] not in set(kinds) or (target == "collections" and v[:1] == "G")
    ]
    if strays:
        allowed = (
            "a collection's catalog item id (C1200000001-PROVIDER)"
            if target == "collections" or kinds == "C"
            else "a granule's catalog item id (G1200000001-PROVIDER)"
            if kinds == "G"
            else "a catalog item id of a collection or a granule (C…-PROVIDER, G…)"
        )
        raise InvalidValue(f"{name}: {strays[0]!r} is not {allowed}")
    parts = tuple(
        c.ItemIds(kind, tuple(c.parse_item_ids(kind, ids, name)))
        for kind, ids in wanted.items()
        if ids
    )
    return parts[0] if len(parts) == 1 else c.AnyOf(parts)


def _numbers(text: str, name: str) -> list[float]:
    out = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise InvalidValue(f"{name}: {part.strip()!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidValue(f"{name}: {part.strip()!r} is not a finite number")
        out.append(value)
    return out


def _spatial(target: str, args) -> list[c.Condition]:
    """The shapes: those of one parameter all hold (or, with ``options[name][or]``, one), and
    so do the parameters; ``options[spatial][or]`` asks for any one shape of them all (CMR's
    granule_counts_search_test.clj ORs two bounding boxes with it alone)."""
    shapes = []
    for text in args.getlist("bounding_box"):
        numbers = _numbers(text, "bounding_box")
        if len(numbers) != 4:
            raise InvalidValue("bounding_box: give west,south,east,north")
        shapes.append(("bounding_box", BoundingBox(*numbers)))
    for text in args.getlist("point"):
        numbers = _numbers(text, "point")
        if len(numbers) != 2:
            raise InvalidValue("point: give lon,lat")
        shapes.append(("point", Point(*numbers)))
    for text in args.getlist("line"):
        numbers = _numbers(text, "line")
        if len(numbers) < 4 or len(numbers) % 2:
            raise InvalidValue("line: give at least two lon,lat pairs")
        shapes.append(
            ("line", Line(tuple(Point(*numbers[i : i + 2]) for i in range(0, len(numbers), 2))))
        )
    for text in args.getlist("polygon"):
        numbers = _numbers(text, "polygon")
        if len(numbers) < 8 or len(numbers) % 2:
            raise InvalidValue("polygon: give at least four lon,lat pairs, the last the first")
        pairs = [tuple(numbers[i : i + 2]) for i in range(0, len(numbers), 2)]
        if pairs[0] != pairs[-1]:
            raise InvalidValue("polygon: the last point must be the first (a closed ring)")
        shapes.append(("polygon", Polygon(ring(*pairs))))
    for text in args.getlist("circle"):
        numbers = _numbers(text, "circle")
        if len(numbers) != 3:
            raise InvalidValue("circle: give lon,lat,radius (metres)")
        shapes.append(("circle", Circle(Point(numbers[0], numbers[1]), numbers[2])))
    groups: dict[str, list[c.Condition]] = {}
    for name, shape in shapes:
        try:
            groups.setdefault(name, []).append(c.Spatial(prepare_search(shape)))
        except SpatialError as exc:
            raise InvalidValue(f"{name}: {exc.message}") from None
    if params.option(args, "spatial", "or") and groups:
        return [_combine([part for parts in groups.values() for part in parts], True)]
    return [_combine(parts, params.option(args, name, "or")) for name, parts in groups.items()]


def _combine(parts: list[c.Condition], either: bool) -> c.Condition:
    if len(parts) == 1:
        return parts[0]
    return c.AnyOf(tuple(parts)) if either else c.AllOf(tuple(parts))


def _orbit_double(text: str) -> float:
    """A number as CMR reads one (its message names the Java class it wanted)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidValue(f"[{text}] is not a valid class java.lang.Double")
    return value


def _orbit_folded(args, name: str) -> str | None:
    """``name`` as given, or its legacy ``[value]`` / ``[minValue]`` / ``[maxValue]`` form."""
    if name in args:
        return args[name]
    value = args.get(f"{name}[value]")
    if value is not None:
        return value
    low = args.get(f"{name}[minValue]", args.get(f"{name}[min_value]"))
    high = args.get(f"{name}[maxValue]", args.get(f"{name}[max_value]"))
    if low is None and high is None:
        return None
    return f"{low or ''},{high or ''}"


def _orbit_range(text: str, name: str) -> tuple[float | None, float | None]:
    """``v`` (low = high = v), ``min,max``, ``min,`` or ``,max``."""
    parts = text.split(",")
    if len(parts) == 1:
        value = _orbit_double(parts[0].strip())
        return value, value
    if len(parts) != 2:
        raise InvalidValue(f"{name} must be a number or a range in the form 'number,number'.")
    low, high = ((_orbit_double(p.strip()) if p.strip() else None) for p in parts)
    return low, high


def _orbit_number(text: str):
    """CMR: a value matches OrbitNumber or a StartOrbitNumber..StopOrbitNumber span holding it;
    a range matches when it meets either (both inclusive)."""
    try:
        low, high = _orbit_range(text, "orbit_number")
    except InvalidValue as error:
        raise InvalidValue(
            "orbit_number must be an number or a range in the form"
            f" 'number,number'. {error.message}"
        ) from None
    if low is not None and high is not None and high < low:
        raise InvalidValue(
            f"The maximum value [{high:f}] of the range must be greater than or"
            f" equal to the minimum value [{low:f}]."
        )
    return c.NumberRange("orbits", low, high)


def _orbit_equator_crossing_longitude(text: str):
    """CMR: a value is matched exactly; a range with max below min runs across the antimeridian."""
    low, high = _orbit_range(text, "equator_crossing_longitude")
    for value in (low, high):
        if value is not None and not -180 <= value <= 180:
            raise InvalidValue(
                f"equator_crossing_longitude [{value:g}] is not a longitude from -180 to 180"
            )
    return c.EquatorCrossing(longitudes=(low, high))


def _orbit_instant(text: str):
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidValue(f"[{text}] is not a valid datetime") from None


def _orbit_equator_crossing_date(text: str):
    """CMR: ``start,end``, either may be empty, inclusive."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InvalidValue(f"[{text}] is not a valid datetime range: give start,end")
    start, end = ((_orbit_instant(p) if p else None) for p in parts)
    if start and end and end < start:
        raise InvalidValue(f"equator_crossing_date [{text}]: the end is before the start")
    return c.EquatorCrossing(dates=(start, end))


def _orbit_fields(target: str, args) -> list[c.Condition]:
    """The orbit conditions among CMR-style parameters (granule searches only)."""
    given = sorted(name for name in ORBIT_PARAMETERS if name in args)
    if given and target != "granules":
        raise InvalidValue(f"{given[0]} is a parameter of granule searches")
    found = []
    number = _orbit_folded(args, "orbit_number")
    if number is not None:
        found.append(_orbit_number(number))
    longitude = _orbit_folded(args, "equator_crossing_longitude")
    if longitude is not None:
        found.append(_orbit_equator_crossing_longitude(longitude))
    if "equator_crossing_start_date" in args or "equator_crossing_end_date" in args:
        found.append(
            _orbit_equator_crossing_date(
                f"{args.get('equator_crossing_start_date', '')},"
                f"{args.get('equator_crossing_end_date', '')}"
            )
        )
    return found


def _moment(text: str, name: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidValue(f"{name}: {text.strip()!r} is not an ISO 8601 date and time") from None


def _temporals(target: str, args) -> list[c.Condition]:
    """Repeated temporal windows: any (CMR), or all with ``options[temporal][and]``."""
    windows = [_temporal(value) for value in args.getlist("temporal")]
    if not windows:
        return []
    return [_combine(windows, not params.option(args, "temporal", "and"))]


def _temporal(text: str) -> c.Temporal:
    """start,end[,start_day[,end_day]]: either date may be empty; a recurring window without a
    start runs from CMR's earliest date, without an end to this year's, an empty start day is
    the first."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (2, 3, 4):
        raise InvalidValue(
            "temporal: give start,end (either may be empty), or start,end,start_day[,end_day]"
        )
    start, end = _span(parts[:2], "temporal")
    days = [None, None]
    for i, raw in enumerate(parts[2:]):
        if raw:
            days[i] = whole_number(raw, 1, 366, where="temporal: day of the year")
    if start is None and end is None:
        raise InvalidValue("temporal: give a start or an end (or both)")
    return c.Temporal(start, end, *days)


def _granule_only(target: str, args) -> list[c.Condition]:
    for name in GRANULE_ONLY:
        if name in args:
            params.granules_only(target, name)
    found: list[c.Condition] = []
    if "production_date" in args:  # repeated: any (all with options[production_date][and])
        ranges = [
            c.DateRange("production_date", *_dates(v, "production_date"))
            for v in args.getlist("production_date")
        ]
        found.append(_combine(ranges, not params.option(args, "production_date", "and")))
    if "equator_crossing_date" in args:
        found.append(_orbit_equator_crossing_date(args["equator_crossing_date"]))
    return found


def _granule_values(target: str, args) -> list[c.Condition]:
    """cloud_cover and day_night_flag: granule values; repeated, any of them."""
    found: list[c.Condition] = []
    if "cloud_cover" in args:
        params.granules_only(target, "cloud_cover")
        ranges = []
        for value in args.getlist("cloud_cover"):
            if not value.strip():  # as CMR: an empty cloud_cover asks nothing
                continue
            low, high = _pair(value, "cloud_cover")
            if low is None and high is None:
                raise InvalidValue("cloud_cover: give min,max (one of them at least)")
            for bound in (low, high):  # as AQL's cloudCover: a percentage
                if bound is not None and not 0 <= bound <= 100:
                    raise InvalidValue(f"cloud_cover: {bound:g} is not a percentage from 0 to 100")
            ranges.append(c.NumberRange("cloud_cover", low, high))
        found += [_combine(ranges, True)] if ranges else []
    if "day_night_flag" in args:
        params.granules_only(target, "day_night_flag")
        flags = []
        for value in args.getlist("day_night_flag"):
            flag = value.strip().upper()
            if flag not in ("DAY", "NIGHT", "BOTH", "UNSPECIFIED"):
                raise InvalidValue(
                    f"day_night_flag: {value!r} is not day, night, both or unspecified"
                )
            flags.append(c.DayNight(flag))
        found.append(_combine(flags, True))
    if "readable_granule_name" in args:
        params.granules_only(target, "readable_granule_name")
        found.append(_each(args, "readable_granule_name", c.ReadableName))
    return found


#: true/false parameters: the column that must be true (false: must not be).
FLAGS = {
    "online_only": "online_only",
    "downloadable": "online_only",
    "browse_only": "browse_available",
    "browsable": "browse_available",
}


def _flags(target: str, args) -> list[c.Condition]:
    found: list[c.Condition] = []
    for name, field in FLAGS.items():
        if name in args:
            found.append(c.Flag(field, negated=not params.boolean(args[name], name)))
    if "cloud_hosted" in args:  # ECHO 10 records say nothing of clouds: none is hosted in one
        params.collections_only(target, "cloud_hosted")
        if params.boolean(args["cloud_hosted"], "cloud_hosted"):
            found.append(c.Nothing())
    if "has_granules" in args:
        params.collections_only(target, "has_granules")
        wanted = params.boolean(args["has_granules"], "has_granules")
        found.append(c.HasGranules(negated=not wanted))
    return found


def _times(target: str, args) -> list[c.Condition]:
    """updated_since; revision_date and created_at ranges, repeated: any (all with ``and``)."""
    found: list[c.Condition] = []
    if "updated_since" in args:
        found.append(c.DateRange("updated_at", _moment(args["updated_since"], "updated_since")))
    for name, field in (("revision_date", "updated_at"), ("created_at", "created_at")):
        if name in args:
            ranges = [c.DateRange(field, *_dates(v, name)) for v in args.getlist(name)]
            found.append(_combine(ranges, not params.option(args, name, "and")))
    return found


def _providers(target: str, args) -> list[c.Condition]:
    """provider (ignore_case, pattern) and provider_short_name (ignore_case): a provider's short
    name is its id here."""
    found: list[c.Condition] = []
    for name in ("provider", "provider_short_name"):
        if name in args:
            found.append(c.Providers(_text(args, name)))
    return found


def _excluded(target: str, args) -> list[c.Condition]:
    """exclude[echo_granule_id] (granule ids) and exclude[concept_id] (granule or collection ids:
    the collection's granules)."""
    found: list[c.Condition] = []
    for name in sorted({k for k in args if k.startswith("exclude[")}):
        params.granules_only(target, "exclude")
        field = name.removeprefix("exclude[").removesuffix("[]").removesuffix("]")
        kinds = {"echo_granule_id": "G", "concept_id": "CG"}.get(field)
        if kinds is None:
            raise InvalidValue(f"{name}: exclude takes echo_granule_id or concept_id")
        excluded = _concept_ids(target, name, kinds, args.getlist(name))
        excluded.negated = True
        found.append(excluded)
    return found


def _keyword(target: str, args) -> list[c.Condition]:
    if "keyword" not in args:
        return []
    params.collections_only(target, "keyword")
    pieces = keyword_pieces(" ".join(args.getlist("keyword")))
    return [c.Keyword(pieces)] if pieces else []


def keyword_pieces(text: str) -> tuple[tuple[str, str], ...]:
    """CMR's keyword text: words, ``*`` and ``?`` wildcards in them (each such word matched
    against the record's words), or one phrase in double quotes."""
    stripped = text.strip()
    if '"' in stripped:
        if not (
            stripped.startswith('"')
            and stripped.endswith('"')
            and len(stripped) > 1
            and stripped.count('"') == 2
        ):
            raise InvalidValue(
                "keyword: one phrase in double quotes, or words without quotes:"
                " a phrase mixed with words, or two phrases, are not supported"
            )
        phrase = stripped[1:-1].replace("*", " ").replace("?", " ").strip()
        return (("phrase", phrase),) if phrase else ()
    pieces = []
    for word in stripped.split():
        if not re.search(r"[^\W_]", word):
            continue  # wildcards or punctuation alone: every record has such a word
        bare = word.rstrip("*")
        if "*" not in bare and "?" not in bare:
            pieces.append(("prefix" if bare != word else "words", bare))
        else:
            pieces.append(("pattern", _wildcards(word.lower())))
    return tuple(pieces)


ATTRIBUTE_TYPES = {
    "string": "text",
    "float": "number",
    "int": "number",
    "datetime": "date",
    "date": "date",
    "time": "time",
}


def _attributes(target: str, args) -> list[c.Condition]:
    r"""attribute: ``name`` alone, or ``type,name,value``, or ``type,name,min,max`` (either end
    may be empty); ``\,`` a comma inside a name or value. All must match, or any with ``or``."""
    if "attribute" not in args:
        return []
    wanted = tuple(_attribute(value) for value in args.getlist("attribute"))
    return [
        c.AdditionalAttributes(
            wanted,
            every=not params.option(args, "attribute", "or"),
            own_only=params.option(args, "attribute", "exclude_collection"),
        )
    ]


def _attribute(text: str) -> tuple[str, c.AttributeValue]:
    parts = [p.replace("\x00", ",") for p in text.replace("\\,", "\x00").split(",")]
    if len(parts) == 1:
        name = parts[0].strip()
        if not name:
            raise InvalidValue("attribute: give a name, or type,name,value, or type,name,min,max")
        return name, c.AttributeValue("any")
    kind = ATTRIBUTE_TYPES.get(parts[0].strip().lower())
    if kind is None or len(parts) not in (3, 4) or not parts[1].strip():
        raise InvalidValue(
            f"attribute: {text!r}: give a name, or type,name,value, or"
            " type,name,min,max, the type one of " + ", ".join(ATTRIBUTE_TYPES)
        )
    name, values = parts[1].strip(), [p.strip() for p in parts[2:]]
    if len(values) == 1 and not values[0]:
        raise InvalidValue(f"attribute: {text!r}: give the value")
    if len(values) == 2 and not any(values):
        raise InvalidValue(f"attribute: {text!r}: give the min, the max or both")
    if kind == "text" and len(values) == 1:  # as CMR: a string value matches ignoring case
        return name, c.AttributeValue("text", match=c.Text((values[0],), (), True))
    if kind == "text":
        low, high = (v or None for v in values)
    else:
        typed = [
            None if not v else _attribute_value(v, parts[0].strip().lower(), text) for v in values
        ]
        low, high = (typed[0], typed[0]) if len(typed) == 1 else typed
    if low is not None and high is not None and high <= low and len(values) == 2:
        raise InvalidValue(f"attribute: {text!r}: the max must be above the min")
    return name, c.AttributeValue("string" if kind == "text" else kind, low=low, high=high)


def _attribute_value(raw: str, kind: str, text: str):
    where = f"attribute {text!r}"
    if kind == "float":
        return _numbers(raw, where)[0]
    if kind == "int":
        return whole_number(raw, -(10**30), 10**30, where=where)
    if kind in ("datetime", "date"):
        return _moment(raw, where)
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"{where}: {raw!r} is not a time (HH:MM:SS)") from None


#: Each reads its parameters into conditions (all of which must hold).
READERS = (
    _texts,
    _ids,
    _providers,
    _spatial,
    _temporals,
    _granule_values,
    _flags,
    _times,
    _granule_only,
    _orbit_fields,
    _keyword,
    _attributes,
    _excluded,
)


def _dates(text: str, name: str) -> tuple[datetime | None, datetime | None]:
    """``start,end`` (either may be empty) as instants."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InvalidValue(f"{name}: give start,end (either may be empty)")
    return _span(parts, name)


def _span(parts: list[str], name: str) -> tuple[datetime | None, datetime | None]:
    start, end = (
        (_moment(p, f"{name} {which}") if p else None)
        for p, which in zip(parts, ("start", "end"), strict=True)
    )
    if start and end and end < start:
        raise InvalidValue(f"{name}: the end is before the start")
    return start, end


def _pair(text: str, name: str, *, ordered: bool = True) -> tuple[float | None, float | None]:
    parts = text.split(",")
    if len(parts) != 2:
        raise InvalidValue(f"{name}: give min,max (either may be empty)")
    low, high = ((_numbers(p, name)[0] if p.strip() else None) for p in parts)
    if ordered and low is not None and high is not None and high < low:
        raise InvalidValue(f"{name}: the max is below the min")
    return low, high


def _page_size(args) -> int:
    """0 asks for the hit count alone (CMR's ``hits()``)."""
    return whole_number(args.get("page_size", str(DEFAULT_PAGE)), 0, PAGE_LIMIT, where="page_size")


def encode_after(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_after(token: str) -> list:
    try:
        padded = token + "=" * (-len(token) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidValue("CMR-Search-After: not a value this server gave") from None
    if not isinstance(key, list):
        raise InvalidValue("CMR-Search-After: not a value this server gave")
    return key
