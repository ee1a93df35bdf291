"""How shapes are stored in PostGIS and searched there.

Every spatial record has a ``geography`` (great-circle edges on the sphere): exact for geodetic
records; for Cartesian records, their straight lon/lat edges densified until the great circles
between the vertices stay within about ten metres of them. Every record also has a planar
``geometry``: exact for Cartesian records, a drawing within ``spatial.plane.PLANE_TOLERANCE`` for
geodetic ones, on which searches decide all but the records right at their edge. Boxes are
latitude/longitude-aligned in both models: as geography they are cut into pieces at most 90° wide,
their parallels densified and, where a great circle would cut into the box, moved just outside it,
so that a box never loses a point but the hair round a pole it reaches (PostGIS misjudges polygons
with a vertex at a pole; what meets a pole is found by the pole strips of ``spatial.search``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import shapely
from shapely.geometry import Polygon as PlanarPolygon

from spatial import sphere
from spatial.bounds import PAD, rectangles, rectangles_wkt
from spatial.circles import circle_ring
from spatial.plane import combine, plane_geometry
from spatial.shapes import (
    BoundingBox,
    Circle,
    CoordinateSystem,
    Coverage,
    Line,
    Point,
    Polygon,
    Ring,
    Shape,
    format_number,
)
from spatial.validation import prepare

SRID = 4326
#: Largest distance (radians on the unit sphere) allowed between a straight lon/lat edge and the
#: great circles standing in for it: 2e-6 rad is about 13 m.
DENSIFY_TOLERANCE = 2e-6
MAX_PIECE_WIDTH = 90.0  # degrees of longitude per geography piece of a box or Cartesian polygon
KM_PER_DEGREE = 111.195
POLE_INSET = PAD / 2  # degrees: how far short of a pole a box's geography stops


# -- WKT -------------------------------------------------------------------------------------


def _xy(lon: float, lat: float) -> str:
    return f"{format_number(lon)} {format_number(lat)}"


def _ring_wkt(points: Iterable[tuple[float, float]]) -> str:
    return "(" + ",".join(_xy(lon, lat) for lon, lat in points) + ")"


def _polygon_wkt(rings: list[list[tuple[float, float]]]) -> str:
    return "POLYGON(" + ",".join(_ring_wkt(r) for r in rings) + ")"


def _collect(parts: list[str]) -> str | None:
    """One EWKT for the parts: a MULTI type when they are all of one kind (PostGIS caches those
    far better than a GEOMETRYCOLLECTION), a collection otherwise."""
    if not parts:
        return None
    if len(parts) == 1:
        return f"SRID={SRID};{parts[0]}"
    kinds = {part.split("(", 1)[0] for part in parts}
    if len(kinds) == 1:
        (kind,) = kinds
        bodies = [part[len(kind) :] for part in parts]
        if kind == "POINT":
            bodies = [body[1:-1] for body in bodies]
        return f"SRID={SRID};MULTI{kind}(" + ",".join(bodies) + ")"
    return f"SRID={SRID};GEOMETRYCOLLECTION(" + ",".join(parts) + ")"


def _coords(ring: Ring) -> list[tuple[float, float]]:
    return [(p.lon, p.lat) for p in ring.points]


# -- planar (Cartesian, exact) ----------------------------------------------------------------


def planar_wkt(shapes: Iterable[Shape]) -> str | None:
    """EWKT of Cartesian shapes (already prepared) as planar geometry."""
    parts = []
    for shape in shapes:
        if isinstance(shape, Point):
            parts.append(f"POINT({_xy(shape.lon, shape.lat)})")
        elif isinstance(shape, Line):
            parts.append("LINESTRING" + _ring_wkt((p.lon, p.lat) for p in shape.points))
        elif isinstance(shape, Polygon):
            parts.append(_polygon_wkt([_coords(r) for r in (shape.boundary, *shape.holes)]))
        elif isinstance(shape, BoundingBox):
            parts.extend(_planar_box(shape))
        elif isinstance(shape, Circle):
            parts.append(_polygon_wkt([circle_ring(shape)]))
    if sum(part.startswith("POLYGON") for part in parts) > 1:
        return drawing_wkt(combine(list(shapely.from_wkt(parts))))  # overlapping areas merged
    return _collect(parts)


def _spans(box: BoundingBox) -> list[tuple[float, float]]:
    """The box's longitude ranges: two when it wraps (a range of no width on 180 left out)."""
    if not box.wraps:
        return [(box.west, box.east)]
    spans = [(w, e) for w, e in ((box.west, 180.0), (-180.0, box.east)) if w < e]
    return spans or [(180.0, 180.0)]


def _planar_box(box: BoundingBox) -> list[str]:
    spans = _spans(box)
    out = []
    for west, east in spans:
        if west == east or box.south == box.north:
            pts = [(west, box.south), (east, box.north)]
            out.append(
                f"POINT({_xy(*pts[0])})"
                if pts[0] == pts[1]
                else "LINESTRING" + _ring_wkt([(west, box.south), (east, box.north)])
            )
        else:
            out.append(
                _polygon_wkt(
                    [
                        [
                            (west, box.south),
                            (east, box.south),
                            (east, box.north),
                            (west, box.north),
                            (west, box.south),
                        ]
                    ]
                )
            )
    return out


def plane_wkt(shapes: Iterable[Shape]) -> str | None:
    """EWKT of the planar drawing of geodetic shapes (None for a shape round a pole)."""
    return drawing_wkt(plane_geometry(shapes))


def drawing_wkt(drawing) -> str | None:
    if drawing is None:
        return None
    return f"SRID={SRID};" + shapely.to_wkt(drawing, rounding_precision=-1)


# -- geography ---------------------------------------------------------------------------------


def geography_wkt(shapes: Iterable[Shape], system: CoordinateSystem) -> str | None:
    """EWKT of prepared shapes as geography: exact when geodetic, densified when Cartesian."""
    parts: list[str] = []
    for shape in shapes:
        if isinstance(shape, Point):
            parts.append(f"POINT({_xy(shape.lon, shape.lat)})")
        elif isinstance(shape, BoundingBox):
            parts.extend(_geography_box(shape))
        elif isinstance(shape, Circle):
            parts.append(_polygon_wkt([circle_ring(shape)]))
        elif system is CoordinateSystem.GEODETIC:
            if isinstance(shape, Line):
                parts.append("LINESTRING" + _ring_wkt((p.lon, p.lat) for p in shape.points))
            elif isinstance(shape, Polygon):
                parts.append(_polygon_wkt([_coords(r) for r in (shape.boundary, *shape.holes)]))
        elif isinstance(shape, Line):
            parts.append("LINESTRING" + _ring_wkt(_densify([(p.lon, p.lat) for p in shape.points])))
        elif isinstance(shape, Polygon):
            parts.extend(_cartesian_polygon_pieces(shape))
    return _collect(parts)


def _geography_box(box: BoundingBox, *, densify: bool = True) -> list[str]:
    spans = _spans(box)
    if box.south == box.north or any(w == e for w, e in spans):
        return _geography_box_line(box, spans)
    parts = []
    for west, east in spans:
        count = max(1, math.ceil((east - west) / MAX_PIECE_WIDTH))
        width = (east - west) / count
        for k in range(count):
            w = west + k * width
            e = east if k == count - 1 else west + (k + 1) * width
            parts.append(_polygon_wkt([_box_ring(w, box.south, e, box.north, densify)]))
    return parts


def _geography_box_line(box: BoundingBox, spans) -> list[str]:
    """A box without area: a point, or a line along its meridian or parallel, with vertices close
    enough that every great-circle edge follows it (a meridian from pole to pole would otherwise
    be one edge between antipodes, which has no great circle)."""
    out = []
    for west, east in spans:
        if box.south == box.north and (west == east or abs(box.south) == 90):
            out.append(f"POINT({_xy(west, box.south)})")  # a pole is one point, however wide
        elif west == east:
            out.append("LINESTRING" + _ring_wkt(_meridian(west, box.south, box.north, ends=True)))
        else:
            out.append("LINESTRING" + _ring_wkt(_parallel(box.south, west, east)))
    return out


def _box_ring(west, south, east, north, densify: bool = True) -> list[tuple[float, float]]:
    if not densify:
        ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
        return _drop_repeats(ring)
    # PostGIS misjudges polygons with a vertex at a pole (one from pole to pole has no area and
    # meets boxes far away; one from the equator to a pole meets boxes round the other pole): the
    # sides stop short of it, by less than the pole strips that find what meets the pole itself
    # (spatial.search._at_poles).
    south = max(south, -90.0 + POLE_INSET)
    north = min(north, 90.0 - POLE_INSET)
    south_edge = _parallel(south, west, east, inner_side="north")
    north_edge = _parallel(north, east, west, inner_side="south")
    # The meridian sides are great circles already; a side from pole to pole needs vertices on it
    # to keep each edge shorter than half a great circle.
    ring = south_edge + _meridian(east, south, north) + north_edge + _meridian(west, north, south)
    ring.append(ring[0])
    return _drop_repeats(ring)


def _meridian(lon: float, lat_from: float, lat_to: float, *, ends: bool = False) -> list:
    """Vertices along a meridian, at most 45° apart: the inner ones, or all with ``ends``."""
    steps = max(1, math.ceil(abs(lat_to - lat_from) / 45.0))
    inner = [(lon, lat_from + i * (lat_to - lat_from) / steps) for i in range(1, steps)]
    return [(lon, lat_from), *inner, (lon, lat_to)] if ends else inner


def _parallel(lat: float, lon_from: float, lon_to: float, *, inner_side: str = "") -> list:
    """Vertices along a parallel; at a pole, the pole alone. With no ``inner_side`` (a line, not
    the side of a box), the vertices stay on the parallel."""
    if abs(lat) == 90:
        return [(lon_from, lat)]
    # No step as wide as half the Earth: that great circle would have no one way round.
    steps = max(_steps(abs(lon_to - lon_from), lat), math.ceil(abs(lon_to - lon_from) / 90.0))
    dlon = (lon_to - lon_from) / steps
    # Great circles bulge poleward: on the side of the box nearer the equator they would cut into
    # it, so those vertices move equatorward just enough to keep the chords outside.
    bulges_inward = (lat > 0 and inner_side == "north") or (lat < 0 and inner_side == "south")
    chord_lat = sphere.parallel_chord_offset(lat, dlon) if bulges_inward and steps > 0 else lat
    return [(lon_from + i * dlon, chord_lat) for i in range(steps + 1)]


def _steps(dlon_deg: float, lat1: float, lat2: float | None = None) -> int:
    """How many great-circle steps keep within DENSIFY_TOLERANCE of a straight lon/lat edge.

    A great circle strays from a parallel by about dlon²/8 · sin(2·lat)/2 (radians), worst at ±45°.
    """
    lat2 = lat1 if lat2 is None else lat2
    if dlon_deg == 0:
        return 1
    low, high = sorted((lat1, lat2))
    if low <= 45 <= high or low <= -45 <= high:
        curvature = 0.5
    else:
        curvature = max(abs(math.sin(2 * math.radians(lat))) for lat in (low, high)) / 2
    if curvature < 1e-9:
        return 1
    max_step = math.degrees(math.sqrt(8 * DENSIFY_TOLERANCE / curvature))
    return max(1, math.ceil(dlon_deg / max_step))


def _densify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Vertices along straight lon/lat segments, dense enough for great circles to follow them."""
    out = [points[0]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        # Long meridian runs are great circles already, but geography wants every edge < 180°.
        steps = max(_steps(abs(lon2 - lon1), lat1, lat2), math.ceil(abs(lat2 - lat1) / 45))
        for i in range(1, steps + 1):
            t = i / steps
            out.append((lon1 + t * (lon2 - lon1), lat1 + t * (lat2 - lat1)))
    return _drop_repeats(out)


def _cartesian_polygon_pieces(polygon: Polygon) -> list[str]:
    planar = PlanarPolygon(_coords(polygon.boundary), [_coords(h) for h in polygon.holes])
    west, _, east, _ = planar.bounds
    pieces = []
    count = max(1, math.ceil((east - west) / MAX_PIECE_WIDTH))
    width = (east - west) / count
    for k in range(count):
        cell = shapely.box(
            west + k * width, -90, west + (k + 1) * width if k < count - 1 else east, 90
        )
        part = planar.intersection(cell) if count > 1 else planar
        for geom in getattr(part, "geoms", [part]):
            if geom.geom_type != "Polygon" or geom.is_empty:
                continue
            geom = shapely.geometry.polygon.orient(geom, 1.0)
            rings = [list(geom.exterior.coords), *[list(h.coords) for h in geom.interiors]]
            pieces.append(_polygon_wkt([_densify(r) for r in rings]))
    return pieces


def _drop_repeats(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Consecutive repeats left out, counting every longitude of a pole as the same point."""
    out = [points[0]]
    for p in points[1:]:
        last = out[-1]
        if p != last and not (abs(p[1]) == 90 and p[1] == last[1]):
            out.append(p)
    if len(out) > 1 and abs(out[-1][1]) == 90 and out[-1][1] == out[0][1] and out[-1] != out[0]:
        out[-1] = out[0]  # a ring closing at a pole closes on its first point
    return out


# -- a record's columns ------------------------------------------------------------------------


def record_columns(coverage: Coverage) -> dict:
    """Validate a record's coverage and return its spatial columns (raises a SpatialError)."""
    system = coverage.system or CoordinateSystem.CARTESIAN
    prepared = tuple(piece for shape in coverage.shapes for piece in prepare(shape, system))
    return {"coordinate_system": coverage.system, **coverage_columns(coverage, prepared)}


def coverage_columns(coverage: Coverage, prepared: tuple[Shape, ...]) -> dict:
    """The spatial columns of a record: planar geometry (exact when Cartesian, the drawing of
    ``spatial.plane`` when geodetic), geography, rectangles, global flag."""
    system = coverage.system or CoordinateSystem.CARTESIAN
    shapes = list(prepared)
    if coverage.orbit is not None:  # found by backtracking (spatial.backtrack), as in CMR
        return {
            "spatial_geom": None,
            "spatial_geog": None,
            "spatial_mbr": None,
            "global_coverage": False,
        }
    if coverage.is_global or any(isinstance(s, BoundingBox) and s.is_whole_earth for s in shapes):
        return {
            "spatial_geom": None,
            "spatial_geog": None,
            "spatial_mbr": None,
            "global_coverage": True,
        }
    planar = planar_wkt(shapes) if system is CoordinateSystem.CARTESIAN else plane_wkt(shapes)
    return {
        "spatial_geom": planar,
        "spatial_geog": geography_wkt(shapes, system),
        "spatial_mbr": rectangles_wkt(rectangles(shapes, system)),
        "global_coverage": False,
    }
