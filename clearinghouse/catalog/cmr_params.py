"""What CMR's search parameters say besides conditions: ``options[name][key]`` (CMR's table of
which option each parameter takes, ported from its ``parameter_validation.clj``), parameters of
one kind of search only, and the shape of the answer (``sort_key``, ``page_num``/``offset``,
``include_granule_counts``, ``pretty``)."""

from __future__ import annotations

import dataclasses
import re

from clearinghouse.catalog import conditions as c
from clearinghouse.catalog.search import SortKey
from clearinghouse.errors import InvalidValue, NotSupported
from clearinghouse.inputs import whole_number

STRING = ("pattern", "ignore_case")
STRING_AND = ("pattern", "ignore_case", "and")
SPATIAL = ("and", "or")
_SHARED = {
    "archive_center": STRING,
    "bounding_box": SPATIAL,
    "circle": SPATIAL,
    "line": SPATIAL,
    "point": SPATIAL,
    "polygon": SPATIAL,
    "spatial": SPATIAL,
    "campaign": STRING_AND,
    "project": STRING_AND,
    "created_at": ("and",),
    "revision_date": ("and",),
    "dataset_id": ("pattern",),
    "entry_title": STRING_AND,
    "provider": STRING,
    "provider_short_name": ("ignore_case",),
    "short_name": STRING_AND,
    "spatial_keyword": STRING_AND,
    "version": STRING,
    "processing_level_id": STRING,
    "entry_id": STRING_AND,
}
#: The options CMR lets each parameter take, by search.
OPTIONS = {
    "collections": {
        **_SHARED,
        "attribute": ("exclude_collection", "or", "exclude_boundary"),
        "instrument": STRING_AND,
        "platform": STRING_AND,
        "sensor": STRING_AND,
        "keyword": ("pattern",),
        "temporal": ("exclude_boundary", "and", "or", "limit_to_granules"),
    },
    "granules": {
        **_SHARED,
        "attribute": ("exclude_collection", "or", "exclude_boundary"),
        "instrument": ("exclude_collection", *STRING_AND),
        "platform": ("exclude_collection", *STRING_AND),
        "sensor": ("exclude_collection", *STRING_AND),
        "granule_ur": STRING,
        "producer_granule_id": STRING,
        "readable_granule_name": STRING_AND,
        "production_date": ("and",),
        "collection_concept_id": ("pattern",),
        "day_night_flag": STRING,
        "temporal": ("exclude_boundary", "and", "or"),
    },
}
#: Options CMR takes that this server does not act on: refused rather than ignored.
UNSUPPORTED = {"exclude_boundary", "limit_to_granules"}
UNSUPPORTED_FOR = {
    ("collection_concept_id", "pattern"),
    ("day_night_flag", "pattern"),
    ("day_night_flag", "ignore_case"),
}
_OPTION = re.compile(r"options\[([^\[\]]+)\]\[([^\[\]]+)\]")


def check_options(target: str, args) -> None:
    """Every ``options[name][key]`` one CMR takes for that parameter, true or false."""
    table = OPTIONS[target]
    for given in sorted(k for k in args if k.startswith("options[")):
        match = _OPTION.fullmatch(given)
        if match is None:
            raise InvalidValue(f"{given}: give options[parameter][option]=true or false")
        name, key = (part.replace("-", "_") for part in match.groups())  # CMR takes either
        allowed = table.get(name, ())
        if key not in allowed:
            takes = ", ".join(allowed) if allowed else "no options"
            raise InvalidValue(
                f"{given}: option [{key}] is not supported for param [{name}]"
                f" in a {target[:-1]} search; it takes {takes}"
            )
        if key in UNSUPPORTED or (name, key) in UNSUPPORTED_FOR:
            raise NotSupported(
                f"{given}: CMR's option [{key}] for [{name}] is not supported by this server"
            )
        value = args[given].strip().lower()
        if value not in ("true", "false"):
            raise InvalidValue(f"{given}: {args[given]!r} is not true or false")


def option(args, name: str, key: str, *, default: bool = False) -> bool:
    """The option's value (checked by ``check_options``)."""
    value = None
    for given in (name, name.replace("_", "-")):
        for spelt in (key, key.replace("_", "-")):
            value = args.get(f"options[{given}][{spelt}]", value)
    return default if value is None else value.strip().lower() == "true"


def granules_only(target: str, name: str) -> None:
    if target != "granules":
        raise InvalidValue(f"{name} is a parameter of granule searches")


def collections_only(target: str, name: str) -> None:
    if target != "collections":
        raise InvalidValue(f"{name} is a parameter of collection searches")


SORT_KEYS = {
    "collections": {
        "entry_title": "entry_title",
        "dataset_id": "entry_title",
        "short_name": "short_name",
        "entry_id": "entry_id",
        "start_date": "start_date",
        "end_date": "end_date",
        "provider": "provider",
        "revision_date": "revision_date",
        "score": "score",
    },
    "granules": {
        "entry_title": "entry_title",
        "dataset_id": "entry_title",
        "short_name": "short_name",
        "granule_ur": "granule_ur",
        "producer_granule_id": "producer_granule_id",
        "start_date": "start_date",
        "end_date": "end_date",
        "provider": "provider",
        "revision_date": "revision_date",
        "cloud_cover": "cloud_cover",
    },
}
#: CMR's other sort keys: refused as not supported rather than as unknown.
CMR_SORT_KEYS = {
    "collections": {
        "platform",
        "instrument",
        "sensor",
        "has_granules",
        "has_granules_or_cwic",
        "usage_score",
        "ongoing",
        "create-data-date",
    },
    "granules": {
        "campaign",
        "project",
        "data_size",
        "readable_granule_name",
        "version",
        "platform",
        "instrument",
        "sensor",
        "day_night_flag",
        "online_only",
        "browsable",
        "browse_only",
    },
}
#: Where paging by page_num or offset stops (CMR's limits); past it, page by CMR-Search-After.
PAGING_DEPTH = 1_000_000
#: The same for granule searches not limited to some collections.
UNTARGETED_PAGING_DEPTH = 10_000
#: Parameters that limit a granule search to some collections (for the paging limit above).
TARGETING = (
    "collection_concept_id",
    "concept_id",
    "echo_collection_id",
    "short_name",
    "entry_title",
    "dataset_id",
    "entry_id",
)


def shape(target: str, args, found: list[c.Condition], size: int) -> dict:
    """The Query's order, rows to skip and granule-count conditions."""
    keyword = next((x for x in found if isinstance(x, c.Keyword)), None)
    if "pretty" in args:
        boolean(args["pretty"], "pretty")  # the door lays the answer out
    counts = None
    if "include_granule_counts" in args:
        collections_only(target, "include_granule_counts")
        if boolean(args["include_granule_counts"], "include_granule_counts"):
            counts = tuple(x for x in found if _spatial_or_temporal(x))
    return {
        "order": _order(target, args, keyword),
        "skip": _skip(target, args, size),
        "granule_counts": counts,
    }


def _order(target: str, args, keyword: c.Keyword | None) -> tuple:
    given = [v.strip() for v in args.getlist("sort_key")]
    if not given:
        if keyword is None:
            return ()
        return (
            SortKey("score", True, keyword),
            SortKey("provider"),
            SortKey("short_name"),
            SortKey("entry_id"),
        )
    keys = []
    for value in given:
        descending = value.startswith("-")
        name = value[1:] if value[:1] in "+-" else value
        field = SORT_KEYS[target].get(name)
        if field is None:
            if name in CMR_SORT_KEYS[target]:
                raise NotSupported(f"sort_key: CMR's {name} is not supported by this server")
            raise InvalidValue(
                f"sort_key: {value!r} is not a {target[:-1]} sort key; they are "
                + ", ".join(sorted(SORT_KEYS[target]))
            )
        if field == "score":
            if keyword is None:
                raise InvalidValue("sort_key: score ranks a keyword search: give keyword")
            # CMR: score sorts descending unless told otherwise
            descending = not value.startswith("+")
        keys.append(SortKey(field, descending, keyword if field == "score" else None))
    return tuple(keys)


def _skip(target: str, args, size: int) -> int:
    if "page_num" in args and "offset" in args:
        raise InvalidValue("page_num and offset: give one of them, not both")
    if "page_num" in args:
        name, skip = "page_num", (whole_number(args["page_num"], 1, 10**9, where="page_num") - 1)
        skip *= size
    elif "offset" in args:
        name, skip = "offset", whole_number(args["offset"], 0, 10**9, where="offset")
    else:
        return 0
    depth = PAGING_DEPTH
    if target == "granules" and not any(t in args for t in TARGETING):
        depth = UNTARGETED_PAGING_DEPTH
    if skip + size > depth:
        scope = "" if depth == PAGING_DEPTH else " of a granule search not limited to collections"
        raise InvalidValue(
            f"{name}: paging stops at the {depth:,}th item{scope} (CMR's limit);"
            " page on with CMR-Search-After"
        )
    return skip


def _spatial_or_temporal(condition: c.Condition) -> bool:
    if isinstance(condition, c.AnyOf | c.AllOf):
        return all(_spatial_or_temporal(part) for part in condition.parts)
    return isinstance(condition, c.Spatial | c.Temporal)


def boolean(text: str, name: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise InvalidValue(f"{name}: {text!r} is not true or false")
    return lowered == "true"


#: The most patterns starting with a wildcard one search may hold (CMR's limit: each reads a
#: whole index, or the table).
LEADING_WILDCARDS = 5


def check_wildcards(found: list[c.Condition]) -> None:
    count = sum(_leading(condition) for condition in found)
    if count > LEADING_WILDCARDS:
        raise InvalidValue(
            f"The query contained [{count}] conditions which used a leading"
            " wildcard. This is more than the maximum allowed amount of"
            f" [{LEADING_WILDCARDS}]."
        )


def _leading(value) -> int:
    if isinstance(value, c.Text):
        return sum(1 for p in value.patterns if p[:1] in ("%", "_"))
    if isinstance(value, list | tuple):
        return sum(_leading(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        weight = 2 if isinstance(value, c.ReadableName) else 1  # two fields searched
        return weight * sum(_leading(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 0
