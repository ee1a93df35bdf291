"""The bounding rectangles the index prefilter relies on: they must hold every point of a shape."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatial import sphere
from spatial.bounds import rectangles
from spatial.shapes import BoundingBox, Circle, CoordinateSystem, Line, Point, Polygon, ring

G = CoordinateSystem.GEODETIC
C = CoordinateSystem.CARTESIAN


def _covered(rects, lon, lat) -> bool:
    if abs(lat) >= 90 - 1e-9:  # every longitude of a pole is the pole
        return any(s <= lat <= n and w == -180 and e == 180 for w, s, e, n in rects)
    return any(w <= lon <= e and s <= lat <= n for w, s, e, n in rects)


def _arc_points(a, b, count=200):
    va, vb = sphere.xyz(*a), sphere.xyz(*b)
    omega = sphere.angle_between(va, vb)
    for t in np.linspace(0, 1, count):
        v = (np.sin((1 - t) * omega) * va + np.sin(t * omega) * vb) / np.sin(omega)
        yield sphere.lonlat(v)


def test_great_circle_edges_bulge_towards_the_pole():
    (rect,) = rectangles([Polygon(ring((-70, 20), (70, 20), (70, 30), (-70, 30)))], G)
    assert rect[3] > 59  # the northern edge's great circle reaches about 59.36°
    (rect,) = rectangles([Polygon(ring((-70, 20), (70, 20), (70, 30), (-70, 30)))], C)
    assert rect[3] < 30.01  # straight in lon/lat: no bulge


def test_a_polygon_around_a_pole_reaches_it_at_every_longitude():
    rects = rectangles(
        [Polygon(ring((58.41, 76.95), (163.98, 80.56), (-122.99, 81.94), (-26.18, 82.82)))], G
    )
    assert _covered(rects, 0, 90) and _covered(rects, 100, 85) and not _covered(rects, 0, 70)


def test_shapes_across_the_antimeridian_get_a_rectangle_on_each_side():
    rects = rectangles([Polygon(ring((170, 35), (-175, 35), (-170, 45), (175, 45)))], G)
    assert _covered(rects, 179, 40) and _covered(rects, -172, 40)
    assert not _covered(rects, 0, 40) and not _covered(rects, 160, 40)
    rects = rectangles([BoundingBox(170, -10, -170, 10)], G)
    assert _covered(rects, 180, 0) and _covered(rects, -180, 0) and not _covered(rects, 0, 0)


def test_a_line_over_the_pole_reaches_it():
    rects = rectangles([Line((Point(-155, 85), Point(25, 85)))], G)
    assert _covered(rects, -155, 87) and _covered(rects, 25, 87) and _covered(rects, 77, 90)


def test_circles_near_a_pole():
    rects = rectangles([Circle(Point(0, 89.5), 100_000)], G)  # reaches over the pole
    assert _covered(rects, 180, 89.5) and _covered(rects, 0, 90)
    rects = rectangles([Circle(Point(0, 89), 100_000)], G)  # stops 11 km short of it
    assert not _covered(rects, 180, 89.5) and _covered(rects, 45, 89.5)


lons = st.floats(-180, 180)
lats = st.floats(-89, 89)


@settings(max_examples=300, deadline=None)
@given(a=st.tuples(lons, lats), b=st.tuples(lons, lats))
def test_every_point_of_a_great_circle_arc_is_covered(a, b):
    va, vb = sphere.xyz(*a), sphere.xyz(*b)
    angle = sphere.angle_between(va, vb)
    if angle < 1e-6 or angle > np.pi - 1e-3:
        return  # the same point, or antipodal (refused by validation)
    rects = rectangles([Line((Point(*a), Point(*b)))], G)
    for lon, lat in _arc_points(a, b):
        assert _covered(rects, lon, lat), (lon, lat, rects)


@pytest.mark.parametrize("system", [G, C])
def test_points_and_boxes(system):
    assert _covered(rectangles([Point(10, 20)], system), 10, 20)
    rects = rectangles([BoundingBox(45, 70, 55, 90)], system)
    assert _covered(rects, 50, 80) and _covered(rects, -100, 90) and not _covered(rects, 60, 80)
