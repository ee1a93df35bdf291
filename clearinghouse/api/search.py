"""``GET /search/collections``, ``GET /search/granules`` and ``GET /search/concepts/<id>``: the
catalog for scripts and CMR's own clients, with CMR's parameter names
(``clearinghouse.catalog.cmr``), its formats (one table, ``FORMATS``), its headers (``CMR-Hits``,
``CMR-Took``, ``CMR-Request-Id``, the next page behind ``CMR-Search-After``) and its error shape."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Mapping

from lxml import etree
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from clearinghouse import incidents, xmlsafe
from clearinghouse.accounts import sessions
from clearinghouse.api import search_formats as formats
from clearinghouse.api import search_umm
from clearinghouse.api.functions import Context
from clearinghouse.catalog import cmr, cmr_params, search
from clearinghouse.catalog import conditions as c
from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.errors import ClearinghouseError, InvalidValue, NotAcceptable, NotFound

Answer = tuple[dict[str, str], int, bytes]
UTF8 = "charset=utf-8"


@dataclasses.dataclass(frozen=True)
class Format:
    #: The Content-Type header in full, as CMR sends it; by target where the two differ (UMM's
    #: versions, which CMR puts there, are not the same for collections and granules).
    content_type: str | Mapping[str, str]
    render: Callable  # a search's: (Page) -> bytes; a concept's: (target, row) -> bytes
    targets: tuple[str, ...] = ("collections", "granules")

    @property
    def media_type(self) -> str:
        """What ``Accept`` names it by: the content type without its parameters."""
        whole = self.content_type
        whole = whole if isinstance(whole, str) else next(iter(whole.values()))
        return whole.partition(";")[0].strip()

    def content_type_of(self, target: str) -> str:
        whole = self.content_type
        return whole if isinstance(whole, str) else whole[target]


#: Every format a search answers in, by its suffix (``/search/granules.json``); ``Accept`` names
#: them by media type. A format is one entry here.
FORMATS: dict[str, Format] = {
    "xml": Format(f"application/xml; {UTF8}", formats.references),
    "echo10": Format(f"application/echo10+xml; {UTF8}", formats.echo10),
    "json": Format(f"application/json; {UTF8}", formats.json_feed),
    "atom": Format(f"application/atom+xml; {UTF8}", formats.atom),
    "csv": Format(f"text/csv; {UTF8}", formats.granule_csv, ("granules",)),
    "kml": Format(f"application/vnd.google-earth.kml+xml; {UTF8}", formats.kml),
    "umm_json": Format(search_umm.RESULTS_TYPES, search_umm.results),
}
DEFAULT = "xml"  # CMR answers references when nothing is asked for


def _record_xml(target: str, row) -> bytes:
    return row.xml.encode()


def _record_json(target: str, row) -> bytes:
    return json.dumps(formats.entry(target, row)).encode()


#: Formats of one concept (``/search/concepts/<id>``): the record itself is CMR's default.
CONCEPT_FORMATS: dict[str, Format] = {
    "echo10": Format(f"application/echo10+xml; {UTF8}", _record_xml),
    "xml": Format(f"application/xml; {UTF8}", _record_xml),
    "json": Format(f"application/json; {UTF8}", _record_json),
    "umm_json": Format(search_umm.RECORD_TYPES, search_umm.record),
}
CONCEPT_DEFAULT = "echo10"


def negotiate(suffix: str, accept, table: dict, default: str) -> str:
    """The format a request asks for: its suffix, else its ``Accept`` header (werkzeug's
    MIMEAccept; ``*/*`` or no header is the default), never one it did not ask for."""
    if suffix:
        if suffix not in table:
            raise NotFound(f"no .{suffix} format: the formats are " + ", ".join(sorted(table)))
        return suffix
    if not accept:
        return default
    by_type = {entry.media_type: name for name, entry in table.items()}
    offered = [table[default].media_type, *(t for t in by_type if by_type[t] != default)]
    best = accept.best_match(offered)  # the first offered wins a tie: the default
    if best is None:
        raise NotAcceptable(
            f"no answer as {accept.to_header()} is possible: the formats are " + ", ".join(offered)
        )
    return by_type[best]


_BRACKETS = re.compile(r"([^\[\]]+)((?:\[[^\[\]]+\])*)(\[\])?")


def parameters(raw) -> MultiDict:
    """The parameters as the catalog reads them: ``name[]=v`` is ``name=v`` (CMR's clients send
    every list that way), ``options[name][key]`` stays as it is; any other use of brackets is
    refused, as CMR refuses it."""
    out: MultiDict = MultiDict()
    for name, value in raw.items(multi=True):
        match = _BRACKETS.fullmatch(name)
        if match is None:
            raise InvalidValue(
                f"parameter {name}: brackets are name[]=value for a list or"
                " options[name][option]=value"
            )
        base, keys, _ = match.groups()
        out.add(base + keys, value)
    return out


def run(
    ctx: Context, target: str, args, *, fmt: str, search_after: str | None, url: str, root: str
) -> Answer:
    started = time.monotonic()
    chosen = FORMATS[fmt]
    if target not in chosen.targets:
        raise InvalidValue(
            f"the {fmt} format ({chosen.media_type}) answers {' and '.join(chosen.targets)}"
            " searches alone"
        )
    query, size = cmr.read(target, args)
    with ctx.db.session() as session:
        caller = sessions.resolve(session, ctx.token, ctx.settings.session_timeout)
        plan = search.Plan(query, caller)
        after = None
        if search_after:
            after = search.key_values(cmr.decode_after(search_after), target, plan.sort)
        rows = []
        if size:
            rows = plan.page(session, size=size, after=after, columns=columns(target))
        if size and after is None and not query.skip and len(rows) < size:
            hits, estimated = len(rows), False  # the whole answer is on this page: no count needed
        else:
            hits, estimated = plan.count(session)
    page = formats.Page(target, hits, _took(started), rows, url, root)
    headers = {"CMR-Hits": str(hits), "Content-Type": chosen.content_type_of(target)}
    if estimated:
        headers["CMR-Hits-Estimated"] = "true"
    if rows:  # CMR's contract: the end is the first empty page, which has no token
        headers["CMR-Search-After"] = cmr.encode_after(search.key_of(rows[-1], target, plan.sort))
    body = chosen.render(page)
    if cmr_params.boolean(args.get("pretty", "false"), "pretty"):
        body = lay_out(body, chosen.media_type)
    headers["CMR-Took"] = str(_took(started))
    return headers, 200, body


def concept(ctx: Context, concept_id: str, *, fmt: str, pretty: str = "false") -> Answer:
    started = time.monotonic()
    laid_out = cmr_params.boolean(pretty, "pretty")
    kind = concept_id[:1]
    if kind not in ("C", "G") or c.ITEM_ID.fullmatch(concept_id) is None:
        raise NotFound(
            f"no concept {concept_id}: concept ids are like C1200000001-PROVIDER or"
            " G1200000001-PROVIDER"
        )
    target = "collections" if kind == "C" else "granules"
    ids = c.ItemIds(kind, tuple(c.parse_item_ids(kind, [concept_id], "concept id")))
    with ctx.db.session() as session:
        caller = sessions.resolve(session, ctx.token, ctx.settings.session_timeout)
        plan = search.Plan(c.Query(target, None, [ids]), caller)
        rows = plan.page(session, size=1, columns=columns(target))
    if not rows:
        raise NotFound(f"no concept {concept_id} that this caller may see")
    chosen = CONCEPT_FORMATS[fmt]
    headers = {
        "Content-Type": chosen.content_type_of(target),
        "CMR-Hits": "1",
        "CMR-Took": str(_took(started)),
    }
    body = chosen.render(target, rows[0])
    return headers, 200, lay_out(body, chosen.media_type) if laid_out else body


def lay_out(body: bytes, media_type: str) -> bytes:
    """An answer as ``pretty=true`` asks, as CMR lays it out: JSON and XML indented by two
    spaces (CSV has no layout to change)."""
    if media_type.endswith("json"):
        return json.dumps(json.loads(body), indent=2).encode()
    if media_type.endswith("xml"):
        root = xmlsafe.parse(body, huge=True, max_bytes=len(body) + 1)
        etree.indent(root, space="  ")
        return xmlsafe.tostring(root)
    return body


def _took(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def columns(target: str) -> tuple:
    """What the formats show of a record, fetched with the page."""
    model = Collection if target == "collections" else Granule
    shared = (
        model.xml,
        model.revision,
        model.coordinate_system,
        model.online_only,
        model.browse_available,
        model.temporal_start.label("time_start"),
        model.temporal_end,
        model.updated_at.label("updated"),
    )
    if target == "collections":
        return (
            *shared,
            Collection.short_name,
            Collection.version_id,
            Collection.dataset_id,
            Collection.processing_level,
            Collection.archive_center,
            Collection.platforms,
        )
    dataset = (
        select(Collection.dataset_id)
        .where(Collection.id == Granule.collection_id)
        .scalar_subquery()
        .label("dataset_id")
    )
    return (
        *shared,
        Granule.granule_ur,
        Granule.producer_granule_id,
        Granule.collection_id,
        dataset,
        Granule.cloud_cover,
        Granule.day_night_flag,
    )


# -- errors in CMR's shape -----------------------------------------------------------------------


def error_body(error: ClearinghouseError, *, as_json: bool) -> tuple[str, bytes]:
    """CMR's error shape for this API: ``{"errors": […]}`` or ``<errors><error>…``; the
    message is the one every other binding gives."""
    message = str(error)
    if as_json:
        return "application/json", json.dumps({"errors": [message]}).encode()
    root = etree.Element("errors")
    etree.SubElement(root, "error").text = xmlsafe.xml_text(message)
    return "application/xml; charset=utf-8", xmlsafe.tostring(root)


def request_headers() -> dict[str, str]:
    return {"CMR-Request-Id": incidents.request_id()}
