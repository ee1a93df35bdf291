"""Reading the CMR-style parameters of ``GET /search/collections`` and ``GET /search/granules``
(CONTRACT §6.2) into the same ``Query`` AQL makes.

Text parameters may repeat (any value matches); like CMR's they ignore case unless
``options[<name>][ignore_case]=false`` (granule URs and producer granule ids match case unless
``…[ignore_case]=true``), and take ``*`` and ``?`` wildcards with
``options[<name>][pattern]=true``. Spatial parameters (``bounding_box``, ``polygon``, ``point``,
``line``, ``circle``) may repeat; all must hold.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

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
    "processing_level_id": "processing_level",
    "archive_center": "archive_center",
}
NAMES = {"platform": "platforms", "instrument": "instruments", "sensor": "sensors",
         "campaign": "campaigns", "spatial_keyword": "spatial_keywords"}  # fmt: skip
GRANULE_TEXT = {"granule_ur": "granule_ur", "producer_granule_id": "producer_granule_id"}
# -- orbit_number, equator_crossing_longitude, equator_crossing_date -----------------------------

#: The ECHO catalog-rest forms CMR folds into its own parameters.
_LEGACY_RANGES = ("value", "minValue", "maxValue", "min_value", "max_value")
ORBIT_PARAMETERS = frozenset({
    "orbit_number", "equator_crossing_longitude", "equator_crossing_start_date",
    "equator_crossing_end_date",
    *(f"{name}[{part}]" for name in ("orbit_number", "equator_crossing_longitude")
      for part in _LEGACY_RANGES),
})  # fmt: skip


KNOWN = {*TEXT, *NAMES, *GRANULE_TEXT, "provider", "concept_id", "bounding_box", "polygon", "point",
         "line", "circle", "temporal", "cloud_cover", "day_night_flag", "online_only",
         "browse_only", "updated_since", "page_size", "production_date",
         "equator_crossing_longitude", "equator_crossing_date"}  # fmt: skip
KNOWN |= ORBIT_PARAMETERS
GRANULE_ONLY = ("production_date", "equator_crossing_longitude", "equator_crossing_date")
DEFAULT_PAGE = 10


def read(target: str, args) -> tuple[c.Query, int]:
    """The query and the page size the parameters (a MultiDict) ask for."""
    unknown = sorted({k for k in args if k not in KNOWN and not k.startswith("options[")})
    if unknown:
        raise InvalidValue(f"unknown parameter {unknown[0]}; the parameters are "
                           + ", ".join(sorted(KNOWN)))  # fmt: skip
    found: list[c.Condition] = []
    for name, field in TEXT.items():
        if name in args:
            found.append(c.CollectionField(field, _text(args, name)))
    for name, field in NAMES.items():
        if name in args:
            every = args.get(f"options[{name}][and]", "false").lower() == "true"
            found.append(c.Names(field, _text(args, name), every=every))
    for name, field in GRANULE_TEXT.items():
        if name in args:
            if target != "granules":
                raise InvalidValue(f"{name} is a parameter of granule searches")
            found.append(c.GranuleField(field, _text(args, name)))
    if "concept_id" in args:
        found.append(_concept_ids(target, args.getlist("concept_id")))
    found += _spatial(args)
    for value in args.getlist("temporal"):
        found.append(_temporal(value))
    if "cloud_cover" in args:
        low, high = _pair(args["cloud_cover"], "cloud_cover")
        found.append(c.NumberRange("cloud_cover", low, high))
    if "day_night_flag" in args:
        flag = args["day_night_flag"].strip().upper()
        if flag not in ("DAY", "NIGHT", "BOTH", "UNSPECIFIED"):
            raise InvalidValue(f"day_night_flag: {args['day_night_flag']!r} is not day, night,"
                               " both or unspecified")  # fmt: skip
        found.append(c.DayNight(flag))
    for name, field in (("online_only", "online_only"), ("browse_only", "browse_available")):
        if name in args and _boolean(args[name], name):
            found.append(c.Flag(field))
    found += _granule_only(target, args)
    found += _orbit_fields(target, args)
    if "updated_since" in args:
        found.append(c.DateRange("updated_at", _moment(args["updated_since"], "updated_since")))
    providers = tuple(args.getlist("provider")) or None
    return c.Query(target, providers, found), _page_size(args)


#: Parameters that match case as given unless told otherwise (CMR's defaults).
CASE_SENSITIVE = {"granule_ur", "producer_granule_id"}


def _text(args, name: str) -> c.Text:
    values = [v.strip() for v in args.getlist(name)]
    default = "false" if name in CASE_SENSITIVE else "true"
    ignore_case = args.get(f"options[{name}][ignore_case]", default).lower() != "false"
    if args.get(f"options[{name}][pattern]", "false").lower() == "true":
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


def _concept_ids(target: str, values: list[str]) -> c.ItemIds:
    kinds = {v.strip()[:1] for v in values}
    kind = "G" if target == "granules" and kinds == {"G"} else "C"
    return c.ItemIds(kind, tuple(c.parse_item_ids(kind, values, "concept_id")))


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


def _spatial(args) -> list[c.Condition]:
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
        shapes.append(("line", Line(tuple(Point(*numbers[i : i + 2])
                                          for i in range(0, len(numbers), 2)))))  # fmt: skip
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
    out = []
    for name, shape in shapes:
        try:
            out.append(c.Spatial(prepare_search(shape)))
        except SpatialError as exc:
            raise InvalidValue(f"{name}: {exc.message}") from None
    if len(out) > 1 and args.get("options[spatial][or]", "false").lower() == "true":
        return [c.AnyOf(tuple(out))]
    return out


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
        raise InvalidValue("orbit_number must be an number or a range in the form"
                           f" 'number,number'. {error.message}") from None  # fmt: skip
    if low is not None and high is not None and high < low:
        raise InvalidValue(f"The maximum value [{high:f}] of the range must be greater than or"
                           f" equal to the minimum value [{low:f}].")  # fmt: skip
    return c.NumberRange("orbits", low, high)


def _orbit_equator_crossing_longitude(text: str):
    """CMR: a value is matched exactly; a range with max below min runs across the antimeridian."""
    low, high = _orbit_range(text, "equator_crossing_longitude")
    for value in (low, high):
        if value is not None and not -180 <= value <= 180:
            raise InvalidValue(f"equator_crossing_longitude [{value:g}] is not a longitude from"
                               " -180 to 180")  # fmt: skip
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
        found.append(_orbit_equator_crossing_date(
            f"{args.get('equator_crossing_start_date', '')},"
            f"{args.get('equator_crossing_end_date', '')}"
        ))  # fmt: skip
    return found


def _moment(text: str, name: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidValue(f"{name}: {text.strip()!r} is not an ISO 8601 date and time") from None


def _temporal(text: str) -> c.Temporal:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (2, 4):
        raise InvalidValue("temporal: give start,end (either may be empty), or"
                           " start,end,start_day,end_day")  # fmt: skip
    start, end = _span(parts[:2], "temporal")
    days = [None, None]
    for i, raw in enumerate(parts[2:]):
        if raw:
            days[i] = whole_number(raw, 1, 366, where="temporal: day of the year")
    if days[0] is not None and (start is None or end is None):
        raise InvalidValue("temporal: a recurring window needs both a start and an end")
    return c.Temporal(start, end, *days)


def _granule_only(target: str, args) -> list[c.Condition]:
    given = [name for name in GRANULE_ONLY if name in args]
    if given and target != "granules":
        raise InvalidValue(f"{given[0]} is a parameter of granule searches")
    found: list[c.Condition] = []
    if "production_date" in args:
        found.append(c.DateRange("production_date", *_dates(args["production_date"],
                                                             "production_date")))  # fmt: skip
    if "equator_crossing_date" in args:
        found.append(_orbit_equator_crossing_date(args["equator_crossing_date"]))
    return found


def _dates(text: str, name: str) -> tuple[datetime | None, datetime | None]:
    """``start,end`` (either may be empty) as instants."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InvalidValue(f"{name}: give start,end (either may be empty)")
    return _span(parts, name)


def _span(parts: list[str], name: str) -> tuple[datetime | None, datetime | None]:
    start, end = ((_moment(p, f"{name} {which}") if p else None)
                  for p, which in zip(parts, ("start", "end"), strict=True))  # fmt: skip
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


def _boolean(text: str, name: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise InvalidValue(f"{name}: {text!r} is not true or false")
    return lowered == "true"


def _page_size(args) -> int:
    return whole_number(args.get("page_size", str(DEFAULT_PAGE)), 1, PAGE_LIMIT, where="page_size")


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
