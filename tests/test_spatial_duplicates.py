"""Which points are the same point: CMR's rule (coordinates equal once rounded to 8 decimals, with
its geodetic point equality), and a real record it lets through that a distance rule refused.

Cases marked CMR are ported from nasa/Common-Metadata-Repository spatial-lib:
test/cmr/spatial/test/geodetic_ring.clj and cartesian_ring.clj (ring-validation-test, "invalid
rings"), line_string.clj (line-string-validation) and point.clj (point-equality-hash). CMR counts
points from 0 in its tests and from 1 in its messages, as ours do.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from clearinghouse.catalog.models import Collection
from spatial import echo10, errors
from spatial.search import intersects, prepare_search
from spatial.shapes import BoundingBox, CoordinateSystem, Line, Point, Polygon, ring
from spatial.validation import prepare
from tests.conftest import SHARED
from tests.spatial_support import store

G = CoordinateSystem.GEODETIC
C = CoordinateSystem.CARTESIAN
BOTH = [G, C]


def _ring(*ords: float) -> Polygon:
    """A ring from CMR's flat ordinates (closed, as CMR's tests write them)."""
    points = [Point(ords[i], ords[i + 1]) for i in range(0, len(ords), 2)]
    return Polygon(ring(*((p.lon, p.lat) for p in points[:-1])))


def _line(*ords: float) -> Line:
    return Line(tuple(Point(ords[i], ords[i + 1]) for i in range(0, len(ords), 2)))


def _message(points: str) -> str:
    return (
        f"The shape contained duplicate points. Points {points} were considered equivalent or "
        "very close."
    )


@pytest.mark.parametrize("system", BOTH)
@pytest.mark.parametrize(
    ("shape", "named"),
    [
        # CMR "Duplicate points"
        (_ring(0, 0, 1, 0, 1, 0, 0, 1, 0, 0), "2 [lon=1 lat=0] and 3 [lon=1 lat=0]"),
        # CMR "duplicate non consecutive points"
        (_ring(0, 0, 1, 0, 4, 5, 1, 0, 0, 1, 0, 0), "2 [lon=1 lat=0] and 4 [lon=1 lat=0]"),
        # CMR "Multiple duplicate points": CMR lists each group; we name the first
        (
            _ring(0, 0, 1, 0, 4, 5, 1, 0, 0, 0, 4, 5, 0, 1, 0, 0),
            "1 [lon=0 lat=0] and 5 [lon=0 lat=0]",
        ),
        # CMR "very very close points"
        (
            _ring(0, 0, 1, 1, 1, 1.000000001, 0, 1, 0, 0),
            "2 [lon=1 lat=1] and 3 [lon=1 lat=1.000000001]",
        ),
        # CMR line_string.clj, both coordinate systems
        (_line(0, 0, 1, 1, 2, 2, 1, 1), "2 [lon=1 lat=1] and 4 [lon=1 lat=1]"),
        (_line(0, 0, 1, 1, 1, 1), "2 [lon=1 lat=1] and 3 [lon=1 lat=1]"),
        # CMR's message for a group of three
        (
            _line(5, 5, 1, 1, 2, 2, 1, 1, 3, 3, 1.000000004, 1),
            "2 [lon=1 lat=1], 4 [lon=1 lat=1] and 6 [lon=1.000000004 lat=1]",
        ),
    ],
)
def test_points_equal_to_8_decimals_are_duplicates(shape, named, system):
    with pytest.raises(errors.DuplicatePoints) as info:
        prepare(shape, system)
    assert info.value.message == _message(named)
    assert info.value.status == 400


@pytest.mark.parametrize("system", BOTH)
@pytest.mark.parametrize(
    "shape",
    [
        _ring(0, 0, 1, 1, 1, 1.00000001, 0, 1, 0, 0),  # CMR geodetic "Not too close"
        _ring(0, 0, 1, 1, 1, 1.0000001, 0, 1, 0, 0),  # CMR cartesian "Not too close"
        _ring(0, 0, 10, 0, 10, 0.00000001, 10, 10, 0, 10, 0, 0),
        _line(0, 0, 0.00000001, 0, 1, 1),
    ],
)
def test_points_apart_at_8_decimals_are_not(shape, system):
    assert prepare(shape, system) == (shape,)


def test_rounding_is_half_away_from_zero_as_cmr_s():
    # 0.000000005 and -0.000000005 round away from 0 (CMR's cmr.spatial.math/round): 1e-8 and
    # -1e-8, so neither is the same point as 0; 0.000000004 rounds to 0 and is.
    for lat in (0.000000005, -0.000000005):
        assert prepare(_line(0, 0, 1, 1, 0, lat), G)
    with pytest.raises(errors.DuplicatePoints, match="1 \\[lon=0 lat=0\\] and 3"):
        prepare(_line(0, 0, 1, 1, 0, -0.000000004), G)


@pytest.mark.parametrize(
    ("shape", "named"),
    [
        # CMR point.clj "at poles": every longitude at a pole is one point
        (_line(0, 90, 10, 80, 45, 90), "1 [lon=0 lat=90] and 3 [lon=45 lat=90]"),
        (_line(-180, -90, 10, -80, 170, -90), "1 [lon=-180 lat=-90] and 3 [lon=170 lat=-90]"),
        # "very close on pole": a latitude within 1e-7 of 90, after rounding, is the pole
        (
            _line(0, 89.99999999999996, 10, 80, 30, 90),
            "1 [lon=0 lat=89.99999999999996] and 3 [lon=30 lat=90]",
        ),
        (_line(0, 89.9999999, 10, 80, 30, 90), "1 [lon=0 lat=89.9999999] and 3 [lon=30 lat=90]"),
        # "antimeridian": -180 and 180 on one latitude are one point
        (_line(-180, 10, 0, 0, 180, 10), "1 [lon=-180 lat=10] and 3 [lon=180 lat=10]"),
    ],
)
def test_geodetic_equality_at_the_poles_and_the_antimeridian(shape, named):
    with pytest.raises(errors.DuplicatePoints) as info:
        prepare(shape, G)
    assert info.value.message == _message(named)


@pytest.mark.parametrize(
    "shape",
    [
        _line(0, 90, 10, 80, 45, 90),  # CMR point.clj "cartesian equality": poles
        _line(-180, 10, 0, 0, 180, 10),  # and the antimeridian: distinct in the plane
    ],
)
def test_cartesian_points_are_equal_only_where_their_coordinates_are(shape):
    assert prepare(shape, C) == (shape,)


@pytest.mark.parametrize(
    "shape",
    [
        _line(0, 89.9999998, 10, 80, 30, 89.9999998),  # 2e-7 from the pole: not the pole
        _line(-180, -10, 0, 0, 180, 10),  # CMR: (-180 -10) is not (-180 10)
        _line(0, 89.999, 10, 80, 30, 90),  # CMR: points near the pole are not the pole
    ],
)
def test_geodetic_points_near_a_pole_or_the_antimeridian_are_their_own(shape):
    assert prepare(shape, G) == (shape,)


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


_DECIMALS = st.integers(-18_000_000_000, 18_000_000_000).map(lambda n: n / 1e8)


@settings(max_examples=200, deadline=None)
@given(
    picks=st.lists(
        st.tuples(st.integers(0, 5), st.integers(-4, 4), st.integers(-4, 4)),
        min_size=2,
        max_size=30,
    ),
    bases=st.lists(
        st.tuples(_DECIMALS, _DECIMALS.map(lambda v: _clamp(v, 90))), min_size=6, max_size=6
    ),
    system=st.sampled_from(BOTH),
)
def test_the_sorted_rule_names_what_comparing_every_pair_names(picks, bases, system):
    """Points a few billionths of a degree from a handful of bases (on 8-decimal steps, many at
    a pole or on the antimeridian): the first group, by its first point, that every pair compared
    finds."""
    points = [
        Point(_clamp(bases[b][0] + dx * 3e-9, 180), _clamp(bases[b][1] + dy * 3e-9, 90))
        for b, dx, dy in picks
    ]
    line = Line(tuple(points))

    # The bases are on 8-decimal steps and the offsets 3e-9 apart, so no coordinate is a tie,
    # where CMR's rounding (a float formula) and decimal rounding may part.
    def rounded(p):
        return tuple(
            Decimal(repr(v)).quantize(Decimal("1e-8"), ROUND_HALF_UP) for v in (p.lon, p.lat)
        )

    def same(p, q):
        (lon1, lat1), (lon2, lat2) = rounded(p), rounded(q)
        if system is G:
            for pole in (90, -90):
                if abs(lat1 - pole) <= Decimal("1e-7") and abs(lat2 - pole) <= Decimal("1e-7"):
                    return True
            if abs(lon1) == 180 and abs(lon2) == 180:
                return lat1 == lat2
        return (lon1, lat1) == (lon2, lat2)

    expected = None
    for i in range(len(points)):
        group = [j for j in range(i, len(points)) if same(points[i], points[j])]
        if len(group) > 1 and not any(same(points[k], points[i]) for k in range(i)):
            expected = group
            break
    if expected is None:
        try:
            prepare(line, system)
        except errors.SpatialError as other:  # a later rule (antipodes, the antimeridian)
            assert not isinstance(other, errors.DuplicatePoints), other.message
        return
    with pytest.raises(errors.DuplicatePoints) as info:
        prepare(line, system)
    named = [f"{i + 1} {points[i]}" for i in expected]
    assert info.value.message == _message(", ".join(named[:-1]) + " and " + named[-1])


RECORD = (
    SHARED
    / "samples"
    / "echo10-corpus"
    / "search-relevancy-test__resources__test_files__echo10__C1267339031-ASF.xml"
)


def _band():
    coverage, _ = echo10.collection_coverage(etree.parse(str(RECORD)).getroot())
    return coverage


def test_a_band_round_the_pole_along_a_seam_is_valid():
    """C1267339031-ASF: a band from 65° to 89.99° N whose ring runs down longitude -179.999999 and
    back up 179.999999. At 89.99° its corners there are 0.000002° of longitude apart, 6e-12 rad
    (39 µm): distinct to CMR, and no crossing."""
    coverage = _band()
    (band,) = coverage.shapes
    assert coverage.system is G
    assert prepare(band, G) == (band,)


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [
        (0, 75, True),
        (179.99, 70, True),
        (-179.99, 89.98, True),
        (-135, 73, True),
        (0, 60, False),
        (-135, 66, False),
        (0, 89.999, False),
        (0, 90, False),
        (180, 75, False),
    ],
)
def test_the_band_is_stored_and_found_as_the_band_it_is(session, lon, lat, inside):
    """In the band, away from it, in the slit along the antimeridian (2e-6° wide), round the pole
    it leaves out, and below an edge (a great circle from -90° to -180° at 65°, 71.9° at -135°);
    by a point and by a small box round it."""
    record = store(session, _band(), "C1267339031-ASF")
    shapes = [Point(lon, lat)]
    if abs(lon) != 180:  # a box inside the slit is 1 cm across: below PostGIS's precision there
        shapes.append(BoundingBox(lon - 1e-7, lat - 1e-7, lon + 1e-7, min(90, lat + 1e-7)))
    for shape in shapes:
        found = session.scalars(
            select(Collection.id).where(
                Collection.id == record, intersects(Collection, prepare_search(shape))
            )
        ).all()
        assert bool(found) is inside, shape


def test_many_points_close_together_are_judged_in_one_sort():
    """A 5,000-point line whose points are 2e-8° apart (none the same point), then the same with
    two of them equal at 8 decimals, far apart in the list."""
    rng = random.Random(7)
    points = [Point(round(-50 + i * 2e-8, 8), 10.0) for i in range(5000)]
    rng.shuffle(points)
    line = Line(tuple(points))
    assert prepare(line, C) == (line,)
    twin = Point(points[4000].lon + 4e-9, 10.0)
    doubled = Line((*points[:10], twin, *points[10:]))
    with pytest.raises(errors.DuplicatePoints, match=r"Points 11 .* and 4002 "):
        prepare(doubled, C)
