"""Property tests: the geodetic model never loses a record that an independent construction says
a search must find, across the antimeridian and near the poles.

The references are constructive: a point drawn inside a latitude/longitude box, and the centre of a
polygon whose vertices are drawn around it with pyproj's geodesic at sorted azimuths (so the
polygon is star-shaped around that centre, which therefore lies inside).
"""

import contextlib
import os

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import LineString
from sqlalchemy import func, select

from clearinghouse.catalog.models import Collection
from spatial.plane import PLANE_TOLERANCE, NoDrawing, arc_chain
from spatial.postgis import geography_wkt
from spatial.search import SPHERE_TOLERANCE, intersects, prepare_search
from spatial.shapes import BoundingBox, CoordinateSystem, Coverage, Point, Polygon, ring
from tests.spatial_support import store

GEOD = Geod(ellps="WGS84")
SPHERE = Geod(a=6_371_000, b=6_371_000)  # great circles, for the drawings' reference
PROPERTY = settings(
    max_examples=int(os.environ.get("SPATIAL_EXAMPLES", "60")),  # raise it to search harder
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
G = CoordinateSystem.GEODETIC

# Longitudes and latitudes that crowd the antimeridian and the poles half of the time.
longitudes = st.one_of(
    st.floats(-180, 180),
    st.floats(170, 180),
    st.floats(-180, -170),
)
latitudes = st.one_of(st.floats(-90, 90), st.floats(80, 90), st.floats(-90, -80))


@st.composite
def box_and_inside_point(draw):
    west = draw(longitudes)
    width = draw(st.floats(0.01, 120))
    east = west + width
    if east > 180:
        east -= 360  # wraps the antimeridian
    south = draw(latitudes)
    north = min(90.0, south + draw(st.floats(0.01, 40)))
    lon = west + draw(st.floats(0, 1)) * width
    if lon > 180:
        lon -= 360
    # Within a metre of a pole PostGIS's geography loses about a millimetre; keep the reference
    # point a metre (1e-5°) inside the box's parallels, so that the property tests the model.
    margin = min(1e-5, (north - south) / 4)
    lat = south + margin + draw(st.floats(0, 1)) * (north - south - 2 * margin)
    return BoundingBox(west, south, east, north), Point(lon, lat)


@st.composite
def polygon_around_centre(draw):
    centre = Point(draw(longitudes), draw(st.one_of(st.floats(-85, 85), st.floats(75, 87))))
    count = draw(st.integers(4, 9))
    # Azimuths (clockwise from north) at gaps between 0.5 and 1 of each other: no gap reaches
    # 180°, so the polygon is star-shaped around its centre.
    gaps = [draw(st.floats(0.5, 1)) for _ in range(count)]
    start = draw(st.floats(0, 360))
    total = sum(gaps)
    azimuths = [start + 360 * sum(gaps[:i]) / total for i in range(count)]
    base = draw(st.floats(20_000, 1_500_000))
    distances = [base * draw(st.floats(1, 2)) for _ in range(count)]
    vertices = []
    for azimuth, distance in sorted(zip(azimuths, distances, strict=True), reverse=True):
        lon, lat, _ = GEOD.fwd(centre.lon, centre.lat, azimuth % 360, distance)
        vertices.append((lon, lat))
    return Polygon(ring(*vertices)), centre


@contextlib.contextmanager
def example(session):
    """Each example in a savepoint of its own: one failing statement must not poison the next."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def _found(session, item_id, shape) -> bool:
    condition = intersects(Collection, prepare_search(shape))
    return (
        session.scalar(select(Collection.id).where(Collection.id == item_id, condition)) is not None
    )


@PROPERTY
@given(case=box_and_inside_point())
def test_a_point_inside_a_box_is_always_found(session, case):
    box, point = case
    with example(session):
        stored_point = store(session, Coverage(system=G, shapes=(point,)), "point")
        assert _found(session, stored_point, box)
        stored_box = store(session, Coverage(system=G, shapes=(box,)), "box")
        assert _found(session, stored_box, point)


@PROPERTY
@given(case=box_and_inside_point())
def test_cartesian_boxes_find_their_points(session, case):
    box, point = case
    with example(session):
        if box.wraps:
            return  # a Cartesian box cannot wrap; the geodetic property covers wrapping boxes
        stored = store(session, Coverage(system=CoordinateSystem.CARTESIAN, shapes=(box,)), "cbox")
        assert _found(session, stored, point)
        stored_point = store(
            session, Coverage(system=CoordinateSystem.CARTESIAN, shapes=(point,)), "p"
        )
        assert _found(session, stored_point, box)


@PROPERTY
@given(case=polygon_around_centre())
def test_the_centre_of_a_star_shaped_polygon_is_always_found(session, case):
    polygon, centre = case
    with example(session):
        stored_polygon = store(session, Coverage(system=G, shapes=(polygon,)), "polygon")
        assert _found(session, stored_polygon, centre)
        stored_centre = store(session, Coverage(system=G, shapes=(centre,)), "centre")
        assert _found(session, stored_centre, polygon)


@pytest.mark.parametrize("lon", [-180.0, -179.999, 0.0, 179.999, 180.0])
def test_polar_caps_contain_their_pole(session, lon):
    cap = BoundingBox(-180, 80, 180, 90)
    stored = store(session, Coverage(system=G, shapes=(cap,)), "cap")
    assert _found(session, stored, Point(lon, 90))
    assert _found(session, stored, Point(lon, 80.0001))
    assert not _found(session, stored, Point(lon, 79.99))


def _on_sphere(session, item_id, shape) -> bool:
    """The reference: the record's geography against the search's, nothing decided in the plane."""
    search = func.ST_GeogFromText(geography_wkt([prepare_search(shape)], G))
    condition = func._ST_DWithin(Collection.spatial_geog, search, SPHERE_TOLERANCE, False)
    return (
        session.scalar(select(Collection.id).where(Collection.id == item_id, condition)) is not None
    )


@PROPERTY
@given(
    record=polygon_around_centre(),
    search=box_and_inside_point(),
    system=st.sampled_from([G, CoordinateSystem.CARTESIAN]),
)
def test_the_plane_decides_as_the_sphere_does(session, record, search, system):
    """Every record the plane settles (clearly in, clearly out) is settled as the sphere would:
    random polygons against random boxes, and against polygons, near the antimeridian and poles."""
    polygon, _ = record
    box, _ = search
    with example(session):
        if system is CoordinateSystem.CARTESIAN:
            box_record = BoundingBox(box.west, box.south, box.east, box.north)
            if box_record.wraps:
                return
            stored = store(session, Coverage(system=system, shapes=(box_record,)), "c")
            assert _found(session, stored, polygon) is _on_sphere(session, stored, polygon)
            return
        stored = store(session, Coverage(system=G, shapes=(polygon,)), "polygon")
        assert _found(session, stored, box) is _on_sphere(session, stored, box)
        stored_box = store(session, Coverage(system=G, shapes=(box,)), "box")
        assert _found(session, stored_box, polygon) is _on_sphere(session, stored_box, polygon)


@PROPERTY
@given(
    start=st.tuples(longitudes, st.floats(-89, 89)),
    azimuth=st.floats(0, 360),
    distance=st.floats(1_000, 9_000_000),
)
def test_a_drawing_keeps_within_its_tolerance_of_the_arc(start, azimuth, distance):
    """Points along the great circle (pyproj on a sphere, independent of ours) lie within
    PLANE_TOLERANCE of the drawn chain, or the arc is refused for passing near a pole (within
    POLE_MARGIN, or so near that it would take too many segments)."""
    lon, lat = start
    end_lon, end_lat, _ = SPHERE.fwd(lon, lat, azimuth, distance)
    try:
        chain = arc_chain([(lon, lat), (end_lon, end_lat)])
    except NoDrawing:
        top = max(abs(la) for _, la in SPHERE.npts(lon, lat, end_lon, end_lat, 200))
        # Only arcs passing close to a pole, where longitudes sweep round, are refused.
        assert max(top, abs(lat), abs(end_lat)) > 85
        return
    drawn = LineString(chain)
    for plon, plat in SPHERE.npts(lon, lat, end_lon, end_lat, 100):
        # The chain's longitudes run on from the start's, past ±180 if need be.
        candidates = [shapely.Point(plon + turn, plat) for turn in (-360, 0, 360)]
        assert min(drawn.distance(c) for c in candidates) <= PLANE_TOLERANCE
