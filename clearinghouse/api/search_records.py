"""What CMR's result formats show of one stored ECHO 10 record beyond its searchable columns: its
links (online access, online resources, browse), its footprint as CMR draws it, its size and its
summary. Read from the record itself, so the formats show what the provider sent."""

from __future__ import annotations

import dataclasses

from lxml import etree

#: CMR's link relations (its atom/json results), by the kind of URL in ECHO 10.
DATA = "http://esipfed.org/ns/fedsearch/1.1/data#"
BROWSE = "http://esipfed.org/ns/fedsearch/1.1/browse#"
METADATA = "http://esipfed.org/ns/fedsearch/1.1/metadata#"
DOCUMENTATION = "http://esipfed.org/ns/fedsearch/1.1/documentation#"
SERVICE = "http://esipfed.org/ns/fedsearch/1.1/service#"


@dataclasses.dataclass
class Details:
    links: list[dict[str, str]]
    boxes: list[tuple[float, float, float, float]]  # south, west, north, east
    polygons: list[list[list[tuple[float, float]]]]  # rings of (lat, lon), outer first
    points: list[tuple[float, float]]  # (lat, lon)
    lines: list[list[tuple[float, float]]]
    size: str | None
    summary: str | None

    def has_shapes(self) -> bool:
        return bool(self.boxes or self.polygons or self.points or self.lines)


def details(xml: str) -> Details:
    root = etree.fromstring(xml.encode())
    return Details(
        links=_links(root),
        boxes=[_box(b) for b in root.iterfind("Spatial//BoundingRectangle")],
        polygons=[_polygon(p) for p in root.iterfind("Spatial//GPolygon")],
        points=[_point(p) for p in root.iterfind("Spatial//Geometry/Point")],
        lines=[
            [_point(p) for p in line.iterfind("Point")] for line in root.iterfind("Spatial//Line")
        ],
        size=_text(root, "DataGranule/SizeMBDataGranule"),
        summary=_text(root, "Description"),
    )


def _text(element, path: str) -> str | None:
    value = element.findtext(path)
    return value.strip() if value and value.strip() else None


def _link(rel: str, href: str | None, mime: str | None, title: str | None) -> dict[str, str]:
    out = {"rel": rel, "hreflang": "en-US", "href": href or ""}
    if mime:
        out["type"] = mime
    if title:
        out["title"] = title
    return out


def _resource_rel(kind: str | None) -> str:
    """ECHO 10's free-text resource type, as CMR maps it onto a relation."""
    kind = (kind or "").upper()
    if "METADATA" in kind:
        return METADATA
    if "BROWSE" in kind or "VISUALIZATION" in kind:
        return BROWSE
    if "DOCUMENT" in kind or "GUIDE" in kind or "ALGORITHM" in kind or "USER SUPPORT" in kind:
        return DOCUMENTATION
    if "SERVICE" in kind or "OPENDAP" in kind:
        return SERVICE
    if "DATA" in kind:
        return DATA
    return METADATA


def _links(root) -> list[dict[str, str]]:
    out = []
    for url in root.iterfind("OnlineAccessURLs/OnlineAccessURL"):
        out.append(
            _link(DATA, _text(url, "URL"), _text(url, "MimeType"), _text(url, "URLDescription"))
        )
    for res in root.iterfind("OnlineResources/OnlineResource"):
        title = _text(res, "Description")
        kind = _text(res, "Type")
        out.append(
            _link(
                _resource_rel(kind),
                _text(res, "URL"),
                _text(res, "MimeType"),
                title or (f"({kind})" if kind else None),
            )
        )
    for url in root.iterfind("AssociatedBrowseImageUrls/ProviderBrowseUrl"):
        out.append(
            _link(BROWSE, _text(url, "URL"), _text(url, "MimeType"), _text(url, "Description"))
        )
    return [link for link in out if link["href"]]


def _number(element, name: str) -> float:
    return float(element.findtext(name))


def _box(element) -> tuple[float, float, float, float]:
    return (
        _number(element, "SouthBoundingCoordinate"),
        _number(element, "WestBoundingCoordinate"),
        _number(element, "NorthBoundingCoordinate"),
        _number(element, "EastBoundingCoordinate"),
    )


def _point(element) -> tuple[float, float]:
    return _number(element, "PointLatitude"), _number(element, "PointLongitude")


def _ring(boundary) -> list[tuple[float, float]]:
    """ECHO 10 lists a boundary clockwise and open; CMR shows it counter-clockwise and closed."""
    points = [_point(p) for p in boundary.iterfind("Point")]
    points.reverse()
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points


def _polygon(element) -> list[list[tuple[float, float]]]:
    rings = [_ring(b) for b in element.iterfind("Boundary")]
    rings += [_ring(b) for b in element.iterfind("ExclusiveZone/Boundary")]
    return rings


def _number_text(value: float) -> str:
    return repr(float(value)) if value != int(value) else f"{value:.1f}"


def pairs(points) -> str:
    """(lat, lon) pairs as CMR's atom and json write them: ``lat lon lat lon …``."""
    return " ".join(f"{_number_text(a)} {_number_text(b)}" for a, b in points)
