"""Backtracking against an independent computation: the orbit's ground track propagated in time
(the Earth turning under it), its swath drawn across it with pyproj's geodesics, and point
searches expected to find every point well inside the swath and none well outside it.

The margins are the backtrack's own approximations (it ignores the Earth's turn while the swath
passes an edge, and measures the swath across the non-turning track): points are taken within
60% of the half swath, or farther than 160% of it from the whole track.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from pyproj import Geod

from spatial.backtrack import EARTH_RADIUS_M, EARTH_ROTATION_SOLAR, search_windows, sees
from spatial.errors import SpatialError
from spatial.search import prepare_search
from spatial.shapes import BoundingBox, Circle, Line, Orbit, OrbitParameters, Point, Polygon, ring

SPHERE = Geod(a=EARTH_RADIUS_M, b=EARTH_RADIUS_M)


def ground_track(parameters: OrbitParameters, crossing: float, u_deg: np.ndarray):
    """Longitudes and latitudes (degrees) at arguments of latitude ``u`` (degrees from the
    ascending node, crossed at ``crossing`` at time 0): the inertial track, turned back by the
    Earth's rotation over the time taken."""
    i = math.radians(parameters.inclination_deg)
    u = np.radians(u_deg)
    t = u / (2 * math.pi / (parameters.period_min * 60))
    lat = np.degrees(np.arcsin(np.sin(i) * np.sin(u)))
    lon = crossing + np.degrees(
        np.arctan2(np.cos(i) * np.sin(u), np.cos(u)) - EARTH_ROTATION_SOLAR * t
    )
    return (lon + 180) % 360 - 180, lat


def _orbit(rng: random.Random) -> OrbitParameters:
    return OrbitParameters(
        swath_width_km=rng.uniform(100, 2000),
        period_min=rng.uniform(94, 102),
        inclination_deg=rng.uniform(95, 105),
        number_of_orbits=1,
        start_circular_latitude=0,
    )


@pytest.mark.parametrize("seed", range(12))
def test_points_in_the_swath_are_found_and_points_far_from_it_are_not(seed):
    rng = random.Random(seed)
    parameters = _orbit(rng)
    crossing = rng.uniform(-180, 180)
    granule = Orbit(crossing, 0.0, "A", 0.0, "A")  # one whole orbit from the ascending node
    half = parameters.swath_width_km * 500
    # Inside: track points (away from the node, where a point can belong to the next orbit),
    # moved across the track by up to 60% of the half swath.
    u = np.array([rng.uniform(5, 355) for _ in range(40)])
    lon, lat = ground_track(parameters, crossing, u)
    ahead_lon, ahead_lat = ground_track(parameters, crossing, u + 0.01)
    heading, _, _ = SPHERE.inv(lon, lat, ahead_lon, ahead_lat)
    side = np.array([rng.choice((-90, 90)) for _ in u])
    across = np.array([rng.uniform(0, 0.6) * half for _ in u])
    inside_lon, inside_lat, _ = SPHERE.fwd(lon, lat, heading + side, across)
    missed = [
        (x, y)
        for x, y in zip(inside_lon, inside_lat, strict=True)
        if not sees(parameters, granule, Point(float(x), float(y)))
    ]
    assert not missed, (parameters, crossing, missed)
    # Outside: random points farther than 160% of the half swath from every track point.
    dense_lon, dense_lat = ground_track(parameters, crossing, np.linspace(0, 360, 3601))
    found = []
    for _ in range(200):
        x, y = rng.uniform(-180, 180), math.degrees(math.asin(rng.uniform(-1, 1)))
        _, _, distance = SPHERE.inv(
            np.full_like(dense_lon, x), np.full_like(dense_lat, y), dense_lon, dense_lat
        )
        if distance.min() > 1.6 * half and sees(parameters, granule, Point(x, y)):
            found.append((x, y, distance.min() / half))
    assert not found, (parameters, crossing, found)


def _shape(rng: random.Random):
    lon, lat = rng.uniform(-180, 180), rng.uniform(-90, 90)
    kind = rng.choice(("point", "box", "polygon", "line", "circle", "cap"))
    if kind == "point":
        return Point(lon, lat)
    if kind == "circle":
        return Circle(Point(lon, lat), rng.uniform(10, 3_000_000))
    if kind == "cap":  # a ring round a pole
        pole = rng.choice((-1, 1))
        edge = pole * rng.uniform(60, 89.9)
        lons = (-180, -90, 0, 90) if pole == 1 else (90, 0, -90, -180)
        return Polygon(ring(*((x, edge) for x in lons)))
    size = rng.uniform(0.01, 40)
    south, north = max(-90, lat - size), min(90, lat + size)
    west, east = lon, (lon + 2 * size + 180) % 360 - 180
    if kind == "box":
        return BoundingBox(west, south, east, north)
    if kind == "line":
        return Line((Point(west, south), Point(east, north)))
    return Polygon(ring((west, south), (east, south), (east, north), (west, north)))


@pytest.mark.parametrize("seed", range(4))
def test_any_search_shape_is_backtracked_without_error(seed):
    """Whatever a search may ask, at any latitude and for any retrograde orbit: windows or no
    part, never an exception (CMR fails on some; see orbit-backtrack.md §10)."""
    rng = random.Random(seed)
    for _ in range(300):
        parameters = OrbitParameters(
            rng.uniform(1, 3000),
            rng.uniform(90, 110),
            rng.uniform(91, 120),
            rng.choice((0.25, 0.5, 1, 3, 14.5)),
            rng.choice((None, -90, 0, 50, 120)),
        )
        try:
            shape = prepare_search(_shape(rng))
        except SpatialError:  # refused before any backtracking (a 400 to the caller)
            continue
        windows = search_windows(parameters, shape)
        assert windows is None or all(w.clats and w.longitudes for w in windows)
