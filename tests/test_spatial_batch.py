"""The batch way to footprints gives exactly what the one-by-one way gives, record by record."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from spatial.batch import cleared_for_batch, record_columns_many
from spatial.errors import SpatialError
from spatial.postgis import record_columns
from spatial.shapes import BoundingBox, CoordinateSystem, Coverage, Point, Polygon, ring

GEOD = Geod(ellps="WGS84")
G, C = CoordinateSystem.GEODETIC, CoordinateSystem.CARTESIAN
EXAMPLES = settings(
    max_examples=int(os.environ.get("SPATIAL_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def polygon(draw):
    """Quadrilaterals to decagons of every size, anywhere (the antimeridian and the poles
    crowded), in either order, sometimes crossing themselves or with a repeated point."""
    lon = draw(st.one_of(st.floats(-180, 180), st.floats(175, 180), st.floats(-180, -175)))
    lat = draw(st.one_of(st.floats(-89, 89), st.floats(80, 90), st.floats(-90, -80)))
    count = draw(st.integers(3, 9))
    size = draw(st.floats(100, 3_000_000))
    azimuths = sorted(draw(st.floats(0, 359.9)) for _ in range(count))
    corners = [GEOD.fwd(lon, lat, a, size * draw(st.floats(0.5, 1.5)))[:2] for a in azimuths]
    corners.reverse()  # counter-clockwise, mostly
    mistake = draw(st.sampled_from(["none", "none", "none", "reversed", "swapped", "repeated"]))
    if mistake == "reversed":
        corners.reverse()
    elif mistake == "swapped" and count > 3:
        corners[0], corners[2] = corners[2], corners[0]
    elif mistake == "repeated":
        corners.insert(1, corners[1])
    return Polygon(ring(*corners))


def point_coverage(lon: float, lat: float) -> Coverage:
    return Coverage(system=G, shapes=(Point(lon, lat),))


coverages = st.one_of(
    polygon().map(lambda p: Coverage(system=G, shapes=(p,))),
    polygon().map(lambda p: Coverage(system=C, shapes=(p,))),
    st.builds(lambda p, q: Coverage(system=G, shapes=(p, q)), polygon(), polygon()),
    st.builds(point_coverage, st.floats(-180, 180), st.floats(-90, 90)),
    st.just(Coverage(system=G, shapes=(BoundingBox(170, -10, -170, 10),))),
)


def _one_by_one(coverage):
    try:
        return record_columns(coverage)
    except SpatialError as exc:
        return exc


@EXAMPLES
@given(batch=st.lists(coverages, min_size=1, max_size=12))
def test_the_batch_way_matches_the_one_by_one_way(batch):
    together = record_columns_many(batch)
    for coverage, got in zip(batch, together, strict=True):
        expected = _one_by_one(coverage)
        if isinstance(expected, SpatialError):
            assert type(got) is type(expected) and got.message == expected.message
        else:
            assert got == expected


def test_typical_granules_take_the_batch_way():
    """Valid small polygons are cleared for the batch way (else it would save nothing); one that
    might be wrong is not."""
    quads = [
        Coverage(system=G, shapes=(Polygon(ring((x, 10), (x + 2, 10), (x + 2, 12), (x, 12))),))
        for x in range(-170, 170, 10)
    ]
    clockwise = Coverage(system=G, shapes=(Polygon(ring((0, 0), (0, 1), (1, 1), (1, 0))),))
    assert cleared_for_batch([*quads, clockwise]) == [True] * len(quads) + [False]
