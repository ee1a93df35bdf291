"""The spatial search predicate: true for every stored record a search shape intersects.

Search polygons and lines are geodetic (CMR reads them so); boxes are latitude/longitude-aligned;
circles are geodesic distances from their centre. Point and box searches test Cartesian records
against their exact planar geometry; everything else uses the geography every record has.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_

from spatial.bounds import rectangles
from spatial.postgis import coarse_box, geography_wkt, planar_wkt
from spatial.shapes import BoundingBox, Circle, CoordinateSystem, Point, Shape
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
    return or_(model.global_coverage, and_(prefilter, _exact(model, shape)))


def _exact(model, shape: Shape) -> ColumnElement[bool]:
    if isinstance(shape, BoundingBox) and shape.wraps:
        sides = [BoundingBox(shape.west, shape.south, 180, shape.north),
                 BoundingBox(-180, shape.south, shape.east, shape.north)]  # fmt: skip
        return or_(*(_exact(model, side) for side in sides if side.west < side.east))
    geog = model.spatial_geog
    if isinstance(shape, Circle):
        centre = f"SRID=4326;POINT({shape.center.lon} {shape.center.lat})"
        return func._ST_DWithin(geog, _geography(centre), shape.radius, True)
    geodetic = _geography(geography_wkt([shape], CoordinateSystem.GEODETIC))
    on_sphere = func._ST_DWithin(geog, geodetic, SPHERE_TOLERANCE, False)
    if not isinstance(shape, Point | BoundingBox):
        return on_sphere
    # Points and boxes are the same in both models: Cartesian records answer on the plane, exactly.
    planar = func.ST_GeomFromEWKT(bindparam(None, planar_wkt([shape]), unique=True))
    planar_test = func._ST_DWithin(model.spatial_geom, planar, PLANAR_TOLERANCE)
    cartesian = model.spatial_geom.is_not(None)
    if isinstance(shape, Point):
        return case((cartesian, planar_test), else_=on_sphere)
    # A geodetic record whose latitudes keep clear of the box's parallels by more than the
    # corners-only polygon's chords stray from them is tested against that cheaper polygon.
    corners, stray = coarse_box(shape)
    clear = and_(
        func.ST_YMin(model.spatial_mbr) > shape.south + stray,
        func.ST_YMax(model.spatial_mbr) < shape.north - stray,
    )
    exact = case(
        (cartesian, planar_test),
        (clear, func._ST_DWithin(geog, _geography(corners), SPHERE_TOLERANCE, False)),
        else_=on_sphere,
    )
    inside = model.spatial_mbr.op("@")(_envelope(shape.west, shape.south, shape.east, shape.north))
    return or_(inside, exact)


def _envelope(west: float, south: float, east: float, north: float):
    return func.ST_MakeEnvelope(west, south, east, north, 4326)


def _geography(ewkt: str):
    return func.ST_GeogFromText(bindparam(None, ewkt, unique=True))
