"""The spatial search predicate: true for every stored record a search shape intersects.

Search polygons and lines are geodetic (CMR reads them so); boxes are latitude/longitude-aligned;
circles are geodesic distances from their centre. Points, boxes and polygons are decided in the
lon/lat plane (``spatial.plane``) for every record clearly in or out, on the sphere for the rest;
lines and circles on the sphere. A search reaching a pole meets every record reaching it.
"""

from __future__ import annotations

import shapely
from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, true

from spatial.bounds import PAD, rectangles
from spatial.plane import PLANE_TOLERANCE, plane_geometry
from spatial.postgis import geography_wkt
from spatial.shapes import BoundingBox, Circle, CoordinateSystem, Line, Point, Shape
from spatial.validation import prepare

#: Exact predicates miss a point computed to lie on an edge, by rounding: within these distances it
#: counts as touching. Degrees (planar, about a millimetre) and metres (on the sphere: a centimetre,
#: as PostGIS loses about a millimetre near the poles).
PLANAR_TOLERANCE = 1e-8
SPHERE_TOLERANCE = 0.01


def prepare_search(shape: Shape) -> Shape:
    """Validate a search shape (raises a SpatialError); searches are read in the geodetic model."""
    (prepared,) = prepare(shape, CoordinateSystem.GEODETIC, search=True)
    return prepared


def intersects(model, shape: Shape) -> ColumnElement[bool]:
    """The condition on ``model`` (Collection or Granule) for records intersecting ``shape``.

    The lon/lat rectangles of the shape meet those of the record first, through the index (one
    condition per rectangle, so a shape across the antimeridian is two narrow ones, not one as wide
    as the map). A record whose rectangle lies inside a search box is inside it; the others get the
    exact test. The exact tests are PostGIS's index-free forms (``_ST_DWithin``) on purpose: the
    rectangles have chosen the rows, and letting the planner add the geometry indexes as well only
    costs time.
    """
    rects = rectangles([shape], CoordinateSystem.GEODETIC)
    prefilter = or_(*(model.spatial_mbr.op("&&")(_envelope(*rect)) for rect in rects))
    exact = and_(prefilter, _exact(model, shape))
    return or_(model.global_coverage, exact, *_at_poles(model, rects))


def _at_poles(model, rects) -> list[ColumnElement[bool]]:
    """A pole is one point whatever the model: a search reaching it meets every record reaching it,
    Cartesian ones too (whose plane draws the pole as a line). CMR's rule for rectangles
    (spatial-lib cmr.spatial.mbr/non-crossing-intersects-br?: always geodetic, and two that touch
    the same pole intersect). Every shape reaching a pole has the thin strip round it among its
    rectangles (spatial.bounds), the record's found through the index."""
    out = []
    for pole, strip in (
        (90.0, (-180.0, 90.0 - PAD, 180.0, 90.0)),
        (-90.0, (-180.0, -90.0, 180.0, -90.0 + PAD)),
    ):
        if any(south <= pole <= north for _, south, _, north in rects):
            out.append(model.spatial_mbr.op("&&")(_envelope(*strip)))
    return out


def _exact(model, shape: Shape) -> ColumnElement[bool]:
    if isinstance(shape, BoundingBox) and shape.wraps:
        sides = [
            BoundingBox(shape.west, shape.south, 180, shape.north),
            BoundingBox(-180, shape.south, shape.east, shape.north),
        ]
        wide = [side for side in sides if side.west < side.east]
        if not wide:  # no width, on the antimeridian: the rectangles' test is the whole test
            return true()
        return or_(*(_exact(model, side) for side in wide))
    geog = model.spatial_geog
    if isinstance(shape, Circle):
        centre = f"SRID=4326;POINT({shape.center.lon} {shape.center.lat})"
        return func._ST_DWithin(geog, _geography(centre), shape.radius, True)
    geodetic = _geography(geography_wkt([shape], CoordinateSystem.GEODETIC))
    on_sphere = func._ST_DWithin(geog, geodetic, SPHERE_TOLERANCE, False)
    drawing = None if isinstance(shape, Line) else plane_geometry([shape], search=True)
    if drawing is None:
        return on_sphere
    # Points and boxes are the same in both models and drawn exactly; a polygon's drawing strays
    # up to PLANE_TOLERANCE from its great-circle edges, as does a geodetic record's.
    error = 0.0 if isinstance(shape, Point | BoundingBox) else PLANE_TOLERANCE
    geom = model.spatial_geom
    exact = case(
        (
            model.coordinate_system == CoordinateSystem.CARTESIAN,
            _settle(geom, drawing, error, on_sphere),
        ),
        (geom.is_(None), on_sphere),
        else_=_settle(geom, drawing, error + PLANE_TOLERANCE, on_sphere),
    )
    if not isinstance(shape, BoundingBox):
        return exact
    inside = model.spatial_mbr.op("@")(_envelope(shape.west, shape.south, shape.east, shape.north))
    return or_(inside, exact)


def _settle(geom, drawing, error: float, on_sphere) -> ColumnElement[bool]:
    """Decide in the plane, where drawings stray up to ``error`` from what they draw: a record
    meeting the search area shrunk by that much meets it, one farther than that from it misses
    it, and only those in between go to the sphere."""
    if error == 0:
        return func._ST_DWithin(geom, _geometry(drawing), PLANAR_TOLERANCE)
    margin = error * 1.001 + PLANAR_TOLERANCE
    near = func._ST_DWithin(geom, _geometry(drawing), margin)
    core = drawing.buffer(-margin)
    if core.is_empty:
        return and_(near, on_sphere)
    return case((func._ST_Intersects(geom, _geometry(core)), True), (near, on_sphere), else_=False)


def _envelope(west: float, south: float, east: float, north: float):
    return func.ST_MakeEnvelope(west, south, east, north, 4326)


def _geometry(drawing):
    ewkt = "SRID=4326;" + shapely.to_wkt(drawing, rounding_precision=-1)
    return func.ST_GeomFromEWKT(bindparam(None, ewkt, unique=True))


def _geography(ewkt: str):
    return func.ST_GeogFromText(bindparam(None, ewkt, unique=True))
