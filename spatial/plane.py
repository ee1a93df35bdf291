"""Geodetic shapes drawn in the longitude/latitude plane, within a known distance.

Deciding "does this record meet that search area" on the sphere costs PostGIS about a hundred times
more than in the plane. So every geodetic record also keeps a planar drawing of itself: its
great-circle edges followed by straight lon/lat segments until no point of an arc is more than
``PLANE_TOLERANCE`` degrees (in the lon/lat plane) from the drawing, cut at the antimeridian. A
search
then settles in the plane every record that clearly meets or clearly misses it, and asks the sphere
only about the few within that distance of its edge (``spatial.search``).

A shape round or at a pole, or with an edge passing within ``POLE_MARGIN`` of one, has no useful
drawing (longitudes sweep round the pole): it gets none, and is tested on the sphere.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry import Polygon as PlanarPolygon

from spatial import seams, sphere
from spatial.bounds import arc_latitude_extremes, ring_pole
from spatial.circles import circle_ring, reaches_pole
from spatial.shapes import BoundingBox, Circle, Line, Point, Polygon, Shape

#: Degrees (about 110 m of latitude) between a geodetic shape and its planar drawing, at most.
PLANE_TOLERANCE = 1e-3
POLE_MARGIN = 0.5  # degrees of latitude
MAX_STEPS = 4096  # straight segments per arc
_WORLD = shapely.box(-180.0, -90.0, 180.0, 90.0)


class NoDrawing(Exception):
    """The shape goes round or too near a pole to be drawn in the plane."""


def plane_geometry(shapes: Iterable[Shape], *, search: bool = False) -> shapely.Geometry | None:
    """The planar drawing of geodetic shapes (already prepared), or None when one has none.

    A search point or box may touch a pole: the records it is compared with in the plane all keep
    away from the poles (those that do not have no drawing), or are caps round the whole pole.
    """
    parts: list[shapely.Geometry] = []
    try:
        for shape in shapes:
            parts.extend(_draw(shape, search))
    except NoDrawing:
        return None
    return combine(parts)


def combine(parts: list[shapely.Geometry]) -> shapely.Geometry | None:
    """Parts as one valid geometry: a MULTI geometry when they are of one kind (PostGIS handles
    those far better than a collection). Areas that overlap or share an edge (a record's polygon
    beside its bounding rectangle) are merged first: GEOS refuses a multipolygon whose parts
    overlap ("side location conflict") and would fail the search."""
    parts = [p for p in parts if not p.is_empty]
    areas = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    if len(areas) > 1 or any(p.geom_type == "MultiPolygon" for p in areas):
        merged = shapely.unary_union(areas)
        others = [p for p in parts if p.geom_type not in ("Polygon", "MultiPolygon")]
        parts = [*getattr(merged, "geoms", [merged]), *others]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    kinds = {p.geom_type for p in parts}
    multi = {
        "Polygon": shapely.MultiPolygon,
        "LineString": shapely.MultiLineString,
        "Point": shapely.MultiPoint,
    }
    if len(kinds) == 1 and (kind := kinds.pop()) in multi:
        return multi[kind](parts)
    return shapely.GeometryCollection(parts)


def _draw(shape: Shape, search: bool = False) -> list[shapely.Geometry]:
    # At a pole every longitude is one point, which the plane draws as a line: only a record that
    # runs along that whole line can be drawn there.
    if isinstance(shape, Point):
        if abs(shape.lat) == 90.0 and not search:
            raise NoDrawing
        return cut(shapely.Point(shape.lon, shape.lat))
    if isinstance(shape, BoundingBox):  # parallels and meridians: straight in the plane already
        reaches = shape.north == 90.0 or shape.south == -90.0
        if reaches and not search and not (shape.west == -180.0 and shape.east == 180.0):
            raise NoDrawing
        east = shape.east + 360.0 if shape.wraps else shape.east
        return cut(shapely.box(shape.west, shape.south, east, shape.north))
    if isinstance(shape, Line):
        chain = arc_chain([(p.lon, p.lat) for p in shape.points])
        return cut(LineString(chain))
    if isinstance(shape, Circle):
        if reaches_pole(shape, 90.0) or reaches_pole(shape, -90.0):
            raise NoDrawing
        return cut(PlanarPolygon(_ring(circle_ring(shape))))
    if isinstance(shape, Polygon):
        if seams.loops(list(shape.boundary.vertices)) is not None:
            raise NoDrawing  # its runs along the antimeridian and back would draw as a line
        rings = [[(p.lon, p.lat) for p in r.points] for r in (shape.boundary, *shape.holes)]
        shell, *holes = (_ring(r) for r in rings)
        drawn = PlanarPolygon(shell, _holes_beside(shell, holes))
        if not drawn.is_valid:  # arcs closer than the tolerance may touch once drawn
            drawn = shapely.make_valid(drawn)
        return cut(drawn)
    raise TypeError(f"not a shape: {shape!r}")


def _ring(coords: list[tuple[float, float]]) -> np.ndarray:
    if ring_pole(coords) != 0:
        raise NoDrawing
    return arc_chain(coords)


def _holes_beside(shell: np.ndarray, holes: list[np.ndarray]) -> list[np.ndarray]:
    """Holes moved by a whole turn of longitude where that puts them beside their boundary (the
    boundary's longitudes are unwound from its first vertex, a hole's from its own)."""
    middle = (shell[:, 0].min() + shell[:, 0].max()) / 2
    out = []
    for hole in holes:
        turns = np.round((middle - (hole[:, 0].min() + hole[:, 0].max()) / 2) / 360.0)
        out.append(hole + np.array([360.0 * turns, 0.0]))
    return out


def cut(geometry: shapely.Geometry) -> list[shapely.Geometry]:
    """The drawing within -180…180: what lies beyond the antimeridian moved a turn back, and what
    lies on it drawn on both its sides."""
    west, _, east, _ = geometry.bounds
    if west > -180.0 and east < 180.0:
        return [geometry]
    parts = []
    for turn in (-360.0, 0.0, 360.0):
        if west + turn > 180.0 or east + turn < -180.0:
            continue
        piece = shapely.affinity.translate(geometry, xoff=turn).intersection(_WORLD)
        if not piece.is_empty:
            parts.extend(getattr(piece, "geoms", [piece]))
    return parts


def arc_chain(coords: list[tuple[float, float]], tolerance: float = PLANE_TOLERANCE) -> np.ndarray:
    """Vertices (lon, lat) of straight segments within ``tolerance`` degrees of the great-circle
    arcs through ``coords``, longitudes unwound (continuing past ±180 where the arcs cross it);
    NoDrawing near a pole."""
    (chain,) = arc_chains([np.asarray(coords, dtype=float)], tolerance)
    if chain is None:
        raise NoDrawing
    return chain


def arc_chains(chains: list[np.ndarray], tolerance: float = PLANE_TOLERANCE) -> list:
    """:func:`arc_chain` for many chains of points (arrays of lon, lat) at once; None for a chain
    that passes near a pole.

    Each arc is cut into equal steps until the arc's point halfway along every step lies within
    half the tolerance of that step's straight middle: over a step this short the gap between arc
    and chord is a parabola, widest in the middle, so the whole step keeps well within it. Every
    arc is refined on its own, so a chain's drawing is the same alone or in a batch.
    """
    points = np.concatenate(chains)
    sizes = np.array([len(c) for c in chains])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    owner = np.repeat(np.arange(len(chains)), sizes - 1)  # chain of each arc
    start = np.concatenate([np.arange(f, f + n - 1) for f, n in zip(first, sizes, strict=True)])
    lons, lats = points[:, 0], points[:, 1]
    v = sphere.xyz(lons, lats)
    a, b = v[start], v[start + 1]
    failed = np.zeros(len(chains), dtype=bool)
    np.logical_or.at(failed, owner, _near_poles(a, b, lats[start], lats[start + 1]))
    theta = np.arctan2(np.linalg.norm(sphere.cross(a, b), axis=1), np.einsum("ij,ij->i", a, b))
    # Steps of about half a degree meet the tolerance at once almost everywhere but near the poles.
    steps = np.maximum(1, np.ceil(np.degrees(theta) * 2)).astype(int)
    steps[failed[owner]] = 1
    while True:
        starts, mids, ends, edge = _step_points(a, b, theta, steps)
        s_lon, s_lat = _lonlat(starts)
        m_lon, m_lat = _lonlat(mids)
        e_lon, e_lat = _lonlat(ends)
        m_rel = _wrap(m_lon - s_lon)
        e_rel = _wrap(e_lon - s_lon)
        gap = np.hypot(m_rel - e_rel / 2, m_lat - (s_lat + e_lat) / 2)
        worst = np.zeros(len(steps))
        np.maximum.at(worst, edge, gap)
        short = (worst > tolerance / 2) & ~failed[owner]
        if not short.any():
            break
        factor = np.sqrt(worst[short] / (tolerance / 3))
        steps[short] = np.ceil(steps[short] * np.maximum(2.0, factor)).astype(int)
        over = steps > MAX_STEPS
        if over.any():  # too near a pole to draw: that chain gets none
            failed[owner[over]] = True
            steps[failed[owner]] = 1
    out: list[np.ndarray | None] = []
    step_end = np.cumsum(steps)  # per arc: index past its last step
    for n, (f, size) in enumerate(zip(first, sizes, strict=True)):
        if failed[n]:
            out.append(None)
            continue
        arcs = np.flatnonzero(owner == n)
        lo = step_end[arcs[0]] - steps[arcs[0]]
        hi = step_end[arcs[-1]]
        lon = np.concatenate([[lons[f]], lons[f] + np.cumsum(e_rel[lo:hi])])
        lat = np.concatenate([[lats[f]], e_lat[lo:hi]])
        # Vertices land on the input ones exactly, whatever rounding the steps added.
        last = step_end[arcs] - lo
        given_lon, given_lat = lons[f + 1 : f + size], lats[f + 1 : f + size]
        lon[last] = given_lon + 360.0 * np.round((lon[last] - given_lon) / 360.0)
        lat[last] = given_lat
        out.append(np.column_stack([lon, lat]))
    return out


def _step_points(a, b, theta, steps):
    """Start, middle and end of every step of every arc (slerp), and the arc each belongs to."""
    edge = np.repeat(np.arange(len(steps)), steps)
    k = np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps)
    n = steps[edge]
    return (
        _slerp(a[edge], b[edge], theta[edge], k / n),
        _slerp(a[edge], b[edge], theta[edge], (k + 0.5) / n),
        _slerp(a[edge], b[edge], theta[edge], (k + 1) / n),
        edge,
    )


def _slerp(a, b, theta, t):
    sin_theta = np.sin(theta)
    safe = np.where(sin_theta < sphere.EPS, 1.0, sin_theta)
    wa = np.where(sin_theta < sphere.EPS, 1.0 - t, np.sin((1.0 - t) * theta) / safe)
    wb = np.where(sin_theta < sphere.EPS, t, np.sin(t * theta) / safe)
    return wa[:, None] * a + wb[:, None] * b


def _lonlat(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    lat = np.degrees(np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1])))
    return lon, lat


def _wrap(delta: np.ndarray) -> np.ndarray:
    return (delta + 180.0) % 360.0 - 180.0


def _near_poles(a: np.ndarray, b: np.ndarray, lat_a: np.ndarray, lat_b: np.ndarray) -> np.ndarray:
    """Per arc: whether it comes within POLE_MARGIN of a pole. Only arcs whose whole great circle
    comes that near need the exact test (few do)."""
    near = (np.abs(lat_a) > 90.0 - POLE_MARGIN) | (np.abs(lat_b) > 90.0 - POLE_MARGIN)
    normal = sphere.cross(a, b)
    size = np.linalg.norm(normal, axis=1)
    circle_top = np.degrees(np.arccos(np.abs(normal[:, 2]) / np.where(size > 0, size, 1.0)))
    maybe = ~near & (circle_top > 90.0 - POLE_MARGIN)
    if maybe.any():
        low, high = arc_latitude_extremes(a[maybe], b[maybe])
        low, high = np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=0.0)
        near[maybe] = (high > 90.0 - POLE_MARGIN) | (low < -90.0 + POLE_MARGIN)
    return near
