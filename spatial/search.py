"""The spatial search predicate: true for every stored record a search shape intersects.

Search polygons and lines are geodetic (CMR reads them so); boxes are latitude/longitude-aligned;
circles are geodesic distances from their centre. Point and box searches test Cartesian records
against their exact planar geometry; everything else uses the geography every record has.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, false, func, or_

from spatial.postgis import geography_wkt, planar_wkt
from spatial.shapes import BoundingBox, Circle, CoordinateSystem, Point, Shape
from spatial.validation import prepare

#: Degrees. Exact planar predicates miss a point computed to lie on an edge by rounding; within
#: this distance (under a millimetre) it counts as touching.
PLANAR_TOLERANCE = 1e-8


def prepare_search(shape: Shape) -> Shape:
    """Validate a search shape (raises a SpatialError); searches are read in the geodetic model."""
    (prepared,) = prepare(shape, CoordinateSystem.GEODETIC, search=True)
    return prepared


def intersects(model, shape: Shape) -> ColumnElement[bool]:
    """The condition on ``model`` (Collection or Granule) for records intersecting ``shape``."""
    geog = model.spatial_geog
    if isinstance(shape, Circle):
        centre = f"SRID=4326;POINT({shape.center.lon} {shape.center.lat})"
        hit = func.ST_DWithin(geog, _geography(centre), shape.radius)
    elif isinstance(shape, Point | BoundingBox):
        planar = func.ST_GeomFromEWKT(bindparam(None, planar_wkt([shape]), unique=True))
        geodetic = _geography(geography_wkt([shape], CoordinateSystem.GEODETIC))
        hit = or_(
            func.ST_DWithin(model.spatial_geom, planar, PLANAR_TOLERANCE),
            and_(model.spatial_geom.is_(None), func.ST_Intersects(geog, geodetic)),
        )
    else:
        hit = func.ST_Intersects(
            geog, _geography(geography_wkt([shape], CoordinateSystem.GEODETIC))
        )
    return or_(model.global_coverage, hit) if hit is not None else false()


def _geography(ewkt: str):
    return func.ST_GeogFromText(bindparam(None, ewkt, unique=True))
