"""Reading the spatial part of ECHO 10 records (MetadataCommon.xsd ``Geometry``, ``Orbit``).

ECHO 10 boundaries run clockwise and are not closed; here they become the project's closed,
counter-clockwise rings. Every error carries the line of the element at fault.
"""

from __future__ import annotations

from lxml import etree

from spatial import errors
from spatial.shapes import (
    BoundingBox,
    CoordinateSystem,
    Coverage,
    Line,
    Orbit,
    OrbitParameters,
    Point,
    Polygon,
    Ring,
    Shape,
    format_number,
)

#: A collection's ``GranuleSpatialRepresentation``: its granules' coordinate model.
GRANULE_REPRESENTATIONS = ("CARTESIAN", "GEODETIC", "ORBIT", "NO_SPATIAL")
SHAPE_ELEMENTS = ("Point", "Line", "BoundingRectangle", "GPolygon")


def _number(parent: etree._Element, name: str) -> float:
    element = parent.find(name)
    if element is None:
        raise errors.SpatialError(f"{parent.tag} has no {name}", line=parent.sourceline)
    return errors.parse_number(element.text, name, element.sourceline)


def _point(element: etree._Element) -> Point:
    lon = lat = None
    for child in element:  # one pass: boundaries are read by the million
        if child.tag == "PointLongitude" and lon is None:
            lon = child
        elif child.tag == "PointLatitude" and lat is None:
            lat = child
    if lon is None or lat is None:
        missing = "PointLongitude" if lon is None else "PointLatitude"
        raise errors.SpatialError(f"{element.tag} has no {missing}", line=element.sourceline)
    return Point(
        errors.parse_number(lon.text, "PointLongitude", lon.sourceline),
        errors.parse_number(lat.text, "PointLatitude", lat.sourceline),
    )


def _boundary(element: etree._Element) -> Ring:
    points = [_point(p) for p in element.findall("Point")]
    if len(points) >= 2 and points[0] == points[-1]:
        points.pop()  # some partners close their rings; ECHO 10 does not ask them to
    if len(points) < 3:
        raise errors.TooFewPoints(
            f"A Boundary needs at least 3 distinct points, but had {len(points)}.",
            line=element.sourceline,
        )
    points.reverse()  # clockwise (ECHO 10) to counter-clockwise (here)
    points.append(points[0])
    return Ring(tuple(points))


def parse_shape(element: etree._Element) -> Shape:
    tag = element.tag
    if tag == "Point":
        return _point(element)
    if tag == "Line":
        return Line(tuple(_point(p) for p in element.findall("Point")))
    if tag == "BoundingRectangle":
        return BoundingBox(
            west=_number(element, "WestBoundingCoordinate"),
            south=_number(element, "SouthBoundingCoordinate"),
            east=_number(element, "EastBoundingCoordinate"),
            north=_number(element, "NorthBoundingCoordinate"),
        )
    if tag == "GPolygon":
        boundary = element.find("Boundary")
        if boundary is None:
            raise errors.SpatialError("GPolygon has no Boundary", line=element.sourceline)
        zone = element.find("ExclusiveZone")
        holes = tuple(_boundary(b) for b in zone.findall("Boundary")) if zone is not None else ()
        return Polygon(_boundary(boundary), holes)
    raise errors.SpatialError(f"{tag} is not a spatial shape", line=element.sourceline)


def parse_geometry(geometry: etree._Element) -> tuple[Shape, ...]:
    return tuple(
        parse_shape(child)
        for child in geometry
        if isinstance(child.tag, str) and child.tag in SHAPE_ELEMENTS
    )


def parse_orbit_parameters(element: etree._Element | None) -> OrbitParameters | None:
    if element is None:
        return None
    has_start = element.find("StartCircularLatitude") is not None
    for name in ("SwathWidth", "Period"):  # a backtrack search divides by them
        if _number(element, name) <= 0:
            raise errors.SpatialError(
                f"{name} [{format_number(_number(element, name))}] must be above 0",
                line=element.find(name).sourceline,
            )
    return OrbitParameters(
        swath_width_km=_number(element, "SwathWidth"),
        period_min=_number(element, "Period"),
        inclination_deg=_bounded(element, "InclinationAngle", 0, 180),
        number_of_orbits=_number(element, "NumberOfOrbits"),
        start_circular_latitude=_number(element, "StartCircularLatitude") if has_start else None,
    )


def _bounded(parent: etree._Element, name: str, low: float, high: float) -> float:
    value = _number(parent, name)
    if not low <= value <= high:
        raise errors.SpatialError(
            f"{name} [{format_number(value)}] must be within {low:g} and {high:g}",
            line=parent.find(name).sourceline,
        )
    return value


def parse_orbit(element: etree._Element) -> Orbit:
    """A granule's ``Orbit``: its ascending crossing and where its pass starts and ends (the
    schema's checks, ``ingest.checks``, keep latitudes within ±90 and directions A or D)."""
    return Orbit(
        ascending_crossing=_bounded(element, "AscendingCrossing", -180, 180),
        start_lat=_number(element, "StartLat"),
        start_direction=(element.findtext("StartDirection") or "").strip(),
        end_lat=_number(element, "EndLat"),
        end_direction=(element.findtext("EndDirection") or "").strip(),
    )


def _coordinate_system(text: str | None, element: etree._Element) -> CoordinateSystem:
    try:
        return CoordinateSystem((text or "").strip().upper())
    except ValueError:
        raise errors.SpatialError(
            f"CoordinateSystem [{(text or '').strip()}] must be CARTESIAN or GEODETIC",
            line=element.sourceline,
        ) from None


def collection_coverage(collection: etree._Element) -> tuple[Coverage, str | None]:
    """A collection's own coverage, and the coordinate model of its granules."""
    spatial = collection.find("Spatial")
    if spatial is None:
        return Coverage(), None
    representation_el = spatial.find("GranuleSpatialRepresentation")
    representation = None
    if representation_el is not None:
        representation = (representation_el.text or "").strip().upper()
        if representation not in GRANULE_REPRESENTATIONS:
            raise errors.SpatialError(
                f"GranuleSpatialRepresentation [{representation_el.text}] must be one of "
                + ", ".join(GRANULE_REPRESENTATIONS),
                line=representation_el.sourceline,
            )
    parameters = parse_orbit_parameters(spatial.find("OrbitParameters"))
    geometry = spatial.find("HorizontalSpatialDomain/Geometry")
    if geometry is None:
        return Coverage(orbit_parameters=parameters), representation
    system_el = geometry.find("CoordinateSystem")
    system = _coordinate_system(system_el.text if system_el is not None else None, geometry)
    shapes = parse_geometry(geometry)
    return Coverage(
        system=system,
        shapes=shapes,
        is_global=_is_global(shapes),
        orbit_parameters=parameters,
    ), representation


def granule_coverage(
    granule: etree._Element,
    representation: str | None,
    orbit_parameters: OrbitParameters | None = None,
) -> Coverage:
    """A granule's coverage in its collection's model (``GranuleSpatialRepresentation``)."""
    domain = granule.find("Spatial/HorizontalSpatialDomain")
    if domain is None:
        return Coverage()
    if representation in (None, "NO_SPATIAL"):
        raise errors.SpatialError(
            "the granule has spatial data but its collection's GranuleSpatialRepresentation is "
            f"{representation or 'missing'}",
            line=domain.sourceline,
        )
    orbit_el = domain.find("Orbit")
    if orbit_el is not None:
        if representation != "ORBIT":
            raise errors.SpatialError(
                "the granule has an Orbit but its collection's GranuleSpatialRepresentation is "
                f"{representation}",
                line=orbit_el.sourceline,
            )
        if orbit_parameters is None:  # nothing to backtrack it by
            raise errors.SpatialError(
                "the granule has an Orbit but its collection has no OrbitParameters",
                line=orbit_el.sourceline,
            )
        return Coverage(
            system=CoordinateSystem.GEODETIC,
            orbit=parse_orbit(orbit_el),
            orbit_parameters=orbit_parameters,
        )
    geometry = domain.find("Geometry")
    if geometry is None:
        return Coverage()
    if representation == "ORBIT":
        raise errors.SpatialError(
            "the granule has a Geometry but its collection's GranuleSpatialRepresentation is ORBIT",
            line=geometry.sourceline,
        )
    shapes = parse_geometry(geometry)
    return Coverage(
        system=CoordinateSystem(representation), shapes=shapes, is_global=_is_global(shapes)
    )


def _is_global(shapes: tuple[Shape, ...]) -> bool:
    return any(isinstance(s, BoundingBox) and s.is_whole_earth for s in shapes)
