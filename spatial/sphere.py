"""Great-circle geometry on the unit sphere, in 3-D vectors (numpy).

Used to validate geodetic shapes (orientation, self-intersection, pole containment) and to densify
edges when a shape moves from one coordinate model to the other. Angles in radians unless named
``*_deg``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

EPS = 1e-12


def xyz(lon_deg, lat_deg) -> np.ndarray:
    """Unit vectors for longitudes/latitudes in degrees (scalars or arrays; last axis x, y, z)."""
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1)


def lonlat(v: np.ndarray) -> tuple[float, float]:
    x, y, z = (float(c) for c in v)
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    lon = math.degrees(math.atan2(y, x)) if abs(lat) < 90 - 1e-12 else 0.0
    return lon, lat


def points_xyz(points: Sequence) -> np.ndarray:
    return xyz([p.lon for p in points], [p.lat for p in points])


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross products of 3-vectors (broadcasting); numpy's own is slow on small arrays."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = np.empty(np.broadcast_shapes(np.shape(a), np.shape(b)))
    out[..., 0] = a1 * b2 - a2 * b1
    out[..., 1] = a2 * b0 - a0 * b2
    out[..., 2] = a0 * b1 - a1 * b0
    return out


def unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n < EPS, 1.0, n)


def angle_between(a: np.ndarray, b: np.ndarray) -> float:
    return float(math.atan2(np.linalg.norm(cross(a, b)), float(np.dot(a, b))))


def turning_sum(vertices: np.ndarray) -> float:
    """Sum of the signed turning angles at the vertices of a closed ring (not repeated at the end).

    Left turns (seen from outside the sphere) count positive. A ring enclosing area A on its left
    turns by 2π − A in all.
    """
    prev = np.roll(vertices, 1, axis=0)
    nxt = np.roll(vertices, -1, axis=0)
    # Tangent directions at each vertex: arriving along prev→v, leaving along v→next.
    t_in = unit(cross(cross(prev, vertices), vertices))
    t_out = unit(cross(cross(vertices, nxt), vertices))
    sin_t = np.einsum("ij,ij->i", cross(t_in, t_out), vertices)
    cos_t = np.einsum("ij,ij->i", t_in, t_out)
    return float(np.sum(np.arctan2(sin_t, cos_t)))


def area_left(vertices: np.ndarray) -> float:
    """Area (steradians, 4π for the sphere) of the region on the left of a closed ring."""
    return 2 * math.pi - turning_sum(vertices)


def contains(point: np.ndarray, vertices: np.ndarray) -> bool:
    """Whether a point lies inside a counter-clockwise ring (vertices, not closed), the interior
    being on the left of its edges. Boundary points are the caller's to treat.

    A great-circle ray from the point to a reference just outside the first edge crosses the ring
    an odd number of times exactly when the point is inside.
    """
    a, b = vertices[0], vertices[1]
    left = unit(cross(a, b))
    mid = unit(a + b)
    outside = unit(mid - 1e-7 * left)
    nxt = np.roll(vertices, -1, axis=0)
    hits = arc_crossings(point, outside, vertices, nxt)
    crossed = ~np.isnan(hits[:, 0])
    # A crossing exactly at a vertex is seen by both edges that share it: count it once.
    points = [tuple(np.round(h, 12)) for h in hits[crossed]]
    return len(set(points)) % 2 == 1


def on_arc(p: np.ndarray, a: np.ndarray, b: np.ndarray, tol: float = 1e-9) -> bool:
    """Whether p lies on the short great-circle arc from a to b."""
    total = angle_between(a, b)
    return abs(angle_between(a, p) + angle_between(p, b) - total) < tol


def on_arcs(p: np.ndarray, a: np.ndarray, b: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Per arc a[i]→b[i]: whether p lies on it (``on_arc`` for many arcs at once)."""

    def angles(u, v):
        return np.arctan2(np.linalg.norm(cross(u, v), axis=-1), np.einsum("...j,...j->...", u, v))

    return np.abs(angles(a, p) + angles(p, b) - angles(a, b)) < tol


def arc_crossings(a1, b1, a2, b2) -> np.ndarray:
    """Points where arc a1→b1 crosses each arc a2[i]→b2[i] (rows of NaN where it does not).

    Arcs that merely touch at a shared endpoint do not count; the caller leaves adjacent edges out.
    """
    a2, b2 = np.asarray(a2), np.asarray(b2)
    return arc_pair_crossings(np.broadcast_to(a1, a2.shape), np.broadcast_to(b1, a2.shape), a2, b2)


def arc_pair_crossings(a1, b1, a2, b2) -> np.ndarray:
    """Row by row: where arc a1[i]→b1[i] crosses arc a2[i]→b2[i] (a row of NaN where not).

    The great circles' normals are made unit so that the tolerance is an angle (``EPS`` radians
    past an arc's end) whatever the arcs' lengths: unscaled, it grew as an arc shortened (to 4e-9
    rad for a 0.014° arc), and a ring whose two corners are 6e-12 rad apart, a slit along the
    antimeridian near a pole, was said to cross itself there."""
    n1 = unit(cross(a1, b1))
    n2 = unit(cross(a2, b2))
    line = cross(n1, n2)
    norm = np.linalg.norm(line, axis=-1, keepdims=True)
    out = np.full(a1.shape, np.nan)
    ok = norm[:, 0] > EPS
    cand = line / np.where(norm > EPS, norm, 1.0)

    def rows(u, v):
        return np.einsum("ij,ij->i", u, v)

    for sign in (1.0, -1.0):
        x = sign * cand
        hit = (
            ok
            & (rows(cross(a1, x), n1) >= -EPS)
            & (rows(cross(x, b1), n1) >= -EPS)
            & (rows(cross(a2, x), n2) >= -EPS)
            & (rows(cross(x, b2), n2) >= -EPS)
        )
        out[hit] = x[hit]
    return out


def parallel_chord_offset(lat_deg: float, dlon_deg: float) -> float:
    """Latitude (degrees) to give the two ends of a short step along a parallel so that the great
    circle between them stays on the equator side of the parallel, never inside what it bounds."""
    lat = math.radians(lat_deg)
    shifted = math.atan(math.tan(lat) * math.cos(math.radians(dlon_deg) / 2))
    return math.degrees(shifted)
