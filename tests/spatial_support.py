"""Turning the conventions of ../shared/spatial-cases.json into shapes and stored records."""

from __future__ import annotations

from sqlalchemy import insert

from clearinghouse.accounts.models import Provider
from clearinghouse.catalog.models import Collection
from spatial.postgis import record_columns
from spatial.shapes import (
    BoundingBox,
    Circle,
    CoordinateSystem,
    Coverage,
    Line,
    Orbit,
    OrbitParameters,
    Point,
    Polygon,
    ring,
)


def shape_of(kind: str, coords):
    if kind == "point":
        return Point(*coords)
    if kind == "line":
        return Line(tuple(Point(*c) for c in coords))
    if kind == "polygon":
        boundary, *holes = (ring(*r) for r in coords)
        return Polygon(boundary, tuple(holes))
    if kind == "bbox":
        return BoundingBox(*coords)
    if kind == "circle":
        lon, lat, radius = coords
        return Circle(Point(lon, lat), radius)
    raise ValueError(kind)


def coverage_of(case: dict) -> Coverage:
    item = case["item"]
    if item["type"] == "orbit":
        c = item["coords"]
        p = item["collection_orbit_parameters"]
        return Coverage(
            system=CoordinateSystem.GEODETIC,
            orbit=Orbit(
                c["ascending_crossing_lon"],
                c["start_lat"],
                c["start_direction"],
                c["end_lat"],
                c["end_direction"],
            ),
            orbit_parameters=OrbitParameters(
                p["swath_width_km"],
                p["period_min"],
                p["inclination_deg"],
                p["number_of_orbits"],
                p["start_circular_latitude"],
            ),
        )
    system = CoordinateSystem[case["coordinate_system"].upper()]
    return Coverage(system=system, shapes=(shape_of(item["type"], item["coords"]),))


_PROVIDER = "SPATIAL_TEST"


def store(session, coverage: Coverage, name: str) -> int:
    """Insert a collection with this coverage; return its id."""
    if session.get(Provider, _PROVIDER) is None:
        session.add(Provider(provider_id=_PROVIDER, contact_email="spatial@example.org"))
        session.flush()
    columns = record_columns(coverage)
    return session.execute(
        insert(Collection)
        .values(
            provider_id=_PROVIDER,
            short_name=name,
            version_id="1",
            dataset_id=name,
            xml="<Collection/>",
            **columns,
        )
        .returning(Collection.id)
    ).scalar_one()
