"""Longitude/latitude bounding rectangles: the index prefilter of every spatial search.

A shape's rectangles contain every point of it, in its own model: great-circle edges bulge towards
the poles, so their highest and lowest points count; a polygon around a pole reaches it. Rectangles
never cross the antimeridian (a shape across it gets one on each side). Since every longitude meets
at a pole, a shape that reaches a pole also gets a thin strip around that pole as wide as the map,
so that two shapes meeting only at the pole still overlap here. Rectangles are padded a little
beyond the touching tolerance of the exact predicates, so that the prefilter never drops a record
that the exact test would keep.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from spatial import sphere
from spatial.circles import circle_ring, reaches_pole
from spatial.shapes import BoundingBox, Circle, CoordinateSystem, Line, Point, Polygon, Shape

Rect = tuple[float, float, float, float]  # west, south, east, north with west <= east

#: Degrees added on every side (about 10 cm, beyond the exact tests' centimetre).
PAD = 1e-6
#: Cartesian records are searched by polygons through their densified geography, which strays up to
#: about 13 m (spatial.postgis.DENSIFY_TOLERANCE) from the straight edges: pad them that much more.
CARTESIAN_PAD = 2e-4
_POLE = 90.0 - 1e-9


def rectangles(shapes: Iterable[Shape], system: CoordinateSystem) -> list[Rect]:
    out: list[Rect] = []
    for shape in shapes:
        out.extend(shape_rectangles(shape, system))
    return out


def shape_rectangles(shape: Shape, system: CoordinateSystem) -> list[Rect]:
    if isinstance(shape, Point):
        return _emit(shape.lon, shape.lat, shape.lon, shape.lat, PAD)
    if isinstance(shape, BoundingBox):
        return _box(shape)
    if isinstance(shape, Circle):
        return _arcs(
            circle_ring(shape),
            north=reaches_pole(shape, 90.0),
            south=reaches_pole(shape, -90.0),
        )
    if system is CoordinateSystem.CARTESIAN:
        points = (
            shape.points if isinstance(shape, Line) else shape.boundary.points  # holes are inside
        )
        lons = [p.lon for p in points]
        lats = [p.lat for p in points]
        return _emit(min(lons), min(lats), max(lons), max(lats), CARTESIAN_PAD)
    if isinstance(shape, Line):
        return _arcs([(p.lon, p.lat) for p in shape.points])
    if isinstance(shape, Polygon):
        coords = [(p.lon, p.lat) for p in shape.boundary.points]
        pole = ring_pole(coords)
        return _arcs(coords, north=pole == 1, south=pole == -1)
    raise TypeError(f"not a shape: {shape!r}")


def _box(box: BoundingBox) -> list[Rect]:
    if box.wraps:
        return _emit(box.west, box.south, 180, box.north, PAD) + _emit(
            -180, box.south, box.east, box.north, PAD
        )
    return _emit(box.west, box.south, box.east, box.north, PAD)


def _arcs(coords: list[tuple[float, float]], *, north: bool = False, south: bool = False) -> list:
    """Rectangles around a chain of great-circle arcs (a line, or a closed ring whose interior
    reaches the north or south pole when told so)."""
    lons = np.array([c[0] for c in coords])
    lats = np.array([c[1] for c in coords])
    v = sphere.xyz(lons, lats)
    low, high = arc_latitude_extremes(v[:-1], v[1:])
    (rects,) = arcs_rectangles_many(
        lons[None, :], lats[None, :], low[None, :], high[None, :], north=north, south=south
    )
    return rects


def arcs_rectangles_many(
    lons, lats, low, high, *, north: bool = False, south: bool = False
) -> list[list[Rect]]:
    """Rectangles for rows of chains of the same length (their arcs' latitude extremes known),
    whose interiors reach the north or south pole when told so: the array work done once for all
    rows (a batch of records)."""
    over_pole = (high >= _POLE) | (low <= -_POLE)
    delta = (lons[:, 1:] - lons[:, :-1] + 180.0) % 360.0 - 180.0
    start = np.where(delta >= 0, lons[:, :-1], lons[:, 1:])
    lowest = np.nanmin(np.concatenate([lats, low], axis=1), axis=1).tolist()
    highest = np.nanmax(np.concatenate([lats, high], axis=1), axis=1).tolist()
    out = []
    for row, (points, starts, widths, skips) in enumerate(
        zip(lons.tolist(), start.tolist(), np.abs(delta).tolist(), over_pole.tolist(), strict=True)
    ):
        intervals = [(lon, 0.0) for lon in points]
        # Over a pole an arc is two meridians, whose longitudes are its endpoints'.
        intervals += [(a, w) for a, w, skip in zip(starts, widths, skips, strict=True) if not skip]
        south_lat = -90.0 if south else lowest[row]
        north_lat = 90.0 if north else highest[row]
        spans = [(-180.0, 180.0)] if north or south else _covering_spans(intervals)
        rects: list[Rect] = []
        for west, east in spans:
            rects += _emit(west, south_lat, east, north_lat, PAD)
        out.append(rects)
    return out


def ring_pole(coords: list[tuple[float, float]]) -> int:
    """+1 if a closed counter-clockwise ring goes round the north pole, -1 the south pole, 0
    neither: its longitude steps add up to +360°, -360° or 0."""
    lons = np.array([c[0] for c in coords])
    turn = float(np.sum((lons[1:] - lons[:-1] + 180.0) % 360.0 - 180.0))
    return 1 if turn > 180 else -1 if turn < -180 else 0


def arc_latitude_extremes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per arc a[i]→b[i]: the lowest and highest latitude inside it where its great circle turns
    (NaN where the great circle does not turn inside the arc)."""
    normal = sphere.cross(a, b)
    size = np.linalg.norm(normal, axis=1, keepdims=True)
    normal = normal / np.where(size < sphere.EPS, 1.0, size)
    top = np.array([0.0, 0.0, 1.0]) - normal * normal[:, 2:3]
    top_size = np.linalg.norm(top, axis=1, keepdims=True)
    usable = (size[:, 0] >= sphere.EPS) & (top_size[:, 0] >= sphere.EPS)
    top = top / np.where(top_size < sphere.EPS, 1.0, top_size)

    def inside(x):  # x on the short arc a→b: between the ends, on the side the normal says
        first = np.einsum("ij,ij->i", sphere.cross(a, x), normal)
        second = np.einsum("ij,ij->i", sphere.cross(x, b), normal)
        return usable & (first >= -1e-12) & (second >= -1e-12)

    lat_top = np.degrees(np.arcsin(np.clip(top[:, 2], -1.0, 1.0)))
    high = np.where(inside(top), lat_top, np.nan)
    low = np.where(inside(-top), -lat_top, np.nan)
    return low, high


def _covering_spans(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The smallest longitude range (as spans within -180…180) covering intervals (start, width)."""
    items = sorted(((start + 180.0) % 360.0, width) for start, width in intervals)
    merged: list[list[float]] = []
    for start, width in items:
        end = start + width
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if merged[-1][1] - 360.0 >= merged[0][0] and len(merged) > 1:
        first = merged.pop(0)
        merged[-1][1] = max(merged[-1][1], first[1] + 360.0)
    if any(end - start >= 360.0 for start, end in merged):
        return [(-180.0, 180.0)]
    # The largest gap between consecutive covered ranges (cyclically) is what the range leaves out.
    gaps = [
        ((merged[(i + 1) % len(merged)][0] + (360.0 if i + 1 == len(merged) else 0.0)) - end, i)
        for i, (_, end) in enumerate(merged)
    ]
    _, widest = max(gaps)
    begin = merged[(widest + 1) % len(merged)][0]
    finish = merged[widest][1]
    if finish < begin:
        finish += 360.0
    west, east = begin - 180.0, finish - 180.0
    if east <= 180.0:
        return [(west, east)]
    return [(west, 180.0), (-180.0, east - 360.0)]


def _emit(west: float, south: float, east: float, north: float, pad: float) -> list[Rect]:
    """Padded rectangles, mirrored across the antimeridian when they touch it, with pole strips."""
    south, north = max(-90.0, south - pad), min(90.0, north + pad)
    west, east = west - pad, east + pad
    out: list[Rect] = [(max(-180.0, west), south, min(180.0, east), north)]
    if west < -180.0:
        out.append((west + 360.0, south, 180.0, north))
    if east > 180.0:
        out.append((-180.0, south, east - 360.0, north))
    if north >= 90.0:
        out.append((-180.0, 90.0 - pad, 180.0, 90.0))
    if south <= -90.0:
        out.append((-180.0, -90.0, 180.0, -90.0 + pad))
    return out


def rectangles_wkt(rects: list[Rect]) -> str | None:
    """EWKT of rectangles as one planar (multi)polygon."""
    if not rects:
        return None
    polygons = [
        f"(({w!r} {s!r},{e!r} {s!r},{e!r} {n!r},{w!r} {n!r},{w!r} {s!r}))" for w, s, e, n in rects
    ]
    return "SRID=4326;MULTIPOLYGON(" + ",".join(polygons) + ")"
