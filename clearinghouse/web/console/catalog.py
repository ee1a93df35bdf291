"""The console's search: its form read into the search API's own parameters (so the same words
mean the same thing in both), run by the catalog's ``Plan`` for the caller, each granule with its
footprint as the map draws it and its browse image.

The free text is CMR's ``keyword`` on collections (ranked, the best shown above the granules) and,
for granules, what a user typing into one box means by it: the granules of the collections the
keyword finds, and the granules whose name holds the text (a granule UR typed in finds that
granule even when no collection's words match it)."""

from __future__ import annotations

import dataclasses

from geoalchemy2 import Geometry
from sqlalchemy import cast, func, select
from werkzeug.datastructures import MultiDict

from clearinghouse import xmlsafe
from clearinghouse.accounts.sessions import Caller
from clearinghouse.catalog import cmr, search
from clearinghouse.catalog import conditions as c
from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from clearinghouse.db import Database
from clearinghouse.errors import InvalidValue
from clearinghouse.web.console.footprints import footprint

PAGE = 20
#: Collections the free text finds shown above the granules, best ranked first.
COLLECTIONS_SHOWN = 10
#: The form's fields; those not named here pass to the search API as they are.
FIELDS = (
    "q",
    "provider",
    "dataset_id",
    "platform",
    "start",
    "end",
    "cloud_max",
    "day_night",
    "bounding_box",
    "polygon",
)
#: Which form field a search API parameter's error belongs beside.
FIELD_OF = {
    "granule_ur": "q",
    "keyword": "q",
    "temporal": "start",
    "cloud_cover": "cloud_max",
    "day_night_flag": "day_night",
}


@dataclasses.dataclass
class Results:
    rows: list[dict]
    hits: int
    estimated: bool
    after: str | None  # the next page's position, when there is one
    collections: list[dict] = dataclasses.field(default_factory=list)  # the free text's, ranked


def parameters(form, target: str = "granules") -> MultiDict:
    """The search API parameters the console's form stands for: on collections, the free text
    as ``keyword`` and the filters a collection has; on granules, every filter but the free
    text (``text_condition``: the API has no one parameter for it)."""
    out: MultiDict = MultiDict()
    value = {name: (form.get(name) or "").strip() for name in FIELDS}
    if target == "collections" and value["q"]:
        out.add("keyword", value["q"])
    for name in ("provider", "dataset_id", "platform", "bounding_box", "polygon"):
        if value[name]:
            out.add(name, value[name])
    if value["start"] or value["end"]:
        out.add("temporal", f"{value['start']},{value['end']}")
    if target == "granules":
        if value["cloud_max"]:
            out.add("cloud_cover", f",{value['cloud_max']}")
        if value["day_night"]:
            out.add("day_night_flag", value["day_night"])
    out.add("page_size", str(PAGE if target == "granules" else COLLECTIONS_SHOWN))
    return out


def text_condition(text: str) -> c.Condition:
    """Granules of the collections ``keyword`` finds, or whose UR holds the text (case blind,
    CMR's ``*``/``?`` wildcards), each read by the search API's own parameter readers."""
    named, _ = cmr.read(
        "granules",
        MultiDict(
            {
                "granule_ur": f"*{text}*",
                "options[granule_ur][pattern]": "true",
                "options[granule_ur][ignore_case]": "true",
            }
        ),
    )
    pieces = cmr.keyword_pieces(text)
    return c.AnyOf((*named.conditions, *([c.Keyword(pieces)] if pieces else [])))


def field_of(error: InvalidValue) -> str | None:
    """The form field a refusal names (its message starts ``parameter: …``)."""
    name = error.message.partition(":")[0].strip()
    name = FIELD_OF.get(name, name)
    return name if name in FIELDS else None


def _columns() -> tuple:
    dataset = (
        select(Collection.dataset_id)
        .where(Collection.id == Granule.collection_id)
        .scalar_subquery()
        .label("dataset_id")
    )
    browse = (
        select(func.coalesce(BrowseImage.file_name, BrowseImage.file_url))
        .where(
            BrowseImage.provider_id == Granule.provider_id,
            BrowseImage.provider_browse_id == func.any(Granule.browse_ids),
        )
        .order_by(BrowseImage.id)
        .limit(1)
        .scalar_subquery()
        .label("browse")
    )
    return (
        Granule.granule_ur,
        dataset,
        Granule.temporal_start,
        Granule.temporal_end,
        Granule.cloud_cover,
        Granule.day_night_flag,
        browse,
        func.ST_AsGeoJSON(Granule.spatial_geom, 5).label("planar"),
        func.ST_AsGeoJSON(cast(Granule.spatial_geog, Geometry), 5).label("geodetic"),
    )


def browse_url(provider_id: str, browse: str | None) -> str | None:
    """Where the console shows a browse image: ours through the console (the session cookie
    carries the caller), a partner's at its own URL."""
    if not browse:
        return None
    if browse.startswith(("http://", "https://")):
        return browse
    return f"/console/browse/{provider_id}/{browse}"


def run(database: Database, caller: Caller, form) -> Results:
    query, size = cmr.read("granules", parameters(form))
    text = (form.get("q") or "").strip()
    found = []
    if text:
        query.conditions.append(text_condition(text))
        found = collections(database, caller, form)
    with database.session() as session:
        plan = search.Plan(query, caller)
        after = None
        if form.get("after"):
            after = search.key_values(cmr.decode_after(form["after"]), "granules", plan.sort)
        rows = plan.page(session, size=size, after=after, columns=_columns())
        if after is None and len(rows) < size:
            hits, estimated = len(rows), False
        else:
            hits, estimated = plan.count(session)
    following = None
    if len(rows) == size:
        following = cmr.encode_after(search.key_of(rows[-1], "granules", plan.sort))
    return Results([_row(row) for row in rows], hits, estimated, following, found)


def collections(database: Database, caller: Caller, form) -> list[dict]:
    """The collections the free text finds by ``keyword``, best ranked first (CMR's order for a
    keyword search), with their rank."""
    query, size = cmr.read("collections", parameters(form, "collections"))
    keyword = next((x for x in query.conditions if isinstance(x, c.Keyword)), None)
    if keyword is None:  # wildcards or punctuation alone: no word to rank by
        return []
    columns = (
        Collection.dataset_id,
        Collection.short_name,
        Collection.version_id,
        keyword.score().label("score"),
    )
    with database.session() as session:
        rows = search.Plan(query, caller).page(session, size=size, columns=columns)
    return [
        {
            "id": item_id("C", row.id, row.provider_id),
            "provider": row.provider_id,
            "dataset": row.dataset_id,
            "short_name": row.short_name,
            "version": row.version_id,
            "score": row.score,
        }
        for row in rows
    ]


def _row(row) -> dict:
    return {
        "id": item_id("G", row.id, row.provider_id),
        "provider": row.provider_id,
        "title": row.granule_ur,
        "dataset": row.dataset_id,
        "start": search.iso(row.temporal_start),
        "end": search.iso(row.temporal_end),
        "cloud_cover": row.cloud_cover,
        "day_night": row.day_night_flag.value if row.day_night_flag else None,
        "browse": browse_url(row.provider_id, row.browse),
        "footprint": footprint(row.planar, row.geodetic),
    }


def granule(database: Database, caller: Caller, concept_id: str) -> dict | None:
    """One granule the caller may see, with its metadata (the ECHO 10 XML) and links."""
    query, _ = cmr.read("granules", MultiDict({"concept_id": concept_id}))
    with database.session() as session:
        rows = search.Plan(query, caller).page(session, size=1, columns=(*_columns(), Granule.xml))
    if not rows:
        return None
    row = rows[0]
    found = _row(row)
    record = xmlsafe.parse(row.xml.encode())
    found["xml"] = row.xml
    found["links"] = [
        {"url": url.findtext("URL"), "what": url.findtext("URLDescription") or "data"}
        for url in record.iterfind(".//OnlineAccessURL")
    ] + [
        {"url": res.findtext("URL"), "what": res.findtext("Type") or res.findtext("Description")}
        for res in record.iterfind(".//OnlineResource")
    ]
    # A link is followed only to the web or FTP: never a script a record's URL might carry.
    found["links"] = [
        link
        for link in found["links"]
        if (link["url"] or "").lower().startswith(("https://", "http://", "ftp://"))
    ]
    found["fields"] = [
        (tag, record.findtext(path))
        for tag, path in (
            ("Granule UR", "GranuleUR"),
            ("Collection", "Collection/DataSetId"),
            ("Start", "Temporal/RangeDateTime/BeginningDateTime"),
            ("End", "Temporal/RangeDateTime/EndingDateTime"),
            ("Day/night", "DataGranule/DayNightFlag"),
            ("Size (MB)", "DataGranule/SizeMBDataGranule"),
            ("Producer granule id", "DataGranule/ProducerGranuleId"),
            ("Cloud cover", "CloudCover"),
        )
        if record.findtext(path)
    ]
    return found
