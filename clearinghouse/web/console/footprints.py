"""Footprints as a flat map draws them: GeoJSON in longitude/latitude, cut at ±180.

A record's planar drawing (``spatial_geom``) is already cut at the antimeridian; records round or
near a pole have none (``spatial.plane``), so their geography is drawn here: each great-circle edge
followed in small steps, the ring unwrapped to run on past ±180, a ring that goes once round the
Earth closed along the pole it encircles, and the result cut into the strips of the map it covers.
Drawn naively, such rings would be smeared across the whole map.
"""

from __future__ import annotations

import itertools
import json
import math

import shapely
import shapely.affinity
from shapely.geometry import Polygon as PlanarPolygon
from shapely.geometry import box, mapping

#: Degrees of arc between the points drawn along a great-circle edge.
STEP = 2.0
WORLD = box(-180, -90, 180, 90)


def footprint(planar: str | None, geodetic: str | None) -> dict | None:
    """The GeoJSON geometry to draw, from the record's planar drawing when it has one, else from
    its geography (both as PostGIS ST_AsGeoJSON text)."""
    if planar:
        return json.loads(planar)
    if not geodetic:
        return None
    geometry = json.loads(geodetic)
    if geometry["type"] in ("Point", "MultiPoint", "LineString", "MultiLineString"):
        return geometry
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    pieces = []
    for rings in polygons:
        pieces.extend(_cut(_unwrapped(rings[0]), [_unwrapped(r) for r in rings[1:]]))
    if not pieces:
        return None
    return mapping(shapely.MultiPolygon(pieces) if len(pieces) > 1 else pieces[0])


def _great_circle(a, b) -> list[tuple[float, float]]:
    """Points along the great circle from a to b (b excluded), STEP degrees apart at most."""
    va, vb = _vector(a), _vector(b)
    angle = math.acos(max(-1.0, min(1.0, sum(x * y for x, y in zip(va, vb, strict=True)))))
    steps = max(1, math.ceil(math.degrees(angle) / STEP))
    if angle < 1e-12:
        return [tuple(a)]
    points = []
    for i in range(steps):
        t = i / steps
        wa, wb = math.sin((1 - t) * angle), math.sin(t * angle)
        v = [(wa * p + wb * q) / math.sin(angle) for p, q in zip(va, vb, strict=True)]
        points.append((math.degrees(math.atan2(v[1], v[0])), math.degrees(math.asin(v[2]))))
    points[0] = tuple(a)
    return points


def _vector(point) -> tuple[float, float, float]:
    lon, lat = math.radians(point[0]), math.radians(point[1])
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def _unwrapped(ring: list) -> list[tuple[float, float]]:
    """The ring densified along its great circles, longitudes made continuous (running on past
    ±180), and closed round the pole it goes round, if it goes round one."""
    dense: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(ring):
        dense.extend(_great_circle(a, b))
    out = [dense[0]]
    for lon, lat in dense[1:]:
        previous = out[-1][0]
        lon += 360 * round((previous - lon) / 360)
        out.append((lon, lat))
    start = out[0]
    closing = out[-1][0] + _wrap_step(out[-1][0], start[0])
    drift = closing - start[0]
    if abs(drift) > 180:
        # Once round the Earth: the ring bounds the cap of the pole on its side of the equator.
        pole = 90.0 if sum(lat for _, lat in out) > 0 else -90.0
        out += [(closing, start[1]), (closing, pole), (start[0], pole)]
    out.append(start)
    return out


def _wrap_step(lon: float, towards: float) -> float:
    """The step from lon to ``towards`` taken the short way (at most 180° either way)."""
    step = (towards - lon) % 360
    return step - 360 if step > 180 else step


def _cut(shell, holes) -> list[PlanarPolygon]:
    """The polygon moved into and cut along the map's ±180 edges."""
    polygon = PlanarPolygon(shell, holes).buffer(0)
    pieces = []
    for shift in (-360, 0, 360):
        moved = shapely.affinity.translate(polygon, xoff=shift)
        part = moved.intersection(WORLD)
        for piece in getattr(part, "geoms", [part]):
            if isinstance(piece, PlanarPolygon) and not piece.is_empty:
                pieces.append(piece)
    return pieces
