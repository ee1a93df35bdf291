"""The console's granule search: its form read into the search API's own parameters (so the same
words mean the same thing in both), run by the catalog's ``Plan`` for the caller, each row with its
footprint as the map draws it and its browse image."""

from __future__ import annotations

import dataclasses

from geoalchemy2 import Geometry
from sqlalchemy import cast, func, select
from werkzeug.datastructures import MultiDict

from clearinghouse import xmlsafe
from clearinghouse.accounts.sessions import Caller
from clearinghouse.catalog import cmr, search
from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from clearinghouse.db import Database
from clearinghouse.errors import InvalidValue
from clearinghouse.web.console.footprints import footprint

PAGE = 20
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


def parameters(form) -> MultiDict:
    """The search API parameters the console's form stands for."""
    out: MultiDict = MultiDict()
    value = {name: (form.get(name) or "").strip() for name in FIELDS}
    if value["q"]:
        out.add("granule_ur", f"*{value['q']}*")
        out.add("options[granule_ur][pattern]", "true")
        out.add("options[granule_ur][ignore_case]", "true")
    for name in ("provider", "dataset_id", "platform", "bounding_box", "polygon"):
        if value[name]:
            out.add(name, value[name])
    if value["start"] or value["end"]:
        out.add("temporal", f"{value['start']},{value['end']}")
    if value["cloud_max"]:
        out.add("cloud_cover", f",{value['cloud_max']}")
    if value["day_night"]:
        out.add("day_night_flag", value["day_night"])
    out.add("page_size", str(PAGE))
    return out


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
    params = parameters(form)
    query, size = cmr.read("granules", params)
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
    return Results([_row(row) for row in rows], hits, estimated, following)


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
