"""The spatial coverage of a record, and the shapes of a search.

Inside the project every ring is closed (first point == last point) and runs counter-clockwise
around the area it encloses, holes included (CMR's convention). ECHO 10 boundaries are clockwise and
not closed; they are converted where they are read (``spatial.echo10``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CoordinateSystem(enum.Enum):
    CARTESIAN = "CARTESIAN"  # straight edges in lon/lat; no antimeridian or pole crossing
    GEODETIC = "GEODETIC"  # great-circle edges; may cross the antimeridian and the poles


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float

    def __str__(self) -> str:
        return f"[lon={format_number(self.lon)} lat={format_number(self.lat)}]"


@dataclass(frozen=True)
class Line:
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Ring:
    points: tuple[Point, ...]  # closed

    @property
    def vertices(self) -> tuple[Point, ...]:
        """The distinct vertices: the closing point left out."""
        return self.points[:-1]


@dataclass(frozen=True)
class Polygon:
    boundary: Ring
    holes: tuple[Ring, ...] = ()


@dataclass(frozen=True)
class BoundingBox:
    """Latitude/longitude-aligned; west > east wraps the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    @property
    def wraps(self) -> bool:
        return self.west > self.east

    @property
    def is_whole_earth(self) -> bool:
        return self.south <= -90 and self.north >= 90 and self.west <= -180 and self.east >= 180


@dataclass(frozen=True)
class Circle:
    center: Point
    radius: float  # metres


Shape = Point | Line | Polygon | BoundingBox | Circle


@dataclass(frozen=True)
class Orbit:
    """ECHO 10 granule ``Orbit``: kept for a backtrack search to come."""

    ascending_crossing: float
    start_lat: float
    start_direction: str  # A or D
    end_lat: float
    end_direction: str


@dataclass(frozen=True)
class OrbitParameters:
    """ECHO 10 collection ``OrbitParameters`` (swath km, period minutes, inclination degrees)."""

    swath_width_km: float
    period_min: float
    inclination_deg: float
    number_of_orbits: float
    start_circular_latitude: float | None = None


@dataclass(frozen=True)
class Coverage:
    """Everything a record says about where it is."""

    system: CoordinateSystem | None = None
    shapes: tuple[Shape, ...] = ()
    is_global: bool = False
    orbit: Orbit | None = None
    orbit_parameters: OrbitParameters | None = None


def ring(*points: tuple[float, float]) -> Ring:
    """A ring from (lon, lat) pairs, closed if it is not already."""
    pts = [Point(float(lon), float(lat)) for lon, lat in points]
    if pts and pts[0] != pts[-1]:
        pts.append(pts[0])
    return Ring(tuple(pts))


def format_number(value: float) -> str:
    """Shortest exact text of a number: whole ones without a decimal point (messages, WKT)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)
