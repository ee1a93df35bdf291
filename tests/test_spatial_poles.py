"""Boxes from pole to pole (the whole-world search above all), as records and as searches, in both
coordinate models, through CMR's parameters and AQL: ingested through the pipeline, searched over
HTTP."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clearinghouse.catalog.models import Collection
from ingest.pipeline import ingest_file
from spatial.search import intersects, prepare_search
from spatial.shapes import BoundingBox, CoordinateSystem, Coverage
from tests.api_support import provider
from tests.catalog_support import aql, run, urs
from tests.ingest_support import granule, wrap, write
from tests.spatial_support import store

PROVIDER = "POLES"


def _box(west, south, east, north) -> str:
    return (
        f"<BoundingRectangle><WestBoundingCoordinate>{west}</WestBoundingCoordinate>"
        f"<NorthBoundingCoordinate>{north}</NorthBoundingCoordinate><EastBoundingCoordinate>"
        f"{east}</EastBoundingCoordinate><SouthBoundingCoordinate>{south}"
        "</SouthBoundingCoordinate></BoundingRectangle>"
    )


def _polygon(*points) -> str:
    xml = "".join(
        f"<Point><PointLongitude>{x}</PointLongitude><PointLatitude>{y}</PointLatitude></Point>"
        for x, y in points
    )
    return f"<GPolygon><Boundary>{xml}</Boundary></GPolygon>"


def _collection(short: str, system: str, shape: str, representation: str = "GEODETIC") -> str:
    return (
        f"<Collection><ShortName>{short}</ShortName><VersionId>1</VersionId>"
        "<InsertTime>2019-01-01T00:00:00Z</InsertTime><LastUpdate>2020-01-01T00:00:00Z</LastUpdate>"
        f"<LongName>{short}</LongName><DataSetId>{short}</DataSetId><Description>d</Description>"
        "<Spatial><HorizontalSpatialDomain><Geometry>"
        f"<CoordinateSystem>{system}</CoordinateSystem>{shape}</Geometry></HorizontalSpatialDomain>"
        f"<GranuleSpatialRepresentation>{representation}</GranuleSpatialRepresentation>"
        "</Spatial></Collection>"
    )


def _granule(ur: str, dataset: str, shape: str) -> str:
    return granule(
        ur,
        dataset=dataset,
        extra="<Spatial><HorizontalSpatialDomain><Geometry>"
        f"{shape}</Geometry></HorizontalSpatialDomain></Spatial>",
    )


SQUARE = _polygon((0, 0), (0, 5), (5, 5), (5, 0))  # clockwise, as ECHO 10 has it
COLLECTIONS = [
    _collection("GEO_GLOBAL", "GEODETIC", _box(-180, -90, 180, 90)),  # as real CMR records
    _collection("GEO_LUNE", "GEODETIC", _box(100, -90, 120, 90)),
    _collection("CART_LUNE", "CARTESIAN", _box(100, -90, 120, 90)),
    _collection("GEO_MERIDIAN", "GEODETIC", _box(140, -90, 140, 90)),
    _collection("GEO_SOUTH", "GEODETIC", _box(-60, -90, -50, -80)),
    _collection("CART_GRANULES", "CARTESIAN", _box(-170, -80, 170, 80), "CARTESIAN"),
]
GRANULES = [
    _granule("G.LUNE", "GEO_LUNE", _box(100, -90, 120, 90)),
    _granule("G.SQUARE", "GEO_LUNE", SQUARE),
    _granule("G.MERIDIAN", "GEO_LUNE", _box(140, -90, 140, 90)),
    _granule("C.LUNE", "CART_GRANULES", _box(100, -90, 120, 90)),
    _granule("C.SQUARE", "CART_GRANULES", SQUARE),
    _granule("C.MERIDIAN", "CART_GRANULES", _box(140, -90, 140, 90)),
]
EVERY_COLLECTION = {
    "GEO_GLOBAL",
    "GEO_LUNE",
    "CART_LUNE",
    "GEO_MERIDIAN",
    "GEO_SOUTH",
    "CART_GRANULES",
}
EVERY_GRANULE = {"G.LUNE", "G.SQUARE", "G.MERIDIAN", "C.LUNE", "C.SQUARE", "C.MERIDIAN"}


@pytest.fixture
def poles(db, session, tmp_path):
    provider(session, PROVIDER)
    for name, root, section, records in (
        ("c.xml", "CollectionMetaDataFile", "Collections", COLLECTIONS),
        ("g.xml", "GranuleMetaDataFile", "Granules", GRANULES),
    ):
        report = ingest_file(db, write(tmp_path, name, wrap(root, {section: records})), PROVIDER)
        # Every record of the file loads: none is lost to another's footprint.
        assert report.processed == report.inserted == len(records), report.text
    return db


def _cmr(client, target: str, **params) -> set[str]:
    query = {"page_size": 100, "provider": PROVIDER, **params}
    response = client.get(f"/search/{target}.json", query_string=query)
    assert response.status_code == 200, response.data
    key = "short_name" if target == "collections" else "title"
    return {e[key] for e in response.get_json()["feed"]["entry"]}


def _aql(client, target: str, west, south, east, north) -> set[str]:
    box = (
        f'<spatial operator="RELATE"><IIMSBox><IIMSPoint long="{west}" lat="{south}"/>'
        f'<IIMSPoint long="{east}" lat="{north}"/></IIMSBox></spatial>'
    )
    found = run(client, aql(target, box, providers=f"<value>{PROVIDER}</value>"), IteratorSize=50)
    if target == "granules":
        return set(urs(found))
    return {r.findtext("Collection/ShortName") for r in found.iterfind("Results/Result")}


# A pole is one point on the sphere: every search reaching it meets every record reaching it, in
# either model (CMR: spatial-lib cmr.spatial.mbr/non-crossing-intersects-br?).
SOUTH = {"GEO_GLOBAL", "GEO_LUNE", "CART_LUNE", "GEO_MERIDIAN", "GEO_SOUTH"}
POLE_GRANULES = {"G.LUNE", "G.MERIDIAN", "C.LUNE", "C.MERIDIAN"}
# (box, collections found, granules found)
CASES = [
    ((-180, -90, 180, 90), EVERY_COLLECTION, EVERY_GRANULE),
    ((-10, -90, 10, 90), SOUTH | {"CART_GRANULES"}, POLE_GRANULES | {"G.SQUARE", "C.SQUARE"}),
    ((2, -90, 2, 90), SOUTH | {"CART_GRANULES"}, POLE_GRANULES | {"G.SQUARE", "C.SQUARE"}),
    ((110, -90, 110, 90), SOUTH | {"CART_GRANULES"}, POLE_GRANULES),
    ((170, -90, -170, 90), SOUTH | {"CART_GRANULES"}, POLE_GRANULES),  # across the antimeridian
    ((0, -90, 10, -89), SOUTH, POLE_GRANULES),
    ((0, 89, 10, 90), SOUTH - {"GEO_SOUTH"}, POLE_GRANULES),
    # Boxes away from the poles meet the pole-to-pole records where they really are.
    (
        (105, -5, 106, 5),
        {"GEO_GLOBAL", "GEO_LUNE", "CART_LUNE", "CART_GRANULES"},
        {"G.LUNE", "C.LUNE"},
    ),
    (
        (130, -30, 150, 30),
        {"GEO_GLOBAL", "GEO_MERIDIAN", "CART_GRANULES"},
        {"G.MERIDIAN", "C.MERIDIAN"},
    ),
    ((-70, -89, -40, -85), {"GEO_GLOBAL", "GEO_SOUTH"}, set()),
    ((-30, -85, -20, -82), {"GEO_GLOBAL"}, set()),
]


@pytest.mark.parametrize(("area", "collections", "granules"), CASES, ids=[str(c[0]) for c in CASES])
def test_pole_to_pole_boxes_as_records_and_searches(client, poles, area, collections, granules):
    text = ",".join(str(v) for v in area)
    assert _cmr(client, "collections", bounding_box=text) == collections
    assert _cmr(client, "granules", bounding_box=text) == granules
    assert _aql(client, "collections", *area) == collections
    assert _aql(client, "granules", *area) == granules


def test_a_polygon_search_meets_pole_to_pole_records(client, poles):
    around = "108,-1,112,-1,112,1,108,1,108,-1"
    assert _cmr(client, "granules", polygon=around) == {"G.LUNE", "C.LUNE"}
    assert _cmr(client, "collections", polygon=around) == {
        "GEO_GLOBAL",
        "GEO_LUNE",
        "CART_LUNE",
        "CART_GRANULES",
    }
    assert _cmr(client, "granules", point="140,60") == {"G.MERIDIAN", "C.MERIDIAN"}


edges = st.one_of(st.sampled_from([-180.0, -90.0, 0.0, 90.0, 180.0]), st.floats(-180, 180))
parallels = st.one_of(st.sampled_from([-90.0, -89.9999, 0.0, 89.9999, 90.0]), st.floats(-90, 90))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    west=edges,
    east=edges,
    lats=st.tuples(parallels, parallels),
    system=st.sampled_from(list(CoordinateSystem)),
)
def test_every_valid_box_is_stored_and_found_by_itself(session, west, east, lats, system):
    """Whatever its size (none, pole to pole, round the Earth), a box PostGIS takes, and the box
    searched finds it: a record PostGIS refused would stop its whole file."""
    south, north = sorted(lats)
    box = BoundingBox(west, south, east, north)
    if system is CoordinateSystem.CARTESIAN and box.wraps:
        return  # refused as it should be: Cartesian shapes cannot cross the antimeridian
    with session.begin_nested():
        record = store(session, Coverage(system=system, shapes=(box,)), "box")
        where = (Collection.id == record) & intersects(Collection, prepare_search(box))
        assert session.scalars(select(Collection.id).where(where)).all() == [record]
        session.rollback()


@pytest.mark.parametrize("system", list(CoordinateSystem))
def test_a_box_up_to_a_pole_is_not_found_round_the_other(session, system):
    """With a vertex at the pole, PostGIS can take such a box to meet one round the other pole."""
    record = store(session, Coverage(system=system, shapes=(BoundingBox(100, 0, 120, 90),)), "up")

    def found(*box) -> bool:
        search = prepare_search(BoundingBox(*box))
        where = (Collection.id == record) & intersects(Collection, search)
        return bool(session.scalars(select(Collection.id).where(where)).all())

    assert not found(-70, -89, -40, -85)
    assert not found(0, 89.5, 1, 89.9)  # near the pole, beside the box
    assert found(105, 10, 106, 11) and found(110, 89.99, 111, 89.999) and found(0, 89, 1, 90)
