"""Footprints of many records at once.

Most granules have one geodetic polygon of a handful of vertices, no holes, away from the poles.
For those, the checks that decide they are valid and the work that turns them into columns run as
array operations over the whole batch; each such record then costs a few string and shapely calls.
Anything else, and any record the batch checks cannot clear at a glance (one that might be
invalid, or touches a pole), goes the one-by-one way (``spatial.postgis.record_columns``), which
gives the precise error. The one-by-one way is the reference: a test holds the two to the same
answers.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict

import numpy as np
import shapely

from spatial import sphere
from spatial.bounds import arc_latitude_extremes, arcs_rectangles_many, rectangles_wkt
from spatial.errors import SpatialError
from spatial.plane import POLE_MARGIN, arc_chains, combine, cut
from spatial.postgis import SRID, drawing_wkt, geography_wkt, record_columns
from spatial.shapes import CoordinateSystem, Coverage, Polygon
from spatial.validation import HALF_SPHERE

#: How clearly a record must pass each check to skip the one-by-one way (else it goes there).
_MARGIN = 1e-3
#: Least distance (radians) between two vertices of a cleared ring: far beyond any two that the
#: duplicate rule (coordinates equal to 8 decimals, away from the poles) could call one point.
_MIN_CHORD = 1e-8
#: Largest ring (points, closing one included) the batch way takes: its checks compare every
#: pair of vertices and of edges, fine for the handful most footprints have. Larger rings go the
#: one-by-one way, whose checks grow as N log N.
MAX_BATCH_POINTS = 64


def record_columns_many(coverages: list[Coverage]) -> list[dict | SpatialError]:
    """Per coverage: its spatial columns (as ``record_columns`` gives them), or its error."""
    out: list[dict | SpatialError | None] = [None] * len(coverages)
    for members, lon, lat, clear in _groups(coverages):
        polygons = [coverages[n].shapes[0] for n, ok in zip(members, clear, strict=True) if ok]
        chosen = [n for n, ok in zip(members, clear, strict=True) if ok]
        if chosen:
            for n, columns in zip(chosen, _columns(lon[clear], lat[clear], polygons), strict=True):
                out[n] = columns
    for n, coverage in enumerate(coverages):
        if out[n] is None:
            try:
                out[n] = record_columns(coverage)
            except SpatialError as exc:
                out[n] = exc
    return out  # type: ignore[return-value]


def cleared_for_batch(coverages: list[Coverage]) -> list[bool]:
    """Which coverages the batch way handles (the others go one by one)."""
    out = [False] * len(coverages)
    for members, _, _, clear in _groups(coverages):
        for n, ok in zip(members, clear, strict=True):
            out[n] = bool(ok)
    return out


def _groups(coverages: list[Coverage]):
    """Simple coverages grouped by ring size: members, longitudes, latitudes, cleared rows."""
    groups: dict[int, list[int]] = defaultdict(list)
    for n, coverage in enumerate(coverages):
        if _simple(coverage):
            groups[len(coverage.shapes[0].boundary.points)].append(n)
    for members in groups.values():
        rings = [coverages[n].shapes[0].boundary.points for n in members]
        lon = np.array([[p.lon for p in points] for points in rings])
        lat = np.array([[p.lat for p in points] for points in rings])
        yield members, lon, lat, _clearly_valid(lon, lat)


def _simple(coverage: Coverage) -> bool:
    return (
        coverage.system is CoordinateSystem.GEODETIC
        and not coverage.is_global
        and coverage.orbit is None
        and len(coverage.shapes) == 1
        and isinstance(coverage.shapes[0], Polygon)
        and not coverage.shapes[0].holes
        and 4 <= len(coverage.shapes[0].boundary.points) <= MAX_BATCH_POINTS
    )


def _clearly_valid(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Rows (closed rings of the same size) that pass every geodetic polygon check with room to
    spare and keep away from the poles; the others are for the one-by-one way to judge."""
    ok = np.all(np.abs(lon) <= 180.0, axis=1) & np.all(np.abs(lat) < 90.0 - POLE_MARGIN, axis=1)
    ok &= np.all(lon[:, :1] == lon[:, -1:], axis=1) & np.all(lat[:, :1] == lat[:, -1:], axis=1)
    v = sphere.xyz(lon[:, :-1], lat[:, :-1])  # (m, k, 3): the distinct vertices
    m, k, _ = v.shape
    # No two vertices anywhere near one point; no arc anywhere near 180°.
    chord = np.linalg.norm(v[:, :, None, :] - v[:, None, :, :], axis=-1)
    chord[:, np.arange(k), np.arange(k)] = np.inf
    ok &= chord.min(axis=(1, 2)) > _MIN_CHORD
    nxt = np.roll(v, -1, axis=1)
    ok &= np.all(np.einsum("mkj,mkj->mk", v, nxt) > -1.0 + _MARGIN, axis=1)
    # Arcs away from the poles (great circles whose top stays clear, or the exact test).
    a, b = v.reshape(-1, 3), nxt.reshape(-1, 3)
    low, high = arc_latitude_extremes(a, b)
    near = (np.nan_to_num(high, nan=0.0) > 90.0 - POLE_MARGIN) | (
        np.nan_to_num(low, nan=0.0) < -90.0 + POLE_MARGIN
    )
    ok &= ~near.reshape(m, k).any(axis=1)
    # Less than half the Earth, counter-clockwise, by a margin.
    area = _areas(v)
    ok &= (area > 0) & (area < HALF_SPHERE - _MARGIN)
    # Not round a pole (its longitudes do not wind), inside one hemisphere (never both poles).
    turn = np.sum((np.diff(lon, axis=1) + 180.0) % 360.0 - 180.0, axis=1)
    ok &= np.abs(turn) < 180.0
    mean = v.sum(axis=1)
    size = np.linalg.norm(mean, axis=1, keepdims=True)
    centre = mean / np.where(size > sphere.EPS, size, 1.0)
    ok &= np.all(np.einsum("mkj,mj->mk", v, centre) > _MARGIN, axis=1)
    # No two non-adjacent edges crossing.
    first, second = edge_pairs(k)
    if first.size:
        hits = sphere.arc_pair_crossings(
            v[:, first].reshape(-1, 3),
            nxt[:, first].reshape(-1, 3),
            v[:, second].reshape(-1, 3),
            nxt[:, second].reshape(-1, 3),
        )
        ok &= ~(~np.isnan(hits[:, 0])).reshape(m, -1).any(axis=1)
    return ok


@functools.lru_cache(maxsize=MAX_BATCH_POINTS)
def edge_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The non-adjacent edge pairs of a ring of n edges (the ones that must not cross)."""
    pairs = [(i, j) for i in range(n) for j in range(i + 2, n) if not (i == 0 and j == n - 1)]
    if not pairs:
        return np.array([], dtype=int), np.array([], dtype=int)
    first, second = zip(*pairs, strict=True)
    return np.array(first), np.array(second)


def _areas(v: np.ndarray) -> np.ndarray:
    """``sphere.area_left`` of each row of rings (m, k, 3) at once."""
    prev, nxt = np.roll(v, 1, axis=1), np.roll(v, -1, axis=1)
    t_in = sphere.unit(sphere.cross(sphere.cross(prev, v), v))
    t_out = sphere.unit(sphere.cross(sphere.cross(v, nxt), v))
    sin_t = np.einsum("mkj,mkj->mk", sphere.cross(t_in, t_out), v)
    cos_t = np.einsum("mkj,mkj->mk", t_in, t_out)
    return 2 * math.pi - np.arctan2(sin_t, cos_t).sum(axis=1)


def _columns(lon, lat, polygons) -> list[dict]:
    chains = arc_chains([np.column_stack([x, y]) for x, y in zip(lon, lat, strict=True)])
    v = sphere.xyz(lon, lat)
    low, high = arc_latitude_extremes(v[:, :-1].reshape(-1, 3), v[:, 1:].reshape(-1, 3))
    k = lon.shape[1] - 1
    low, high = low.reshape(-1, k), high.reshape(-1, k)
    rectangles = arcs_rectangles_many(lon, lat, low, high)
    drawings = _drawings(chains)
    out = []
    for n, polygon in enumerate(polygons):
        out.append(
            {
                "coordinate_system": CoordinateSystem.GEODETIC,
                "spatial_geom": drawings[n],
                "spatial_geog": geography_wkt([polygon], CoordinateSystem.GEODETIC),
                "spatial_mbr": rectangles_wkt(rectangles[n]),
                "global_coverage": False,
            }
        )
    return out


def _drawings(chains: list) -> list[str | None]:
    """EWKT of each chain's planar polygon (``plane_wkt``'s answer): shapely's array functions
    for the valid ones clear of the antimeridian, one by one for the rest."""
    out: list[str | None] = [None] * len(chains)
    drawn = [n for n, chain in enumerate(chains) if chain is not None]
    if not drawn:
        return out
    sizes = [len(chains[n]) for n in drawn]
    rings = shapely.linearrings(
        np.concatenate([chains[n] for n in drawn]),
        indices=np.repeat(np.arange(len(drawn)), sizes),
    )
    polygons = shapely.polygons(rings)
    bounds = shapely.bounds(polygons)
    plain = shapely.is_valid(polygons) & (bounds[:, 0] > -180.0) & (bounds[:, 2] < 180.0)
    texts = shapely.to_wkt(polygons[plain], rounding_precision=-1)
    for n, text in zip(np.asarray(drawn)[plain], texts, strict=True):
        out[n] = f"SRID={SRID};{text}"
    for n, shape, ok in zip(drawn, polygons, plain, strict=True):
        if not ok:
            shape = shape if shapely.is_valid(shape) else shapely.make_valid(shape)
            out[n] = drawing_wkt(combine(cut(shape)))
    return out
