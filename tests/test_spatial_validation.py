"""Each validation rule, per coordinate model, with its message; and the shapes that pass."""

import pytest

from spatial import errors
from spatial.search import prepare_search
from spatial.shapes import (
    BoundingBox,
    Circle,
    CoordinateSystem,
    Line,
    Point,
    Polygon,
    ring,
)
from spatial.validation import prepare

G = CoordinateSystem.GEODETIC
C = CoordinateSystem.CARTESIAN
SQUARE = ring((0, 0), (10, 0), (10, 10), (0, 10))
SQUARE_CW = ring((0, 0), (0, 10), (10, 10), (10, 0))


@pytest.mark.parametrize(
    ("shape", "system", "error", "message"),
    [
        (
            Point(181, 0),
            G,
            errors.CoordinateOutOfRange,
            "Point longitude [181] must be within -180.0 and 180.0",
        ),
        (
            Point(0, -90.5),
            C,
            errors.CoordinateOutOfRange,
            "Point latitude [-90.5] must be within -90 and 90.0",
        ),
        (Point(float("nan"), 0), G, errors.CoordinateOutOfRange, "Point longitude [nan]"),
        (
            Polygon(ring((0, 0), (10, 0), (10, 10), (10, 0.000000001), (0, 10))),
            G,
            errors.DuplicatePoints,
            "The shape contained duplicate points. Points 2 [lon=10 lat=0] and 4 [lon=10 "
            "lat=1e-09] were considered equivalent or very close.",
        ),
        (
            Line((Point(1, 1), Point(2, 2), Point(1, 1))),
            C,
            errors.DuplicatePoints,
            "Points 1 [lon=1 lat=1] and 3 [lon=1 lat=1]",
        ),
        (
            Line((Point(0, 90), Point(10, 80), Point(45, 90))),
            G,
            errors.DuplicatePoints,
            "Points 1 [lon=0 lat=90] and 3 [lon=45 lat=90]",
        ),
        (
            Line((Point(0, 0), Point(180, 0))),
            G,
            errors.AntipodalPoints,
            "The shape contained consecutive antipodal points. Points 1 [lon=0 lat=0] and 2 "
            "[lon=180 lat=0] are antipodal.",
        ),
        (
            Polygon(ring((0, 0), (10, 10), (10, 0), (0, 10))),
            G,
            errors.SelfIntersection,
            "The polygon boundary intersected itself at the following points: [lon=5 lat=5.0575",
        ),
        (
            Polygon(ring((0, 0), (10, 10), (10, 0), (0, 10))),
            C,
            errors.SelfIntersection,
            "The polygon boundary intersected itself at the following points: [lon=5 lat=5]",
        ),
        (
            Polygon(SQUARE_CW),
            G,
            errors.WrongOrientation,
            "The polygon boundary points are listed in the wrong order.",
        ),
        (
            Polygon(SQUARE_CW),
            C,
            errors.WrongOrientation,
            "The polygon boundary points are listed in the wrong order.",
        ),
        (
            Polygon(ring((0, 0), (90, 0), (180, 0), (-90, 0))),
            G,
            errors.TooLarge,
            "covers half the Earth or more",
        ),
        (
            Polygon(SQUARE, (ring((20, 20), (25, 20), (25, 25)),)),
            G,
            errors.HoleNotCovered,
            "The polygon boundary does not completely cover hole number 1.",
        ),
        (
            Polygon(SQUARE, (ring((8, 8), (12, 8), (12, 9)),)),
            C,
            errors.HoleNotCovered,
            "The polygon boundary does not completely cover hole number 1.",
        ),
        (
            Polygon(SQUARE, (ring((1, 1), (5, 1), (5, 5)), ring((2, 2), (6, 2), (6, 6)))),
            G,
            errors.HolesIntersect,
            "The polygon hole number 1 intersects hole number 2.",
        ),
        (
            Polygon(SQUARE, (ring((1, 1), (5, 1), (5, 5)), ring((2, 2), (6, 2), (6, 6)))),
            C,
            errors.HolesIntersect,
            "The polygon hole number 1 intersects hole number 2.",
        ),
        (
            BoundingBox(0, 10, 10, 0),
            G,
            errors.NorthBelowSouth,
            "The bounding rectangle north value [0] was less than the south value [10]",
        ),
        (
            BoundingBox(170, 0, -170, 10),
            C,
            errors.CrossesAntimeridian,
            "Cartesian shapes cannot cross the antimeridian",
        ),
        (
            Line((Point(170, 0), Point(-170, 1))),
            C,
            errors.CrossesAntimeridian,
            "crosses the antimeridian",
        ),
        (
            Circle(Point(0, 0), 5),
            G,
            errors.BadCircle,
            "Circle radius must be between 10 and 6000000, but was 5.",
        ),
        (Circle(Point(0, 0), 6_000_001), G, errors.BadCircle, "but was 6000001."),
        (Circle(Point(10, -90), 1000), G, errors.BadCircle, "cannot be a pole"),
        (Line((Point(0, 0),)), G, errors.TooFewPoints, "A line needs at least 2 points"),
    ],
)
def test_invalid_shapes(shape, system, error, message):
    with pytest.raises(error) as info:
        prepare(shape, system)
    assert message in info.value.message
    assert info.value.status == 400 and info.value.code == "InvalidSpatial"


@pytest.mark.parametrize(
    ("shape", "system"),
    [
        (Polygon(SQUARE), G),
        (Polygon(SQUARE), C),
        # around the North Pole, great-circle edges
        (Polygon(ring((58.41, 76.95), (163.98, 80.56), (-122.99, 81.94), (-26.18, 82.82))), G),
        # across the antimeridian
        (Polygon(ring((170, 35), (-175, 35), (-170, 45), (175, 45))), G),
        (BoundingBox(170, -10, -170, 10), G),
        (BoundingBox(-180, -90, 180, 90), C),
        (Line((Point(-155, 85), Point(25, 85))), G),  # over the pole
        (Circle(Point(179.8, 41), 100_000), G),
        # a Cartesian polygon as wide as the map, edge on the antimeridian
        (Polygon(ring((-180, 40), (-180, 35), (180, 35), (180, 40))), C),
    ],
)
def test_valid_shapes_pass_unchanged(shape, system):
    assert prepare(shape, system) == (shape,)


def test_a_cartesian_polygon_across_the_antimeridian_is_split_there():
    pieces = prepare(Polygon(ring((170, 0), (-170, 0), (-170, 10), (170, 10))), C)
    bounds = sorted(
        (min(p.lon for p in piece.boundary.points), max(p.lon for p in piece.boundary.points))
        for piece in pieces
    )
    assert bounds == [(-180, -170), (170, 180)]
    for piece in pieces:  # every piece keeps the counter-clockwise convention
        assert prepare(piece, C) == (piece,)


def test_search_lines_are_limited_to_500_points():
    points = tuple(Point(i * 0.1, (i % 2) * 0.1) for i in range(501))
    with pytest.raises(errors.TooManyPoints, match="at most 500 points, but had 501"):
        prepare_search(Line(points))
    assert prepare_search(Line(points[:500])) == Line(points[:500])


def test_a_ring_around_both_poles():
    """A C-shaped band 4° wide along the meridian circle 0/180, open for 30°: both poles inside,
    a tenth of the Earth in area. One orientation holds both poles, the other is the wrong order."""
    import numpy as np

    from spatial import sphere

    def along(theta_deg, side):
        t = np.radians(theta_deg)
        return sphere.lonlat(np.array([np.cos(t), side * 0.035, np.sin(t)]) / np.hypot(1, 0.035))

    thetas = list(range(0, 331, 10))
    points = [along(t, 1) for t in thetas] + [along(t, -1) for t in reversed(thetas)]
    results = []
    for candidate in (points, points[::-1]):
        with pytest.raises((errors.BothPoles, errors.WrongOrientation)) as info:
            prepare(Polygon(ring(*candidate)), G)
        results.append(type(info.value))
    assert sorted(r.__name__ for r in results) == ["BothPoles", "WrongOrientation"]
