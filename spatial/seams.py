"""Geodetic rings that run along the antimeridian and back: how archives write a swath split there.

Such a ring goes up the antimeridian as longitude 180 and comes back down it as -180 (or the other
way round); on the sphere the two runs are one arc, gone over once each way, and the points at ±180
on one latitude are one point. What the ring bounds is then exactly what it bounds without those
two runs: the loops left once they are taken out (a swath round the Earth, for instance, is the
area between its two edges). Only runs that come back point for point count; any other repeated
point is still a duplicate (``spatial.validation``).
"""

from __future__ import annotations

from spatial.shapes import Point


def _on_antimeridian(p: Point) -> bool:
    return abs(p.lon) == 180.0


def _same(p: Point, q: Point) -> bool:
    return p.lat == q.lat and (p.lon == q.lon or (_on_antimeridian(p) and _on_antimeridian(q)))


def loops(vertices: list[Point]) -> list[list[Point]] | None:
    """The loops a ring (distinct vertices, not closed) makes once each run along the antimeridian
    that it goes back over is taken out, or None when it has no such run. Loops too small to bound
    anything (fewer than three vertices) are left out."""
    pair = _returning_edges(vertices)
    if pair is None:
        return None
    work, out = [vertices], []
    while work:
        ring = work.pop()
        pair = _returning_edges(ring)
        if pair is None:
            if len(ring) >= 3:
                out.append(ring)
            continue
        k, m = pair
        n = len(ring)
        # Edge k (ring[k] → ring[k+1]) comes back as edge m (ring[m] → ring[m+1]): ring[m] is
        # ring[k+1] and ring[m+1] is ring[k], so each side of the two closes on itself.
        first = [ring[(k + 1 + i) % n] for i in range((m - k) % n)]  # ring[k+1] … ring[m]
        second = [ring[(m + 1 + i) % n] for i in range((k - m) % n)]  # ring[m+1] … ring[k]
        work += [first[:-1], second[:-1]]
    return out


def _returning_edges(ring: list[Point]) -> tuple[int, int] | None:
    """The first edge along the antimeridian (k) and the one going back over it (m), if any."""
    n = len(ring)
    runs = {}
    for k in range(n):
        a, b = ring[k], ring[(k + 1) % n]
        if _on_antimeridian(a) and _on_antimeridian(b) and a.lat != b.lat:
            runs.setdefault((a.lat, b.lat), k)
    for (south, north), k in runs.items():
        m = runs.get((north, south))
        if m is not None and _same(ring[k], ring[(m + 1) % n]):
            return min(k, m), max(k, m)
    return None
