"""Reading the spatial condition of an AQL query (``spatial`` with ``IIMSPoint``, ``IIMSLine``,
``IIMSPolygon``/``IIMSLRing`` or ``IIMSBox``).

AQL rings are closed and run counter-clockwise, as inside the project (CMR reads them so); an open
ring is refused. A box is its lower-left then its upper-right corner.
"""

from __future__ import annotations

from lxml import etree

from spatial import errors
from spatial.shapes import BoundingBox, Line, Point, Polygon, Ring, Shape
from spatial.validation import check_closed

SHAPE_ELEMENTS = ("IIMSPoint", "IIMSLine", "IIMSPolygon", "IIMSBox")


def _attribute(element: etree._Element, name: str) -> float:
    if element.get(name) is None:
        raise errors.SpatialError(f"IIMSPoint has no {name} attribute", line=element.sourceline)
    return errors.parse_number(element.get(name), f"IIMSPoint {name}", element.sourceline)


def _point(element: etree._Element) -> Point:
    return Point(_attribute(element, "long"), _attribute(element, "lat"))


def _points(element: etree._Element) -> list[Point]:
    return [_point(p) for p in element.findall("IIMSPoint")]


def _ring(element: etree._Element) -> Ring:
    points = _points(element)
    try:
        check_closed(points)
    except errors.SpatialError as exc:
        raise type(exc)(exc.message, line=element.sourceline) from None
    return Ring(tuple(points))


def parse_shape(element: etree._Element) -> Shape:
    """One of the four AQL shape elements."""
    tag = element.tag
    if tag == "IIMSPoint":
        return _point(element)
    if tag == "IIMSLine":
        return Line(tuple(_points(element)))
    if tag == "IIMSBox":
        corners = _points(element)
        if len(corners) != 2:
            raise errors.SpatialError(
                f"IIMSBox needs 2 points (lower left, upper right), but had {len(corners)}",
                line=element.sourceline,
            )
        lower_left, upper_right = corners
        return BoundingBox(
            west=lower_left.lon, south=lower_left.lat, east=upper_right.lon, north=upper_right.lat
        )
    if tag == "IIMSPolygon":
        rings = [_ring(r) for r in element.findall("IIMSLRing")]
        if not rings:
            raise errors.SpatialError("IIMSPolygon has no IIMSLRing", line=element.sourceline)
        return Polygon(rings[0], tuple(rings[1:]))
    raise errors.SpatialError(f"{tag} is not an AQL spatial shape", line=element.sourceline)


def parse_spatial(spatial: etree._Element) -> Shape:
    """The shape of an AQL ``spatial`` condition element."""
    for child in spatial:
        if isinstance(child.tag, str) and child.tag in SHAPE_ELEMENTS:
            return parse_shape(child)
    raise errors.SpatialError(
        "spatial needs one of " + ", ".join(SHAPE_ELEMENTS), line=spatial.sourceline
    )
