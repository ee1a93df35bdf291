"""Backtrack orbit search: which ascending equator crossings of an orbit see a search area.

A port of the method NASA's CMR uses for granules of ORBIT collections (its orbits-lib, itself a
port of NSIDC's Backtrack Orbit Search Algorithm), kept to CMR's arithmetic, constants and quirks
so that its answers are ours: see ``../shared/orbit-backtrack.md`` for the derivation. An orbit
granule is its ascending-crossing longitude and the stretch of orbit it covers (as circular
latitude); a search area becomes, per latitude band and pass direction, the crossing longitudes
whose swath sees it.

Angles are radians inside, degrees at the edges (``area_crossing_ranges``, ``granule_clats``).
The backtracking is a handful of scalar trigonometric steps per search and collection: numpy
would only add its call overhead there (it serves the latitude band of long rings).
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass

import numpy as np

from spatial import sphere
from spatial.bounds import arc_latitude_extremes, ring_pole
from spatial.circles import circle_ring
from spatial.shapes import BoundingBox, Circle, Line, OrbitParameters, Point, Polygon, Ring
from spatial.shapes import Orbit as OrbitPass

PI = math.pi
TWO_PI = 2 * PI
#: NSIDC's Earth radius (metres), which CMR uses for the swath's angular width.
EARTH_RADIUS_M = 6_367_435.0
#: Earth rotation per second while the satellite runs from the node to a point: a solar day.
EARTH_ROTATION_SOLAR = TWO_PI / 86_400
#: Earth rotation per second between a granule's successive orbits: sidereal (CMR mixes both).
EARTH_ROTATION_SIDEREAL = 7.2921150e-5
#: CMR's one tolerance, used with radians and degrees alike.
EPSILON = 1e-5


# -- points on the unit sphere -------------------------------------------------------------------


class Coord:
    """A point: latitude φ and longitude θ (radians) and its unit vector, as CMR keeps both."""

    __slots__ = ("phi", "theta", "x", "y", "z")

    def __init__(self, phi: float, theta: float, x: float, y: float, z: float):
        self.phi, self.theta, self.x, self.y, self.z = phi, theta, x, y, z

    @classmethod
    def at(cls, phi: float, theta: float) -> Coord:
        """φ wrapped into [−π, π), folded over a pole into [−π/2, π/2] (θ turning by π), θ wrapped
        into [−π, π); the vector is (cos φ cos θ, cos φ sin θ, sin φ)."""
        while phi >= PI:
            phi -= TWO_PI
        while phi < -PI:
            phi += TWO_PI
        if phi > PI / 2:
            phi, theta = PI - phi, theta + PI
        if phi < -PI / 2:
            phi, theta = -PI - phi, theta + PI
        while theta >= PI:
            theta -= TWO_PI
        while theta < -PI:
            theta += TWO_PI
        cos_phi = math.cos(phi)
        return cls(phi, theta, cos_phi * math.cos(theta), cos_phi * math.sin(theta), math.sin(phi))

    @classmethod
    def degrees(cls, lat: float, lon: float) -> Coord:
        return cls.at(lat * PI / 180, lon * PI / 180)

    @classmethod
    def vector(cls, x: float, y: float, z: float) -> Coord:
        """The vector scaled to length 1 (zero: (1, 0, 0)); φ = asin z, θ = atan2(y, x)."""
        d = x * x + y * y + z * z
        if d == 0:
            d = x = 1.0
        scale = 1 / math.sqrt(d)
        x, y, z = x * scale, y * scale, z * scale
        return cls(math.asin(max(-1.0, min(1.0, z))), math.atan2(y, x), x, y, z)

    def cross(self, other: Coord) -> Coord:
        """The normalised cross product self × other."""
        return Coord.vector(
            self.y * other.z - self.z * other.y,
            self.z * other.x - self.x * other.z,
            self.x * other.y - self.y * other.x,
        )

    def __neg__(self) -> Coord:
        return Coord.vector(-self.x, -self.y, -self.z)


# -- longitude coverage --------------------------------------------------------------------------


class Coverage:
    """Longitude intervals on the circle: a sorted flat list of bounds in [−π, π], in pairs."""

    __slots__ = ("bounds",)

    def __init__(self, start: float | None = None, end: float | None = None):
        self.bounds: list[float] = []
        if start is not None and end is not None:
            self.add(start, end)

    @classmethod
    def full(cls) -> Coverage:
        return cls(0.0, 0.0)

    def add(self, start: float, end: float) -> None:
        """The interval running east from ``start`` to ``end`` merged in (ends that touch merge);
        one wider than the circle, or of equal ends, is everything."""
        if end - start > TWO_PI:
            self.bounds = [-PI, PI]
            return
        start, end = _wrap(start), _wrap(end)
        if start == end:
            self.bounds = [-PI, PI]
            return
        if end < start:  # across the antimeridian
            if end != -PI:
                self.add(-PI, end)
            end = PI
        i0, i1 = self._index(start), self._index(end)
        if i1 < len(self.bounds) and self.bounds[i1] == end:
            i1 += 1
        insert = ([start] if i0 % 2 == 0 else []) + ([end] if i1 % 2 == 0 else [])
        self.bounds[i0:i1] = insert

    def _index(self, theta: float) -> int:
        """Where θ goes in the bounds; an equal bound's own index."""
        return bisect.bisect_left(self.bounds, theta)

    def union(self, other: Coverage) -> None:
        for n in range(0, len(other.bounds), 2):
            self.add(other.bounds[n], other.bounds[n + 1])

    def degrees(self) -> list[list[float]]:
        """The intervals in degrees; one across the antimeridian as one interval past 180°."""
        out = [
            [self.bounds[n] * 180 / PI, self.bounds[n + 1] * 180 / PI]
            for n in range(0, len(self.bounds), 2)
        ]
        if len(self.bounds) > 2 and self.bounds[0] == -PI and self.bounds[-1] == PI:
            out[0][0] = out[-1][0]
            out[0][1] += 360
            out.pop()
        return out


def _wrap(theta: float) -> float:
    while theta >= PI:
        theta -= TWO_PI
    while theta < -PI:
        theta += TWO_PI
    return theta


def combine(west: Coverage, east: Coverage) -> Coverage:
    """From the western edge of ``west`` (its first bound, or its third when it wraps) east to
    the eastern edge of ``east`` (its second bound); nothing when either has no such edge."""
    w = (
        west.bounds[0]
        if len(west.bounds) == 2
        else (west.bounds[2] if len(west.bounds) == 4 else None)
    )
    e = east.bounds[1] if len(east.bounds) in (2, 4) else None
    if w is None or e is None:
        return Coverage()
    return Coverage(w, e)


# -- the orbit -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orbit:
    """An orbit model from a collection's OrbitParameters, in CMR's units (radians, seconds)."""

    inclination: float
    period_s: float
    swath: float  # angular width on the unit sphere
    start_clat: float
    count: float  # orbits per granule

    @classmethod
    def of(cls, parameters: OrbitParameters) -> Orbit:
        """i = InclinationAngle·π/180; T = Period·60 s; w = SwathWidth·1000 / R; c₀ =
        StartCircularLatitude·π/180 (missing: 0)."""
        return cls(
            inclination=parameters.inclination_deg * PI / 180,
            period_s=parameters.period_min * 60,
            swath=parameters.swath_width_km * 1000 / EARTH_RADIUS_M,
            start_clat=(parameters.start_circular_latitude or 0.0) * PI / 180,
            count=parameters.number_of_orbits,
        )

    @property
    def declination(self) -> float:
        """δ = i − π/2 (less π/2 while above π/2)."""
        d = self.inclination - PI / 2
        while d > PI / 2:
            d -= PI / 2
        return d

    @property
    def retrograde(self) -> bool:
        return self.inclination > PI / 2

    @property
    def max_orbit_phi(self) -> float:
        """φ_orbit = π/2 − δ: the ground track's highest latitude (right for retrograde orbits)."""
        return PI / 2 - self.declination

    @property
    def max_coverage_phi(self) -> float:
        """φ_max = φ_orbit + w/2: the highest latitude any swath sees."""
        return self.max_orbit_phi + self.swath / 2

    @property
    def full_coverage_phi(self) -> float:
        """φ_full = π − φ_max: every pass sees what is poleward of it (the swath wraps the pole)."""
        return PI - self.max_coverage_phi

    @property
    def angular_velocity(self) -> float:
        """ω = 2π / T."""
        return TWO_PI / self.period_s

    @property
    def start_lat(self) -> float:
        """φ_start = asin(cos δ · sin c₀): the latitude where each granule's pass starts (CMR
        rotates (c₀, 0) about the x axis by δ; this is the closed form)."""
        return math.asin(math.cos(self.declination) * math.sin(self.start_clat))

    # -- one point --

    def equator_crossing(self, p: Coord, ascending: bool, corrected: bool = True) -> Coord:
        """The ascending node of the orbit whose given pass runs over p. Spherical triangle with
        B = π/2, A = i (retrograde, descending) or π − i, a = φ clamped to ±φ_orbit:
        b = asin(sin B sin a / sin A) (arc from the node), node offset
        Δ = 2 atan2(tan((a − b)/2) sin((A + B)/2), sin((A − B)/2)) (Napier's analogy); the
        descending pass lands on the other node (− π). Corrected, the Earth turns by
        (2π/86400)·d/ω while the satellite covers d = b (ascending) or π − b (descending), d moved
        by whole turns into [c₀, c₀ + 2π]."""
        big_b = PI / 2
        big_a = self.inclination if self.retrograde != ascending else PI - self.inclination
        a = max(-self.max_orbit_phi, min(self.max_orbit_phi, p.phi))
        b = math.asin(max(-1.0, min(1.0, math.sin(big_b) * math.sin(a) / math.sin(big_a))))
        numerator = math.tan((a - b) / 2) * math.sin((big_a + big_b) / 2)
        c = 2 * math.atan2(numerator, math.sin((big_a - big_b) / 2))
        theta = p.theta + c
        if not ascending:
            theta -= PI
        if corrected:
            distance = b if ascending else PI - b
            while distance < self.start_clat:
                distance += TWO_PI
            while distance > self.start_clat + TWO_PI:
                distance -= TWO_PI
            theta += EARTH_ROTATION_SOLAR * distance / self.angular_velocity
        return Coord.at(0.0, theta)

    def swath_edges(self, p: Coord, ascending: bool) -> tuple[Coord, Coord] | None:
        """The points at p's latitude on the west and east swath edges of the orbit through p
        (Earth at rest). Each edge lies in a plane n·x = d parallel to the orbit's (n = T × N,
        T the point clamped to the track, N its node; d from the southernmost track point moved
        ±w/2); a plane meets the parallel z = sin φ where y = m x + k, x² + y² = 1 − z²."""
        if abs(p.phi) <= EPSILON:
            return (
                Coord.at(0.0, p.theta - self.swath / 2),
                Coord.at(0.0, p.theta + self.swath / 2),
            )
        z = p.z
        target = Coord.at(max(-self.max_orbit_phi, min(self.max_orbit_phi, p.phi)), p.theta)
        node = self.equator_crossing(target, ascending, False)
        a = target.y * node.z - target.z * node.y
        b = target.z * node.x - target.x * node.z
        c = target.x * node.y - target.y * node.x
        low = Coord.at(-self.inclination, node.theta - PI / 2)
        candidates: list[Coord] = []
        for edge in (
            Coord.at(low.phi + self.swath / 2, low.theta),
            Coord.at(low.phi - self.swath / 2, low.theta),
        ):
            d = a * edge.x + b * edge.y + c * edge.z
            if abs(b) < EPSILON:
                if abs(a) < EPSILON:  # an equatorial orbit: all or nothing
                    if abs(p.phi) < self.swath / 2:
                        return Coord.at(0.0, -PI), Coord.at(0.0, PI)
                    return None
                x = (d - c * z) / a
                rest = 1 - z * z - x * x
                if rest >= 0:
                    y = math.sqrt(rest)
                    candidates += [Coord.vector(x, y, z), Coord.vector(x, -y, z)]
            else:
                m, k = -a / b, (d - c * z) / b
                r = math.sqrt(1 - z * z)
                qa, qb, qc = m * m + 1, 2 * m * k, k * k - r * r
                disc = qb * qb - 4 * qa * qc
                if disc >= 0:
                    for x in (
                        (-qb + math.sqrt(disc)) / (2 * qa),
                        (-qb - math.sqrt(disc)) / (2 * qa),
                    ):
                        candidates.append(Coord.vector(x, m * x + k, z))
        if not candidates:
            return None
        candidates.sort(key=lambda q: q.theta)
        east = next((n for n, q in enumerate(candidates) if p.theta < q.theta), 0)
        west_edge, east_edge = candidates[(east - 1) % len(candidates)], candidates[east]
        if len(candidates) == 2:  # p beyond one edge, inside the other: near the turn
            north = p.phi > 0
            turn = Coord.at(p.phi, low.theta + PI if north else low.theta)
            if (north and self.retrograde == ascending) or (
                not north and self.retrograde != ascending
            ):
                west_edge = turn
            else:
                east_edge = turn
        return west_edge, east_edge

    def point_coverage(self, p: Coord, ascending: bool) -> Coverage:
        """The ascending-node longitudes whose given pass sees p: the swath's east–west window at
        p reflected through p (the swath west of p is seen by tracks east of it), each end carried
        to its node with the Earth's rotation."""
        if abs(p.phi) > self.max_coverage_phi:
            return Coverage()
        if abs(p.phi) > self.full_coverage_phi:
            return Coverage.full()
        edges = self.swath_edges(p, ascending)
        if edges is None:
            return Coverage()
        west, east = edges
        east_target = Coord.at(p.phi, p.theta - (west.theta - p.theta))
        west_target = Coord.at(p.phi, p.theta - (east.theta - p.theta))
        low = self.equator_crossing(west_target, ascending, True).theta
        high = self.equator_crossing(east_target, ascending, True).theta
        return Coverage(low, high)


# -- areas ---------------------------------------------------------------------------------------

Band = list  # [south, north] in degrees
Pairs = list  # [(band, Coverage)]


def _box(
    orbit: Orbit, band: Band, north: float, west: float, south: float, east: float, ascending: bool
) -> Pairs:
    """A latitude/longitude box (degrees): the four corners backtracked and the edges' ranges
    combined; split at the start latitude first (bands then end at c₀ ± ε, CMR's choice)."""
    n, w, s, e = north * PI / 180, west * PI / 180, south * PI / 180, east * PI / 180
    top = orbit.max_coverage_phi
    if west + 360 == east:
        return [(band, Coverage() if s > top or n < -top else Coverage.full())]
    if s > top or n < -top:
        return [(band, Coverage())]
    if n > orbit.full_coverage_phi or s < -orbit.full_coverage_phi:
        return [(band, Coverage.full())]
    start = orbit.start_lat
    if n == start:  # CMR-4722: an edge exactly at the start latitude belongs to one side
        n = start - EPSILON
    if s == start:
        s = start + EPSILON
    if n > start > s:
        lat = start * 180 / PI
        upper = _box(orbit, [lat + EPSILON, band[1]], north, west, lat + EPSILON, east, ascending)
        lower = _box(orbit, [band[0], lat - EPSILON], lat - EPSILON, west, south, east, ascending)
        c0 = orbit.start_clat * 180 / PI
        upper[0] = ([c0 + EPSILON, upper[0][0][1]], upper[0][1])
        lower[0] = ([lower[0][0][0], c0 - EPSILON], lower[0][1])
        return upper + lower
    n = min(top - EPSILON, n)
    s = max(-top + EPSILON, s)
    ll = orbit.point_coverage(Coord.at(s, w), ascending)
    lr = orbit.point_coverage(Coord.at(s, e), ascending)
    ul = orbit.point_coverage(Coord.at(n, w), ascending)
    ur = orbit.point_coverage(Coord.at(n, e), ascending)
    found = Coverage()
    found.union(combine(ul, ur))
    found.union(combine(ll, lr))
    if ascending:
        found.union(combine(ll, ul))
        found.union(combine(lr, ur))
    else:
        found.union(combine(ul, ll))
        found.union(combine(ur, lr))
    return [(band, found)]


def _bearing(p0: Coord, p1: Coord) -> float:
    """Initial course p0 → p1: atan2(sin Δθ cos φ₁, cos φ₀ sin φ₁ − sin φ₀ cos φ₁ cos Δθ); from a
    pole, π (north) or 2π (south)."""
    if abs(math.cos(p0.phi)) < EPSILON:
        return PI if p0.phi > 0 else TWO_PI
    dt = p1.theta - p0.theta
    y = math.sin(dt) * math.cos(p1.phi)
    x = math.cos(p0.phi) * math.sin(p1.phi) - math.sin(p0.phi) * math.cos(p1.phi) * math.cos(dt)
    return math.atan2(y, x)


def _turning_points(p0: Coord, p1: Coord) -> list[Coord]:
    """The great circle's highest and lowest points (Clairaut): φ_top = acos|sin β cos φ₀|,
    θ_top = θ₀ ± asin(cos β / sin φ_top), worked out in the hemisphere of the end nearer a pole."""
    if p0.phi * 180 / PI == 0 and p1.phi * 180 / PI == 0:
        return []
    extreme = p0 if abs(p0.phi) > abs(p1.phi) else p1
    if extreme.phi < 0:
        p0, p1 = -p0, -p1
    course = _bearing(p0, p1)
    top = math.acos(min(1.0, abs(math.sin(course) * math.cos(p0.phi))))
    sin_top = math.sin(top)
    dtheta = math.asin(max(-1.0, min(1.0, math.cos(course) / sin_top))) if sin_top else 0.0
    if course < 0:
        dtheta = -dtheta
    theta = p0.theta + dtheta
    return [Coord.at(top, theta), Coord.at(-top, theta + PI)]


def _between(p0: Coord, p1: Coord, p: Coord) -> bool:
    """p's longitude within the arc p0–p1's (an arc along a meridian, or over a pole, by
    latitude too)."""
    dtheta = abs(p0.theta - p1.theta)
    if dtheta < EPSILON:
        return abs(p0.theta - p.theta) < EPSILON
    if abs(dtheta - PI) < EPSILON:
        if p0.phi + p1.phi > 0:
            return (abs(p0.theta - p.theta) < EPSILON and p.phi >= p0.phi) or (
                abs(p1.theta - p.theta) < EPSILON and p.phi >= p1.phi
            )
        return (abs(p0.theta - p.theta) < EPSILON and p.phi <= p0.phi) or (
            abs(p1.theta - p.theta) < EPSILON and p.phi <= p1.phi
        )
    theta = p.theta
    low, high = sorted((p0.theta, p1.theta))
    if high - low > PI:
        low, high = high, low + TWO_PI
    if theta < low:
        theta += TWO_PI
    return low <= theta <= high


def _phi_crossing(p0: Coord, p1: Coord, phi: float) -> Coord | None:
    """Where the arc p0–p1 crosses latitude φ (the aviation formulary):
    A = sin φ₀ cos φ₁ cos φ sin(θ₀ − θ₁),
    B = sin φ₀ cos φ₁ cos φ cos(θ₀ − θ₁) − cos φ₀ sin φ₁ cos φ,
    C = cos φ₀ cos φ₁ sin φ sin(θ₀ − θ₁); θ = θ₀ ± acos(C / √(A² + B²)) + atan2(B, A)."""
    dt = p0.theta - p1.theta
    big_a = math.sin(p0.phi) * math.cos(p1.phi) * math.cos(phi) * math.sin(dt)
    big_b = math.sin(p0.phi) * math.cos(p1.phi) * math.cos(phi) * math.cos(dt) - math.cos(
        p0.phi
    ) * math.sin(p1.phi) * math.cos(phi)
    big_c = math.cos(p0.phi) * math.cos(p1.phi) * math.sin(phi) * math.sin(dt)
    h = math.sqrt(big_a * big_a + big_b * big_b)
    if h == 0 or abs(big_c) > h:
        return None
    base = math.atan2(big_b, big_a)
    delta = math.acos(max(-1.0, min(1.0, big_c / h)))
    for sign in (1, -1):
        theta = ((p0.theta + sign * delta + base + PI) % TWO_PI) - PI
        found = Coord.at(phi, theta)
        if _between(p0, p1, found):
            return found
    return None


def _segments(orbit: Orbit, points: list[Coord]) -> list[tuple[Coord, Coord]]:
    """The ring's or line's edges split at turning points, those out of sight dropped, the
    others clipped to the visible band and split at the start latitude. An edge whose clip or
    split finds no crossing (a vertex exactly at a pole, in some geometries: CMR fails there)
    is left out."""
    out = []
    for p0, p1 in itertools.pairwise(points):
        turn = next((t for t in _turning_points(p0, p1) if _between(p0, p1, t)), None)
        out += [(p0, turn), (turn, p1)] if turn is not None else [(p0, p1)]
    top = orbit.max_coverage_phi
    out = [
        (p0, p1) for p0, p1 in out if not (min(p0.phi, p1.phi) > top or max(p0.phi, p1.phi) < -top)
    ]
    clipped = []
    for p0, p1 in out:
        if p0.phi > top:
            p0 = _phi_crossing(p0, p1, top - EPSILON)
        elif p0.phi < -top:
            p0 = _phi_crossing(p0, p1, -top + EPSILON)
        if p0 is None:
            continue
        if p1.phi > top:
            p1 = _phi_crossing(p0, p1, top - EPSILON)
        elif p1.phi < -top:
            p1 = _phi_crossing(p0, p1, -top + EPSILON)
        if p1 is not None:
            clipped.append((p0, p1))
    start = orbit.start_lat
    split = []
    for p0, p1 in clipped:
        if abs(p0.phi - start) < EPSILON:
            p0 = Coord.at(p0.phi + (-EPSILON if p1.phi < p0.phi else EPSILON), p0.theta)
        if abs(p1.phi - start) < EPSILON:
            p1 = Coord.at(p1.phi + (-EPSILON if p0.phi < p1.phi else EPSILON), p1.theta)
        if (p0.phi > start > p1.phi) or (p0.phi < start < p1.phi):
            x = _phi_crossing(p0, p1, start)
            if x is None:
                continue
            step = EPSILON if p0.phi > start else -EPSILON
            split += [(p0, Coord.at(x.phi + step, x.theta)), (Coord.at(x.phi - step, x.theta), p1)]
        else:
            split.append((p0, p1))
    return split


def _segment_coverage(orbit: Orbit, p0: Coord, p1: Coord, ascending: bool) -> Coverage:
    """Ends ordered so p0's crossings lie west of p1's (by the normal's sign, and for an edge
    steeper than the orbit by the pass), then combined."""
    normal = p0.cross(p1)
    if normal.phi < 0:
        normal, (p0, p1) = -normal, (p1, p0)
    if normal.phi < orbit.declination and ((p1.phi < p0.phi) != (not ascending)):
        p0, p1 = p1, p0
    return combine(orbit.point_coverage(p0, ascending), orbit.point_coverage(p1, ascending))


def _poly(orbit: Orbit, band: Band, points: list[Coord], ascending: bool) -> Pairs:
    """A ring or line: edge coverages grouped into runs above and below the start latitude,
    each run with its band. CMR never updates its "current run is upper" flag; kept, as one
    of its answers depends on it."""
    if any(abs(p.phi) > orbit.full_coverage_phi for p in points):
        return [(band, Coverage.full())]
    segments = _segments(orbit, points)
    if not segments:
        return [(band, Coverage())]
    start = orbit.start_lat
    lat = start * 180 / PI
    upper_band = [max(lat, band[0]), band[1]]
    lower_band = [band[0], min(lat, band[1])]
    upper_runs: list[Coverage] = []
    lower_runs: list[Coverage] = []
    current = Coverage()
    is_upper = segments[0][0].phi >= start
    (upper_runs if is_upper else lower_runs).append(current)
    for p0, p1 in segments:
        found = _segment_coverage(orbit, p0, p1, ascending)
        if p0.phi < start:
            if is_upper:
                current = Coverage()
                lower_runs.append(current)
        elif not is_upper:
            current = Coverage()
            upper_runs.append(current)
        current.union(found)
    if upper_runs and lower_runs:
        c0 = orbit.start_clat * 180 / PI
        upper_band[0] = c0 + EPSILON
        lower_band[1] = c0
    return [(upper_band, run) for run in upper_runs] + [(lower_band, run) for run in lower_runs]


def area_pairs(orbit: Orbit, band: Band, shape, ascending: bool) -> Pairs:
    """(latitude band, longitude coverage) pairs for a point, box, line or polygon (degrees in,
    the polygon's outer ring only)."""
    if isinstance(shape, Point):
        return [(band, orbit.point_coverage(Coord.degrees(shape.lat, shape.lon), ascending))]
    if isinstance(shape, BoundingBox):
        return _box(orbit, band, shape.north, shape.west, shape.south, shape.east, ascending)
    if isinstance(shape, Polygon):
        points = [Coord.degrees(p.lat, p.lon) for p in shape.boundary.points]
        return _poly(orbit, band, points, ascending)
    if isinstance(shape, Line):
        return _poly(orbit, band, [Coord.degrees(p.lat, p.lon) for p in shape.points], ascending)
    raise TypeError(f"no backtracking for {type(shape).__name__}")


# -- ranges in degrees ---------------------------------------------------------------------------


def copies(low: float, high: float, bound_low: float, bound_high: float) -> list[list[float]]:
    """Every copy [m + s, M + s] (s a multiple of 360) of the circular range [low, high] that
    meets [bound_low, bound_high]: m = low mod 360, M = m + (360 if high − low = 360 else
    (high − low) mod 360)."""
    m = low % 360
    big = m + (360 if high - low == 360 else (high - low) % 360)
    first = 360 * (math.trunc(bound_low - big) // 360 + 1)
    stop = 360 * (math.trunc(bound_high - m) // 360 + 1)
    return [[m + s, big + s] for s in range(first, stop, 360)]


def area_crossing_ranges(
    orbit: Orbit, band: Band, shape, ascending: bool
) -> list[tuple[Band, list[list[float]]]]:
    """CMR's ``areaCrossingRange``: per band, the ascending-crossing longitude ranges (degrees)
    whose given pass sees the shape, for each of the granule's orbits k < N shifted east by
    k·T·ω_sidereal (later orbits cross further west), in all copies meeting [−180, 180]."""
    shift = orbit.period_s * EARTH_ROTATION_SIDEREAL * 180 / PI
    out = []
    for lat_band, coverage in area_pairs(orbit, band, shape, ascending):
        ranges = coverage.degrees()
        shifted = []
        k = 0
        while k < orbit.count:
            for low, high in ranges:
                shifted += copies(low + shift * k, high + shift * k, -180, 180)
            k += 1
        out.append((lat_band, shifted))
    return out


def clat_ranges(south: float, north: float) -> tuple[list[list[float]], list[list[float]]]:
    """A latitude band as circular-latitude ranges, ascending ([south, north]) and descending
    ([180 − north, 180 − south]), in all their copies meeting [0, 720]."""
    return copies(south, north, 0, 720), copies(180 - north, 180 - south, 0, 720)


def granule_clats(
    start_lat: float, start_dir: str, end_lat: float, end_dir: str
) -> tuple[float, float]:
    """The circular latitudes a granule's orbit covers, [start, end] with end after start: s, e
    the latitudes (180 − latitude on a descending pass), start = s mod 360, end = start + 360
    when e − s is 360 or when the granule ends where it began, else start + (e − s) mod 360."""
    s = start_lat if start_dir == "A" else 180 - start_lat
    e = end_lat if end_dir == "A" else 180 - end_lat
    start = s % 360
    end = start + 360 if e - s == 360 else start + (e - s) % 360
    if end == start:
        end = start + 360
    return start, end


# -- a search against a collection ---------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Granules seen by one pass over one band: a circular-latitude interval meeting one of
    ``clats`` and an ascending crossing within one of ``longitudes`` (degrees, inclusive)."""

    clats: tuple[tuple[float, float], ...]
    longitudes: tuple[tuple[float, float], ...]

    def sees(self, crossing: float, start_clat: float, end_clat: float) -> bool:
        return any(start_clat <= high and end_clat >= low for low, high in self.clats) and any(
            low <= crossing <= high for low, high in self.longitudes
        )


def index_rounded(value: float) -> float:
    """An ordinate as CMR's index keeps it: round half up at 7 decimals."""
    return math.floor(value * 1e7 + 0.5) / 1e7


def _rounded(shape):
    r = index_rounded
    if isinstance(shape, Point):
        return Point(r(shape.lon), r(shape.lat))
    if isinstance(shape, BoundingBox):
        return BoundingBox(r(shape.west), r(shape.south), r(shape.east), r(shape.north))
    if isinstance(shape, Line):
        return Line(tuple(Point(r(p.lon), r(p.lat)) for p in shape.points))
    ring = tuple(Point(r(p.lon), r(p.lat)) for p in shape.boundary.points)
    return Polygon(type(shape.boundary)(ring))


def latitude_band(shape) -> Band:
    """The latitudes of the shape's bounding rectangle as CMR's geodetic code has them: a great
    circle arc bulges poleward between its ends; a ring round a pole reaches it."""
    if isinstance(shape, Point):
        return [shape.lat, shape.lat]
    if isinstance(shape, BoundingBox):
        return [shape.south, shape.north]
    points = shape.points if isinstance(shape, Line) else shape.boundary.points
    coords = [(p.lon, p.lat) for p in points]
    lons, lats = np.array([c[0] for c in coords]), np.array([c[1] for c in coords])
    v = sphere.xyz(lons, lats)
    low, high = arc_latitude_extremes(v[:-1], v[1:])
    south = float(np.nanmin(np.concatenate([lats, low])))
    north = float(np.nanmax(np.concatenate([lats, high])))
    if isinstance(shape, Polygon):
        pole = ring_pole(coords)
        south, north = (-90.0 if pole == -1 else south), (90.0 if pole == 1 else north)
    return [south, north]


def search_windows(parameters: OrbitParameters, shape) -> list[Window] | None:
    """What a search shape asks of the granules of one orbit collection: windows of which a
    granule must meet one (both passes' together), or None when the collection takes no part
    (CMR skips it unless the first band of one pass has some longitude range). A circle is
    searched as the polygon drawn round it (``spatial.circles``), which contains it."""
    if isinstance(shape, Circle):
        shape = Polygon(Ring(tuple(Point(lon, lat) for lon, lat in circle_ring(shape))))
    shape = _rounded(shape)
    orbit = Orbit.of(parameters)
    band = latitude_band(shape)
    ascending = area_crossing_ranges(orbit, band, shape, True)
    descending = area_crossing_ranges(orbit, band, shape, False)
    if not (ascending and ascending[0][1]) and not (descending and descending[0][1]):
        return None
    out = []
    for pairs, pass_index in ((ascending, 0), (descending, 1)):
        for (south, north), longitudes in pairs:
            if longitudes:  # CMR would fail on an empty OR here; it matches nothing
                clats = clat_ranges(south, north)[pass_index]
                out.append(Window(tuple(map(tuple, clats)), tuple(map(tuple, longitudes))))
    return out


def sees(parameters: OrbitParameters, orbit: OrbitPass, shape) -> bool:
    """Whether a search by ``shape`` finds the orbit granule (the test the catalog's SQL makes)."""
    windows = search_windows(parameters, shape)
    if not windows:
        return False
    start, end = granule_clats(
        orbit.start_lat, orbit.start_direction, orbit.end_lat, orbit.end_direction
    )
    return any(w.sees(orbit.ascending_crossing, start, end) for w in windows)
