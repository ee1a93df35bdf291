"""Which great-circle arcs of a shape may cross, in O(N log N).

Testing every pair of a ring's N edges costs N²/2 (a 5,000-vertex polygon: 12.5 million pairs).
Instead each arc gets a 3-D box that surely holds it (its endpoints' box grown by its sagitta:
no point of an arc is farther than that from its chord), and a GEOS STRtree pairs the boxes that
meet; only those pairs get the exact test. The tree is 2-D, so the boxes are seen along the axis
the shape lies most across (dropping the coordinate its vertices share most) and the pairs it
gives are then held to the third coordinate as well.
"""

from __future__ import annotations

import numpy as np
import shapely

from spatial import sphere

#: Slack (unit-sphere units) beyond the sagitta, above the exact test's own tolerance.
_SLACK = 1e-9
#: Least cosine of the angle from a ring's middle to its vertices for the gnomonic projection
#: (about 84°: coordinates up to ten times the Earth's radius, far from losing precision).
_GNOMONIC_DEPTH = 0.1
_HAIR = 1e-9  # projected units (radians at the centre): far beyond the arc test's tolerance
_STRETCH = 1024  # first edges per tree query when listing crossings


def _axes(*vectors: np.ndarray) -> tuple[int, int, int]:
    """The two coordinates to draw the boxes in, and the one to check afterwards."""
    mean = np.abs(np.concatenate(vectors).sum(axis=0))
    dropped = int(np.argmax(mean))
    kept = [k for k in range(3) if k != dropped]
    return kept[0], kept[1], dropped


def _arc_boxes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    chord = np.linalg.norm(b - a, axis=1)
    half = np.arcsin(np.clip(chord / 2, 0.0, 1.0))  # half the arc's angle
    grow = (1.0 - np.cos(half) + _SLACK)[:, None]
    return np.minimum(a, b) - grow, np.maximum(a, b) + grow


def _meeting(lo1, hi1, lo2, hi2, axes) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i into the first boxes, j into the second) of boxes that meet in 3-D."""
    p, q, r = axes
    tree = shapely.STRtree(shapely.box(lo2[:, p], lo2[:, q], hi2[:, p], hi2[:, q]))
    i, j = tree.query(shapely.box(lo1[:, p], lo1[:, q], hi1[:, p], hi1[:, q]))
    keep = (lo1[i, r] <= hi2[j, r]) & (lo2[j, r] <= hi1[i, r])
    return i[keep], j[keep]


def ring_is_simple(vertices: np.ndarray) -> bool | None:
    """True when a closed ring (vertices, not repeated) surely has no two edges meeting but
    neighbours at their shared vertex, decided by GEOS in the gnomonic projection round the ring's
    middle, which draws every great circle as a straight line, exactly. False when GEOS finds them
    meeting or a vertex is a hair from another edge; None when the ring does not lie well inside a
    hemisphere (the projection would stretch it too far to trust). Only True is an answer: the
    others are for :func:`ring_self_crossings` to settle."""
    mean = vertices.sum(axis=0)
    size = np.linalg.norm(mean)
    if size < sphere.EPS:
        return None
    centre = mean / size
    depth = vertices @ centre
    if depth.min() <= _GNOMONIC_DEPTH:
        return None
    pole = np.array([0.0, 0.0, 1.0]) if abs(centre[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    east = sphere.unit(sphere.cross(pole, centre))
    north = sphere.cross(centre, east)
    plane = np.column_stack([vertices @ east / depth, vertices @ north / depth])
    if not shapely.linearrings(plane).is_simple:
        return False
    # GEOS is exact on the projected numbers; the arc test counts edges within a hair as meeting.
    # A vertex that near another edge (or the projection's rounding) is for the arc test to judge.
    n = len(plane)
    segments = shapely.linestrings(
        np.stack([plane, np.roll(plane, -1, axis=0)], axis=1).reshape(-1, 2),
        indices=np.repeat(np.arange(n), 2),
    )
    vertex, edge = shapely.STRtree(segments).query(
        shapely.points(plane), predicate="dwithin", distance=_HAIR
    )
    return not np.any((edge != vertex) & (edge != (vertex - 1) % n))


def ring_self_crossings(vertices: np.ndarray, limit: int | None = None) -> np.ndarray:
    """Points where non-adjacent edges of a closed ring (vertices, not repeated) cross or touch,
    in the order of the edge pairs (first edge, then second); with ``limit``, the first that many
    (found a stretch of first edges at a time, so a ring with a crossing everywhere stops soon)."""
    n = len(vertices)
    if n < 4:
        return np.empty((0, 3))
    a, b = vertices, np.roll(vertices, -1, axis=0)
    lo, hi = _arc_boxes(a, b)
    p, q, r = _axes(vertices)
    tree = shapely.STRtree(shapely.box(lo[:, p], lo[:, q], hi[:, p], hi[:, q]))
    found: list[np.ndarray] = []
    count = 0
    for start in range(0, n, _STRETCH):
        rows = np.arange(start, min(n, start + _STRETCH))
        k, j = tree.query(shapely.box(lo[rows, p], lo[rows, q], hi[rows, p], hi[rows, q]))
        i = rows[k]
        keep = (j >= i + 2) & ~((i == 0) & (j == n - 1))
        keep &= (lo[i, r] <= hi[j, r]) & (lo[j, r] <= hi[i, r])
        i, j = i[keep], j[keep]
        order = np.lexsort((j, i))
        i, j = i[order], j[order]
        hits = sphere.arc_pair_crossings(a[i], b[i], a[j], b[j])
        hits = hits[~np.isnan(hits[:, 0])]
        found.append(hits)
        count += len(hits)
        if limit is not None and count >= limit:
            break
    out = np.concatenate(found)
    return out if limit is None else out[:limit]


def rings_crossings(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Points where an edge of one closed ring crosses or touches an edge of another."""
    a1, b1 = first, np.roll(first, -1, axis=0)
    a2, b2 = second, np.roll(second, -1, axis=0)
    lo1, hi1 = _arc_boxes(a1, b1)
    lo2, hi2 = _arc_boxes(a2, b2)
    i, j = _meeting(lo1, hi1, lo2, hi2, _axes(first, second))
    hits = sphere.arc_pair_crossings(a1[i], b1[i], a2[j], b2[j])
    return hits[~np.isnan(hits[:, 0])]
