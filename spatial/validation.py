"""Validation of shapes in their coordinate model, with CMR's messages where they fit.

:func:`prepare` checks a shape and returns it ready to store or search: unchanged, or, for a
Cartesian polygon that crosses the antimeridian, split there into pieces (seed slide 58).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import shapely
from shapely.geometry import LinearRing
from shapely.geometry import Polygon as PlanarPolygon

from spatial import crossings, errors, seams, sphere
from spatial.shapes import (
    BoundingBox,
    Circle,
    CoordinateSystem,
    Line,
    Point,
    Polygon,
    Ring,
    Shape,
    format_number,
)

#: Decimals CMR rounds coordinates to before it compares points (``p/round-point 8``).
DUPLICATE_PRECISION = 8
#: Latitudes this close to ±90 are the pole (cmr.spatial.point/is-north-pole?).
POLE_TOLERANCE = 1e-7
MAX_SEARCH_LINE_POINTS = 500  # CMR's: spatial-lib cmr.spatial.messages/max-line-points
#: CMR's limit on the points of a search area (its shapefiles: search-app
#: cmr.search.services.parameters.converters.shapefile/max-shapefile-points, "Shapefiles are
#: limited to 5000 points" in its API documentation), counted as it counts them: every ring's
#: points, the closing one included.
MAX_SEARCH_POLYGON_POINTS = 5000
MAX_LISTED_CROSSINGS = 10  # self-intersections a message names
MIN_CIRCLE_RADIUS = 10.0
MAX_CIRCLE_RADIUS = 6_000_000.0
HALF_SPHERE = 2 * math.pi
# How close to exactly half the Earth a ring must come before its orientation cannot be told.
HALF_SPHERE_MARGIN = 1e-6


def prepare(
    shape: Shape,
    system: CoordinateSystem,
    *,
    search: bool = False,
) -> tuple[Shape, ...]:
    """Validate a shape; return the shapes to store or search in its place."""
    geodetic = system is CoordinateSystem.GEODETIC
    if isinstance(shape, Point):
        _check_points([shape])
        return (shape,)
    if isinstance(shape, BoundingBox):
        _check_box(shape, geodetic)
        return (shape,)
    if isinstance(shape, Circle):
        _check_circle(shape)
        return (shape,)
    if isinstance(shape, Line):
        _check_line(shape, geodetic, search)
        return (shape,)
    if isinstance(shape, Polygon):
        if search:
            _check_search_polygon_size(shape)
        if geodetic:
            _check_geodetic_polygon(shape)
            return (shape,)
        return _check_cartesian_polygon(shape)
    raise TypeError(f"not a shape: {shape!r}")


def check_closed(points: list[Point]) -> None:
    """AQL and CMR rings are closed by their author; an open one is refused, not mended."""
    if len(points) < 4:
        raise errors.TooFewPoints(
            f"A polygon ring needs at least 4 points (3 distinct and the first repeated last), "
            f"but had {len(points)}."
        )
    if points[0] != points[-1]:
        raise errors.RingNotClosed(
            "Polygon boundary was not closed. The last point must be equal to the first point."
        )


# -- points and boxes ------------------------------------------------------------------------


def _check_points(points) -> None:
    for p in points:
        if not (math.isfinite(p.lon) and -180 <= p.lon <= 180):
            raise errors.CoordinateOutOfRange(
                f"Point longitude [{format_number(p.lon)}] must be within -180.0 and 180.0"
            )
        if not (math.isfinite(p.lat) and -90 <= p.lat <= 90):
            raise errors.CoordinateOutOfRange(
                f"Point latitude [{format_number(p.lat)}] must be within -90 and 90.0"
            )


def _check_box(box: BoundingBox, geodetic: bool) -> None:
    _check_points([Point(box.west, box.north), Point(box.east, box.south)])
    if box.north < box.south:
        raise errors.NorthBelowSouth(
            f"The bounding rectangle north value [{format_number(box.north)}] was less than the "
            f"south value [{format_number(box.south)}]"
        )
    if box.wraps and not geodetic:
        raise errors.CrossesAntimeridian(
            f"The Cartesian bounding rectangle west value [{format_number(box.west)}] is greater "
            f"than its east value [{format_number(box.east)}]: Cartesian shapes cannot cross the "
            "antimeridian"
        )


def _check_circle(circle: Circle) -> None:
    _check_points([circle.center])
    if not (MIN_CIRCLE_RADIUS <= circle.radius <= MAX_CIRCLE_RADIUS):
        raise errors.BadCircle(
            f"Circle radius must be between 10 and 6000000, but was {format_number(circle.radius)}."
        )
    if abs(circle.center.lat) == 90:
        raise errors.BadCircle(
            f"Circle center {circle.center} is a pole; the centre of a circle cannot be a pole."
        )


# -- lines ---------------------------------------------------------------------------------


def _check_line(line: Line, geodetic: bool, search: bool) -> None:
    points = list(line.points)
    if len(points) < 2:
        raise errors.TooFewPoints(f"A line needs at least 2 points, but had {len(points)}.")
    if search and len(points) > MAX_SEARCH_LINE_POINTS:
        raise errors.TooManyPoints(
            f"A search line may have at most {MAX_SEARCH_LINE_POINTS} points, "
            f"but had {len(points)}."
        )
    _check_points(points)
    _check_duplicates(points, geodetic)
    if geodetic:
        _check_antipodal(points)
    else:
        _check_cartesian_edges(points, "line")


# -- polygons --------------------------------------------------------------------------------


def _check_search_polygon_size(polygon: Polygon) -> None:
    count = sum(len(r.points) for r in (polygon.boundary, *polygon.holes))
    if count > MAX_SEARCH_POLYGON_POINTS:
        raise errors.TooManyPoints(
            f"A search polygon may have at most {MAX_SEARCH_POLYGON_POINTS} points (its rings "
            f"together, each closing point counted), but had {count}."
        )


def _ring_checks(ring: Ring, geodetic: bool) -> None:
    points = list(ring.points)
    if len(points) < 4:
        raise errors.TooFewPoints(
            f"A polygon ring needs at least 3 distinct points, but had {len(set(points[:-1]))}."
        )
    _check_points(points)
    _check_duplicates(points[:-1], geodetic)
    if geodetic:
        _check_antipodal(points)


def _check_geodetic_polygon(polygon: Polygon) -> None:
    loops = None if polygon.holes else seams.loops(list(polygon.boundary.vertices))
    if loops is not None:
        _check_seamed_boundary(loops)
        return
    rings = [polygon.boundary, *polygon.holes]
    for ring in rings:
        _ring_checks(ring, True)
    vertices = [sphere.points_xyz(r.vertices) for r in rings]
    for ring_vertices in vertices:
        _check_geodetic_self_intersection(ring_vertices)
    for number, ring_vertices in enumerate(vertices):
        _check_geodetic_orientation(ring_vertices, hole=number)
    boundary = vertices[0]
    north, south = sphere.xyz(0, 90), sphere.xyz(0, -90)
    if (
        not _within_a_hemisphere(boundary)
        and _strictly_inside(north, boundary)
        and _strictly_inside(south, boundary)
    ):
        _both_poles()
    for number, hole in enumerate(vertices[1:], start=1):
        covered = all(
            _strictly_inside(v, boundary) or _on_ring(v, boundary) for v in hole
        ) and not _rings_cross(hole, boundary)
        if not covered:
            raise errors.HoleNotCovered(
                f"The polygon boundary does not completely cover hole number {number}."
            )
    for i, first in enumerate(vertices[1:], start=1):
        for j, second in enumerate(vertices[i + 1 :], start=i + 1):
            if (
                _rings_cross(first, second)
                or any(_strictly_inside(v, first) for v in second)
                or any(_strictly_inside(v, second) for v in first)
            ):
                raise errors.HolesIntersect(
                    f"The polygon hole number {i} intersects hole number {j}."
                )


def _check_seamed_boundary(loops: list[list[Point]]) -> None:
    """A boundary that runs along the antimeridian and back (``spatial.seams``): each loop it
    makes without those runs is checked as a ring, the loops must not cross, and what they bound
    together (where an odd number of them has it on its left) follows the rules of any polygon."""
    vertices = []
    for loop in loops:
        _ring_checks(Ring((*loop, loop[0])), True)
        v = sphere.points_xyz(loop)
        _check_geodetic_self_intersection(v)
        vertices.append(v)
    for i, first in enumerate(vertices):
        for second in vertices[i + 1 :]:
            if _rings_cross(first, second):
                raise errors.SelfIntersection(
                    "The polygon boundary intersected itself: the parts either side of where it "
                    "runs along the antimeridian and back cross each other."
                )
    # Each loop's area counts what it has on its left; areas beyond a whole sphere are the parts
    # that more than one of them has there.
    total = sum(sphere.area_left(v) for v in vertices)
    overlaps = math.floor(total / (4 * math.pi))
    _check_area(total - 4 * math.pi * overlaps, "boundary")

    def inside(point: np.ndarray) -> bool:
        return sum(_strictly_inside(point, v) for v in vertices) - overlaps == 1

    if inside(sphere.xyz(0, 90)) and inside(sphere.xyz(0, -90)):
        _both_poles()


def _both_poles() -> None:
    raise errors.BothPoles(
        "The polygon boundary contains both the North and South Poles. "
        "A polygon can contain at most one pole."
    )


def _within_a_hemisphere(vertices: np.ndarray) -> bool:
    """Whether every vertex lies in the open hemisphere round their mean. Its edges (short arcs)
    then do too, and a polygon smaller than half the Earth (checked before) lies inside it, which
    can never hold both poles."""
    mean = vertices.sum(axis=0)
    size = np.linalg.norm(mean)
    return bool(size > sphere.EPS and np.all(vertices @ (mean / size) > 1e-9))


def _check_geodetic_orientation(ring_vertices: np.ndarray, *, hole: int) -> None:
    _check_area(sphere.area_left(ring_vertices), "boundary" if hole == 0 else f"hole number {hole}")


def _check_area(area: float, which: str) -> None:
    """A ring's area on its left must be less than half the Earth: else it runs the wrong way
    round, or it is too large."""
    if area < HALF_SPHERE - HALF_SPHERE_MARGIN:
        return
    if 4 * math.pi - area < HALF_SPHERE - HALF_SPHERE_MARGIN:
        raise errors.WrongOrientation(f"The polygon {which} points are listed in the wrong order.")
    raise errors.TooLarge(
        f"The polygon {which} covers half the Earth or more; a geodetic polygon must cover "
        "less than half of the Earth."
    )


def _check_geodetic_self_intersection(v: np.ndarray) -> None:
    if crossings.ring_is_simple(v):
        return
    hits = crossings.ring_self_crossings(v, limit=MAX_LISTED_CROSSINGS)
    found = [Point(*_round(sphere.lonlat(row))) for row in hits]
    if found:
        raise errors.SelfIntersection(
            "The polygon boundary intersected itself at the following points: "
            + ", ".join(str(p) for p in found)
        )


def _check_cartesian_polygon(polygon: Polygon) -> tuple[Shape, ...]:
    rings = [polygon.boundary, *polygon.holes]
    for ring in rings:
        _ring_checks(ring, False)
    crossing = any(_crosses_antimeridian(r.points) for r in rings)
    coords = [[(p.lon, p.lat) for p in r.points] for r in rings]
    if crossing:
        coords = [[(lon + 360 if lon < 0 else lon, lat) for lon, lat in ring] for ring in coords]
    for number, ring in enumerate(coords):
        planar = LinearRing(ring)
        if not planar.is_simple:
            points = _planar_self_intersections(ring)
            raise errors.SelfIntersection(
                "The polygon boundary intersected itself at the following points: "
                + ", ".join(str(p) for p in points[:10])
            )
        if not planar.is_ccw:
            which = "boundary" if number == 0 else f"hole number {number}"
            raise errors.WrongOrientation(
                f"The polygon {which} points are listed in the wrong order."
            )
    outer = PlanarPolygon(coords[0])
    holes = [PlanarPolygon(h) for h in coords[1:]]
    for number, hole in enumerate(holes, start=1):
        if not outer.covers(hole):
            raise errors.HoleNotCovered(
                f"The polygon boundary does not completely cover hole number {number}."
            )
    for i, first in enumerate(holes, start=1):
        for j, second in enumerate(holes[i:], start=i + 1):
            if first.relate_pattern(second, "T********"):
                raise errors.HolesIntersect(
                    f"The polygon hole number {i} intersects hole number {j}."
                )
    if not crossing:
        return (polygon,)
    return split_at_antimeridian(PlanarPolygon(coords[0], coords[1:]))


def split_at_antimeridian(unwrapped: PlanarPolygon) -> tuple[Polygon, ...]:
    """Cut a polygon given in longitudes 0…360 at 180 and bring the eastern part back."""
    pieces: list[Polygon] = []
    for west, east, shift in ((-180.0, 180.0, 0.0), (180.0, 540.0, -360.0)):
        part = unwrapped.intersection(shapely.box(west, -90, east, 90))
        for geom in getattr(part, "geoms", [part]):
            if geom.is_empty or geom.geom_type != "Polygon" or geom.area == 0:
                continue
            geom = shapely.affinity.translate(geom, xoff=shift)
            geom = shapely.geometry.polygon.orient(geom, 1.0)
            pieces.append(
                Polygon(
                    _ring_from(geom.exterior.coords),
                    tuple(_ring_from(h.coords) for h in geom.interiors),
                )
            )
    return tuple(pieces)


def _ring_from(coords) -> Ring:
    return Ring(tuple(Point(float(x), float(y)) for x, y in coords))


# -- helpers -------------------------------------------------------------------------------------


def _check_duplicates(points: list[Point], geodetic: bool) -> None:
    """CMR's rule (spatial-lib cmr.spatial.points-validation-helpers/duplicate-point-validation):
    points are the same when they are equal once rounded to 8 decimals, by CMR's point equality.
    A distance would not do: near a pole, points far apart in longitude are a hair apart."""
    if len(points) < 2:
        return
    lon = _round_half_up(np.array([p.lon for p in points], dtype=float))
    lat = _round_half_up(np.array([p.lat for p in points], dtype=float))
    if geodetic:
        # cmr.spatial.point: every longitude at a pole is one point, and -180 is 180.
        north, south = np.abs(lat - 90.0) <= POLE_TOLERANCE, np.abs(lat + 90.0) <= POLE_TOLERANCE
        lon[north | south] = 0.0
        lat[north], lat[south] = 90.0, -90.0
        lon[np.abs(lon) == 180.0] = 180.0
    lon, lat = lon + 0.0, lat + 0.0  # -0.0 is 0.0
    order = np.lexsort((np.arange(len(points)), lon, lat))
    same = (lon[order][1:] == lon[order][:-1]) & (lat[order][1:] == lat[order][:-1])
    if not same.any():
        return
    # Runs of equal keys, each in index order; the message names the run whose first point
    # comes first, every point of it, as CMR's names a group.
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    runs = [r for r in np.split(order, starts[1:]) if len(r) > 1]
    _duplicate(points, [int(i) for i in min(runs, key=lambda r: r[0])])


def _round_half_up(values: np.ndarray) -> np.ndarray:
    """cmr.spatial.math/round to DUPLICATE_PRECISION decimals: half away from zero."""
    scale = 10.0**DUPLICATE_PRECISION
    return np.copysign(np.floor(np.abs(values) * scale + 0.500000000001) / scale, values)


def _duplicate(points: list[Point], group: list[int]) -> None:
    named = [f"{i + 1} {points[i]}" for i in group]
    raise errors.DuplicatePoints(
        f"The shape contained duplicate points. Points {', '.join(named[:-1])} and {named[-1]} "
        "were considered equivalent or very close."
    )


def _check_antipodal(points: list[Point]) -> None:
    v = sphere.points_xyz(points)
    dots = np.einsum("ij,ij->i", v[:-1], v[1:])
    bad = np.flatnonzero(dots < -1 + 1e-12)
    if bad.size:
        i = int(bad[0])
        raise errors.AntipodalPoints(
            f"The shape contained consecutive antipodal points. Points {i + 1} {points[i]} and "
            f"{i + 2} {points[i + 1]} are antipodal."
        )


def _crosses_antimeridian(points) -> bool:
    """An edge more than 180° wide crosses the antimeridian, unless it starts or ends on it: then
    it is a straight edge along a parallel, as wide as it says."""
    return any(
        abs(b.lon - a.lon) > 180 and abs(a.lon) != 180 and abs(b.lon) != 180
        for a, b in itertools.pairwise(points)
    )


def _check_cartesian_edges(points: list[Point], kind: str) -> None:
    for i, (a, b) in enumerate(itertools.pairwise(points)):
        if abs(b.lon - a.lon) > 180:
            raise errors.CrossesAntimeridian(
                f"The Cartesian {kind} segment from point {i + 1} {a} to point {i + 2} {b} "
                "crosses the antimeridian; Cartesian shapes must be split there."
            )


def _strictly_inside(point: np.ndarray, ring: np.ndarray) -> bool:
    if _on_ring(point, ring):
        return False
    return sphere.contains(point, ring)


def _on_ring(point: np.ndarray, ring: np.ndarray) -> bool:
    return bool(sphere.on_arcs(point, ring, np.roll(ring, -1, axis=0)).any())


def _rings_cross(first: np.ndarray, second: np.ndarray) -> bool:
    for x in crossings.rings_crossings(first, second):
        # Touching at a vertex of either ring is allowed; crossing is not.
        if (
            min(
                np.linalg.norm(first - x, axis=1).min(),
                np.linalg.norm(second - x, axis=1).min(),
            )
            > 1e-9
        ):
            return True
    return False


def _planar_self_intersections(ring: list[tuple[float, float]]) -> list[Point]:
    merged = shapely.unary_union(shapely.LineString(ring))
    counts: dict[tuple[float, float], int] = {}
    for segment in getattr(merged, "geoms", [merged]):
        for end in (segment.coords[0], segment.coords[-1]):
            counts[end] = counts.get(end, 0) + 1
    return [Point(*_round(xy)) for xy, c in counts.items() if c > 2]


def _round(lonlat) -> tuple[float, float]:
    return round(float(lonlat[0]), 6), round(float(lonlat[1]), 6)
