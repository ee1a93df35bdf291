"""spatial.backtrack against the reference values of ../shared/orbit-backtrack.md: outputs of CMR's
Ruby orbits-lib (nasa/Common-Metadata-Repository, orbits-lib/resources/orbits, and its unit spec
orbits-lib/test_resources/spec/orbit_spec.rb)."""

from __future__ import annotations

import math

import pytest

from spatial.backtrack import (
    Coord,
    Orbit,
    area_crossing_ranges,
    clat_ranges,
    granule_clats,
)
from spatial.shapes import BoundingBox, OrbitParameters, Point, Polygon, ring


def orbit(i, period, swath, c0, count) -> Orbit:
    return Orbit.of(OrbitParameters(swath, period, i, count, c0))


def degrees(theta: float) -> float:
    return math.degrees(theta)


@pytest.mark.parametrize(
    ("parameters", "ascending", "plain", "corrected"),
    [
        ((98.15, 98.88, 1450, -90, 0.5), True, 14.7428, 16.8260),
        ((98.15, 98.88, 1450, -90, 0.5), False, -174.7428, -164.4660),
        ((94, 96.7, 2, 50, 0.25), True, 12.3138, 38.5088),  # the point is a turn later
        ((94, 96.7, 2, 50, 0.25), False, -172.3138, -162.2463),
    ],
)
def test_equator_crossing(parameters, ascending, plain, corrected):
    model, point = orbit(*parameters), Coord.degrees(30, 10)
    assert degrees(model.equator_crossing(point, ascending, False).theta) == pytest.approx(
        plain, abs=1e-4
    )
    assert degrees(model.equator_crossing(point, ascending, True).theta) == pytest.approx(
        corrected, abs=1e-4
    )


def _ranges(model, band, shape, ascending):
    return [
        (pytest.approx(b, abs=1e-5), [pytest.approx(r, abs=1e-4) for r in ranges])
        for b, ranges in area_crossing_ranges(model, band, shape, ascending)
    ]


POLYGON = Polygon(ring((-30, -20), (-20, -20), (-20, -10), (-30, -10), (-30, -20)))


@pytest.mark.parametrize(
    ("parameters", "band", "shape", "ascending", "expected"),
    [
        (
            (98.15, 98.88, 1450, -90, 0.5),
            [30, 30],
            Point(10, 30),
            True,
            [([30, 30], [[9.2260, 24.5112]])],
        ),
        (
            (98.15, 98.88, 1450, -90, 0.5),
            [30, 30],
            Point(10, 30),
            False,
            [([30, 30], [[-172.1512, -156.8660]])],
        ),
        (
            (94, 96.7, 2, 50, 0.25),
            [40, 60],
            BoundingBox(20, 40, 60, 60),
            True,
            [([50.00001, 60], [[28.0958, 71.0202]]), ([40, 49.99999], [[50.2210, 92.2989]])],
        ),
        (
            (94, 96.7, 2, 50, 0.25),
            [40, 60],
            BoundingBox(20, 40, 60, 60),
            False,
            [
                ([50.00001, 60], [[-158.9327, -116.0083]]),
                ([40, 49.99999], [[-156.0364, -113.9585]]),
            ],
        ),
        (
            (94, 96.7, 2, 50, 3),
            [10, 20],
            BoundingBox(100, 10, 110, 20),
            True,
            [
                (
                    [10, 20],
                    [
                        [125.5455, 136.9895],
                        [149.7867, 161.2307],
                        [-185.9721, -174.5281],
                        [174.0279, 185.4719],
                    ],
                )
            ],
        ),
        (
            (98.22, 98.83, 2600, 0, 1),
            [88, 90],
            BoundingBox(-10, 88, 10, 90),
            True,
            [([88, 90], [[-180, 180], [180, 540]])],
        ),
        ((98.3, 98.88, 400, 0, 1), [-20, -10], POLYGON, True, [([-20, -10], [[-11.6521, 4.3986]])]),
        (
            (98.3, 98.88, 400, 0, 1),
            [-20, -10],
            POLYGON,
            False,
            [([-20, -10], [[162.6814, 178.7321]])],
        ),
    ],
)
def test_area_crossing_ranges(parameters, band, shape, ascending, expected):
    assert _ranges(orbit(*parameters), band, shape, ascending) == expected


@pytest.mark.parametrize(
    ("lat", "ascending", "expected"),
    [
        (76, True, [0.9976858957122205, 1.6798794050445425]),
        (76, False, [1.679879406079345, 2.362072972985338]),
        (70, True, [0.6456352756039809, 1.3376197217185712]),
        (70, False, [2.0221390883705244, 2.714123534485107]),
        (80, True, []),
        (-80, False, []),
    ],
)
def test_point_coverage_of_cmr_spec(lat, ascending, expected):
    model = orbit(105, 100, 889, 0, 0)
    found = model.point_coverage(Coord.degrees(lat, 0), ascending).bounds
    assert found == pytest.approx(expected, abs=1e-12)


def test_near_the_poles_a_steep_orbit_sees_every_longitude():
    model = orbit(91, 100, 889, 0, 0)
    for lat in (89, -89):
        assert model.point_coverage(Coord.degrees(lat, 0), True).bounds == [-math.pi, math.pi]


def test_granule_circular_latitudes():
    assert granule_clats(81.8, "D", -81.8, "D") == pytest.approx((98.2, 261.8))
    assert granule_clats(-81.8, "A", 81.8, "A") == pytest.approx((278.2, 441.8))
    assert granule_clats(50, "A", 50, "D") == (50, 130)
    assert granule_clats(-50, "D", -50, "A") == (230, 310)
    assert granule_clats(50, "A", 50, "A") == (50, 410)  # one whole revolution


def test_bands_as_circular_latitudes():
    assert clat_ranges(25.165, 50) == (
        [[25.165, 50], [385.165, 410]],
        [[130, pytest.approx(154.835)], [490, pytest.approx(514.835)]],
    )
    assert clat_ranges(-45, 45) == ([[-45, 45], [315, 405], [675, 765]], [[135, 225], [495, 585]])
