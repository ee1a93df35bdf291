"""ECHO 10 geometry as UMM writes it (CMR's ``echo10/spatial.clj`` and ``umm_g/spatial.clj``).
ECHO 10 lists a polygon's points open and clockwise; UMM wants them closed and counter-clockwise,
so the ring is reversed and its first point repeated at the end."""

from __future__ import annotations

from lxml import etree

from clearinghouse.catalog.umm._xml import compact, number, text


def point(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    lon, lat = number(element, "PointLongitude"), number(element, "PointLatitude")
    if lon is None or lat is None:
        return None
    return {"Longitude": lon, "Latitude": lat}


def _ring(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    points = [p for p in (point(e) for e in element.findall("Point")) if p]
    if not points:
        return None
    ccw = points[::-1]
    return {"Points": [*ccw, ccw[0]]}


def _rectangle(element: etree._Element) -> dict:
    sides = (
        "WestBoundingCoordinate",
        "NorthBoundingCoordinate",
        "EastBoundingCoordinate",
        "SouthBoundingCoordinate",
    )
    return {side: number(element, side) for side in sides}


def _polygon(element: etree._Element, *, centre: bool) -> dict:
    holes = [_ring(b) for b in element.findall("ExclusiveZone/Boundary")]
    polygon = {"Boundary": _ring(element.find("Boundary")), "ExclusiveZone": {"Boundaries": holes}}
    if centre:
        polygon["CenterPoint"] = point(element.find("CenterPoint"))
    return polygon


def _line(element: etree._Element, *, centre: bool) -> dict:
    line = {"Points": [point(e) for e in element.findall("Point")]}
    if centre:
        line["CenterPoint"] = point(element.find("CenterPoint"))
    return line


def geometry(element: etree._Element | None, *, collection: bool) -> dict | None:
    """A Geometry; a collection's names its coordinate system and may carry centre points."""
    if element is None:
        return None
    rectangles = []
    for rect in element.findall("BoundingRectangle"):
        shape = _rectangle(rect)
        if collection:
            shape["CenterPoint"] = point(rect.find("CenterPoint"))
        rectangles.append(shape)
    shapes = {
        "Points": [point(e) for e in element.findall("Point")],
        "BoundingRectangles": rectangles,
        "GPolygons": [_polygon(e, centre=collection) for e in element.findall("GPolygon")],
        "Lines": [_line(e, centre=collection) for e in element.findall("Line")],
    }
    if collection:
        shapes = {"CoordinateSystem": text(element, "CoordinateSystem"), **shapes}
    return compact(shapes) or None


def orbit(element: etree._Element | None) -> dict | None:
    """A granule's orbit (``Spatial/HorizontalSpatialDomain/Orbit``)."""
    if element is None:
        return None
    return (
        compact(
            {
                "AscendingCrossing": number(element, "AscendingCrossing"),
                "StartLatitude": number(element, "StartLat"),
                "StartDirection": text(element, "StartDirection"),
                "EndLatitude": number(element, "EndLat"),
                "EndDirection": text(element, "EndDirection"),
            }
        )
        or None
    )
