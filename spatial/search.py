"""The spatial search predicate: true for every stored record a search shape intersects.

Search polygons and lines are geodetic (CMR reads them so); boxes are latitude/longitude-aligned;
circles are geodesic distances from their centre. Point and box searches test Cartesian records
against their exact planar geometry; everything else uses the geography every record has.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, func, or_

from spatial.postgis import geography_wkt, planar_wkt
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
    """The condition on ``model`` (Collection or Granule) for records intersecting ``shape``."""
    if isinstance(shape, BoundingBox) and shape.wraps:
        # One condition per side of the antimeridian: each gets an index box of its own instead
        # of one as wide as the map.
        sides = [BoundingBox(shape.west, shape.south, 180, shape.north),
                 BoundingBox(-180, shape.south, shape.east, shape.north)]  # fmt: skip
        return or_(*(intersects(model, side) for side in sides if side.west < side.east))
    geog = model.spatial_geog
    if isinstance(shape, Circle):
        centre = f"SRID=4326;POINT({shape.center.lon} {shape.center.lat})"
        hit = func.ST_DWithin(geog, _geography(centre), shape.radius)
    elif isinstance(shape, Point | BoundingBox):
        planar = func.ST_GeomFromEWKT(bindparam(None, planar_wkt([shape]), unique=True))
        geodetic = _geography(geography_wkt([shape], CoordinateSystem.GEODETIC))
        hit = or_(
            func.ST_DWithin(model.spatial_geom, planar, PLANAR_TOLERANCE),
            and_(model.spatial_geom.is_(None), _touches(geog, geodetic)),
        )
    else:
        hit = _touches(geog, _geography(geography_wkt([shape], CoordinateSystem.GEODETIC)))
    return or_(model.global_coverage, hit)


def _touches(column, geography):
    return func.ST_DWithin(column, geography, SPHERE_TOLERANCE, False)


def _geography(ewkt: str):
    return func.ST_GeogFromText(bindparam(None, ewkt, unique=True))
