"""The result formats of the search API, as CMR names and shapes them (its ``api.md``): one
renderer per format, each taking a ``Page`` and returning the body."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime

from lxml import etree

from clearinghouse import xmlsafe
from clearinghouse.api.search_records import Details, details, pairs
from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.search import iso


@dataclasses.dataclass
class Page:
    target: str  # "collections" or "granules"
    hits: int
    took: int  # milliseconds
    rows: list
    url: str  # the request's own address (a feed's id)
    root: str  # the server's base address, ending in /

    @property
    def kind(self) -> str:
        return "C" if self.target == "collections" else "G"

    def concept_id(self, row) -> str:
        return item_id(self.kind, row.id, row.provider_id)


# -- references (CMR's default) and ECHO 10 ------------------------------------------------------


def references(page: Page) -> bytes:
    root = etree.Element("results")
    etree.SubElement(root, "hits").text = str(page.hits)
    etree.SubElement(root, "took").text = str(page.took)
    refs = etree.SubElement(root, "references")
    for row in page.rows:
        ref = etree.SubElement(refs, "reference")
        concept = page.concept_id(row)
        etree.SubElement(ref, "name").text = _title(page.target, row)
        etree.SubElement(ref, "id").text = concept
        etree.SubElement(ref, "location").text = f"{page.root}search/concepts/{concept}"
        etree.SubElement(ref, "revision-id").text = str(row.revision)
        if granule_count(row) is not None:
            etree.SubElement(ref, "granule-count").text = str(granule_count(row))
    return xmlsafe.tostring(root)


def echo10(page: Page) -> bytes:
    root = etree.Element("results")
    etree.SubElement(root, "hits").text = str(page.hits)
    etree.SubElement(root, "took").text = str(page.took)
    for row in page.rows:
        attributes = {
            "concept-id": page.concept_id(row),
            "revision-id": str(row.revision),
            "provider": row.provider_id,
            "format": "application/echo10+xml",
        }
        if granule_count(row) is not None:
            attributes["granule-count"] = str(granule_count(row))
        result = etree.SubElement(root, "result", attributes)
        result.append(etree.fromstring(row.xml))
    return xmlsafe.tostring(root)


def granule_count(row) -> int | None:
    """A collection's granule count, on its row when the search asked for it
    (``include_granule_counts``), as CMR shows it in each format."""
    return getattr(row, "granule_count", None)


def _title(target: str, row) -> str:
    return row.dataset_id if target == "collections" else row.granule_ur


# -- CMR's atom feed, as JSON and as XML -------------------------------------------------------

_FEED_TITLE = {"collections": "ECHO dataset metadata", "granules": "ECHO granule metadata"}


def json_feed(page: Page) -> bytes:
    entries = [entry(page.target, row) for row in page.rows]
    feed = {"updated": _now(), "id": page.url, "title": _FEED_TITLE[page.target], "entry": entries}
    return json.dumps({"feed": feed}).encode()


def entry(target: str, row, more: Details | None = None) -> dict:
    """One record as CMR's JSON shows it; keys without a value are left out, as CMR does."""
    more = more or details(row.xml)
    kind = "C" if target == "collections" else "G"
    out: dict = {"id": item_id(kind, row.id, row.provider_id), "title": _title(target, row)}
    if target == "collections":
        out |= {
            "summary": more.summary,
            "dataset_id": row.dataset_id,
            "short_name": row.short_name,
            "version_id": row.version_id,
            "processing_level_id": row.processing_level,
            "archive_center": row.archive_center,
            "platforms": list(row.platforms),
            "granule_count": granule_count(row),
        }
    else:
        out |= {
            "dataset_id": row.dataset_id,
            "producer_granule_id": row.producer_granule_id,
            "granule_size": more.size,
            "collection_concept_id": item_id("C", row.collection_id, row.provider_id),
            "cloud_cover": row.cloud_cover,
            "day_night_flag": row.day_night_flag.value if row.day_night_flag else None,
        }
    out |= {
        "original_format": "ECHO10",
        "data_center": row.provider_id,
        "time_start": iso(row.time_start),
        "time_end": iso(row.temporal_end),
        "updated": iso(row.updated),
        "coordinate_system": row.coordinate_system.value if row.coordinate_system else None,
        "online_access_flag": row.online_only,
        "browse_flag": row.browse_available,
        "links": more.links or None,
        "boxes": [pairs([b[:2], b[2:]]) for b in more.boxes] or None,
        "polygons": [[pairs(r) for r in p] for p in more.polygons] or None,
        "points": [pairs([p]) for p in more.points] or None,
        "lines": [pairs(line) for line in more.lines] or None,
    }
    return {k: v for k, v in out.items() if v is not None and v != []}


ATOM = "http://www.w3.org/2005/Atom"
_NS = {
    None: ATOM,
    "echo": "https://cmr.earthdata.nasa.gov/search/site/docs/search/api.html#atom",
    "georss": "http://www.georss.org/georss/10",
    "time": "http://a9.com/-/opensearch/extensions/time/1.0/",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
    "dc": "http://purl.org/dc/terms/",
}
# JSON key: atom element ("ns:name"), in CMR's order.
_ATOM_FIELDS = [
    ("summary", "summary"),
    ("dataset_id", "echo:datasetId"),
    ("short_name", "echo:shortName"),
    ("version_id", "echo:versionId"),
    ("producer_granule_id", "echo:producerGranuleId"),
    ("granule_size", "echo:granuleSizeMB"),
    ("original_format", "echo:originalFormat"),
    ("data_center", "echo:dataCenter"),
    ("archive_center", "echo:archiveCenter"),
    ("processing_level_id", "echo:processingLevelId"),
    ("collection_concept_id", "echo:collectionConceptId"),
    ("time_start", "time:start"),
    ("time_end", "time:end"),
    ("coordinate_system", "echo:coordinateSystem"),
    ("day_night_flag", "echo:dayNightFlag"),
    ("cloud_cover", "echo:cloudCover"),
    ("online_access_flag", "echo:onlineAccessFlag"),
    ("browse_flag", "echo:browseFlag"),
    ("granule_count", "echo:granuleCount"),
]


def _q(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{_NS[prefix or None]}}}{local}"


def _atom_text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def atom(page: Page) -> bytes:
    feed = etree.Element(_q("feed"), nsmap=_NS)
    etree.SubElement(feed, _q("updated")).text = _now()
    etree.SubElement(feed, _q("id")).text = page.url
    etree.SubElement(feed, _q("title"), type="text").text = _FEED_TITLE[page.target]
    for row in page.rows:
        shown = entry(page.target, row)
        element = etree.SubElement(feed, _q("entry"))
        etree.SubElement(element, _q("id")).text = shown["id"]
        etree.SubElement(element, _q("title"), type="text").text = shown["title"]
        etree.SubElement(element, _q("updated")).text = shown.get("updated", "")
        for key, name in _ATOM_FIELDS:
            if key in shown:
                etree.SubElement(element, _q(name)).text = _atom_text(shown[key])
        for platform in shown.get("platforms", ()):
            etree.SubElement(element, _q("echo:platform")).text = platform
        for link in shown.get("links", ()):
            etree.SubElement(element, _q("link"), link)
        for key, name in (("boxes", "box"), ("points", "point"), ("lines", "line")):
            for value in shown.get(key, ()):
                etree.SubElement(element, _q(f"georss:{name}")).text = value
        for rings in shown.get("polygons", ()):
            etree.SubElement(element, _q("georss:polygon")).text = rings[0]
    return xmlsafe.tostring(feed)


def _now() -> str:
    return iso(datetime.now(UTC))


# -- CSV (granules) and KML ----------------------------------------------------------------------

CSV_COLUMNS = [
    "Granule UR",
    "Producer Granule ID",
    "Start Time",
    "End Time",
    "Online Access URLs",
    "Browse URLs",
    "Cloud Cover",
    "Day/Night",
    "Size",
]


def granule_csv(page: Page) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in page.rows:
        shown = entry(page.target, row)
        links = shown.get("links", ())
        hrefs = {
            rel: ",".join(lk["href"] for lk in links if lk["rel"].endswith(rel))
            for rel in ("data#", "browse#")
        }
        writer.writerow(
            [
                row.granule_ur,
                row.producer_granule_id or "",
                shown.get("time_start", ""),
                shown.get("time_end", ""),
                hrefs["data#"],
                hrefs["browse#"],
                "" if row.cloud_cover is None else float(row.cloud_cover),
                shown.get("day_night_flag", ""),
                shown.get("granule_size", ""),
            ]
        )
    return out.getvalue().encode()


KML = "http://www.opengis.net/kml/2.2"


def _coordinates(points) -> str:
    return " ".join(f"{lon},{lat}" for lat, lon in points)


def kml(page: Page) -> bytes:
    root = etree.Element(f"{{{KML}}}kml", nsmap={None: KML})
    document = etree.SubElement(root, f"{{{KML}}}Document")
    for row in page.rows:
        more = details(row.xml)
        mark = etree.SubElement(document, f"{{{KML}}}Placemark")
        etree.SubElement(mark, f"{{{KML}}}name").text = _title(page.target, row)
        shapes = etree.SubElement(mark, f"{{{KML}}}MultiGeometry")
        for south, west, north, east in more.boxes:
            ring = [(south, west), (south, east), (north, east), (north, west), (south, west)]
            _kml_polygon(shapes, [ring])
        for rings in more.polygons:
            _kml_polygon(shapes, rings)
        for point in more.points:
            place = etree.SubElement(shapes, f"{{{KML}}}Point")
            etree.SubElement(place, f"{{{KML}}}coordinates").text = _coordinates([point])
        for line in more.lines:
            drawn = etree.SubElement(shapes, f"{{{KML}}}LineString")
            etree.SubElement(drawn, f"{{{KML}}}coordinates").text = _coordinates(line)
    return xmlsafe.tostring(root)


def _kml_polygon(parent, rings) -> None:
    polygon = etree.SubElement(parent, f"{{{KML}}}Polygon")
    for i, ring in enumerate(rings):
        edge = "outerBoundaryIs" if i == 0 else "innerBoundaryIs"
        side = etree.SubElement(polygon, f"{{{KML}}}{edge}")
        linear = etree.SubElement(side, f"{{{KML}}}LinearRing")
        etree.SubElement(linear, f"{{{KML}}}coordinates").text = _coordinates(ring)
