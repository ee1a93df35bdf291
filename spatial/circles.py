"""Circles (centre and radius in metres) as polygons, with pyproj's geodesic on WGS 84."""

from __future__ import annotations

import math

from pyproj import Geod

from spatial.shapes import Circle

GEOD = Geod(ellps="WGS84")


def circle_ring(circle: Circle) -> list[tuple[float, float]]:
    """A counter-clockwise polygon around a circle (16 vertices under 50 km, 32 over, as CMR),
    drawn through points slightly beyond the radius so that its edges stay outside the circle."""
    n = 16 if circle.radius < 50_000 else 32
    reach = circle.radius / math.cos(math.pi / n)
    azimuths = [360.0 - i * 360.0 / n for i in range(n)]
    lons, lats, _ = GEOD.fwd(
        [circle.center.lon] * n, [circle.center.lat] * n, azimuths, [reach] * n
    )
    ring = [(_wrap(lon), lat) for lon, lat in zip(lons, lats, strict=True)]
    ring.append(ring[0])
    return ring


def _wrap(lon: float) -> float:
    return ((lon + 180.0) % 360.0) - 180.0 if not -180 <= lon <= 180 else lon


def reaches_pole(circle: Circle, lat: float) -> bool:
    """Whether the polygon standing for the circle covers the pole at ``lat`` (90 or -90)."""
    *_, distance = GEOD.inv(circle.center.lon, circle.center.lat, circle.center.lon, lat)
    return distance <= circle.radius / math.cos(math.pi / 32)
