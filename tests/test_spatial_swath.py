"""A real swath granule split at the antimeridian (tests/smap_swath.py: PO.DAAC's SMAP granule of
CMR's tests), with a bounding rectangle beside its polygon: ingested, and found by searches meeting
either geometry, as CMR finds it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clearinghouse.catalog.models import Collection
from ingest.pipeline import ingest_file
from spatial import errors
from spatial.search import intersects, prepare_search
from spatial.shapes import BoundingBox, CoordinateSystem, Coverage, Point, Polygon, ring
from spatial.validation import prepare
from tests import smap_swath
from tests.api_support import provider
from tests.ingest_support import granule, wrap, write
from tests.spatial_support import store

PROVIDER = "POCLOUD"


def _collection(short: str, representation: str) -> str:
    return (
        f"<Collection><ShortName>{short}</ShortName><VersionId>4.0</VersionId>"
        "<InsertTime>2019-05-06T23:46:07Z</InsertTime><LastUpdate>2022-01-25T16:40:00Z</LastUpdate>"
        f"<LongName>{short}</LongName><DataSetId>{short}</DataSetId><Description>d</Description>"
        "<Spatial><HorizontalSpatialDomain><Geometry><CoordinateSystem>CARTESIAN"
        "</CoordinateSystem><BoundingRectangle><WestBoundingCoordinate>-180"
        "</WestBoundingCoordinate><NorthBoundingCoordinate>90</NorthBoundingCoordinate>"
        "<EastBoundingCoordinate>180</EastBoundingCoordinate><SouthBoundingCoordinate>-90"
        "</SouthBoundingCoordinate></BoundingRectangle></Geometry></HorizontalSpatialDomain>"
        f"<GranuleSpatialRepresentation>{representation}</GranuleSpatialRepresentation>"
        "</Spatial></Collection>"
    )


def _swath(ur: str, dataset: str, *, rectangle: bool = True, polygon: bool = True) -> str:
    west, south, east, north = smap_swath.BOUNDING_RECTANGLE
    shapes = ""
    if rectangle:
        shapes += (
            f"<BoundingRectangle><WestBoundingCoordinate>{west}</WestBoundingCoordinate>"
            f"<NorthBoundingCoordinate>{north}</NorthBoundingCoordinate><EastBoundingCoordinate>"
            f"{east}</EastBoundingCoordinate><SouthBoundingCoordinate>{south}"
            "</SouthBoundingCoordinate></BoundingRectangle>"
        )
    if polygon:
        points = "".join(
            f"<Point><PointLongitude>{x}</PointLongitude><PointLatitude>{y}</PointLatitude></Point>"
            for x, y in smap_swath.BOUNDARY
        )
        shapes += f"<GPolygon><Boundary>{points}</Boundary></GPolygon>"
    spatial = f"<Spatial><HorizontalSpatialDomain><Geometry>{shapes}</Geometry>"
    return granule(ur, dataset=dataset, extra=spatial + "</HorizontalSpatialDomain></Spatial>")


@pytest.fixture
def swaths(db, session, tmp_path):
    provider(session, PROVIDER)
    collections = [_collection("SMAP_CART", "CARTESIAN"), _collection("SMAP_GEO", "GEODETIC")]
    granules = [
        _swath("CART", "SMAP_CART"),
        _swath("CART.POLYGON", "SMAP_CART", rectangle=False),
        _swath("CART.RECTANGLE", "SMAP_CART", polygon=False),
        _swath("GEO", "SMAP_GEO"),
        _swath("GEO.POLYGON", "SMAP_GEO", rectangle=False),
        _swath("GEO.RECTANGLE", "SMAP_GEO", polygon=False),
    ]
    for name, root, section, records in (
        ("c.xml", "CollectionMetaDataFile", "Collections", collections),
        ("g.xml", "GranuleMetaDataFile", "Granules", granules),
    ):
        report = ingest_file(db, write(tmp_path, name, wrap(root, {section: records})), PROVIDER)
        assert report.processed == report.inserted == len(records), report.text
    return db


def _found(client, ordinates) -> set[str]:
    query = {
        "page_size": 100,
        "provider": PROVIDER,
        "polygon": ",".join(repr(float(v)) for v in ordinates),
    }
    response = client.get("/search/granules.json", query_string=query)
    assert response.status_code == 200, response.data
    return {e["title"] for e in response.get_json()["feed"]["entry"]}


ONLY = {
    "polygon only": {"POLYGON"},
    "bounding rectangle only": {"RECTANGLE"},
    "both": {"POLYGON", "RECTANGLE"},
    "neither": set(),
}


@pytest.mark.parametrize("case", list(smap_swath.SEARCHES))
def test_found_by_a_search_meeting_either_geometry(client, swaths, case):
    ordinates, found_in_cmr = smap_swath.SEARCHES[case]
    found = _found(client, ordinates)
    for model in ("CART", "GEO"):
        # The granule with both geometries, as CMR has it, and each geometry alone.
        assert (model in found) is found_in_cmr, (case, model)
        alone = {name.split(".")[1] for name in found if name.startswith(model + ".")}
        assert alone == ONLY[case], (case, model)


def test_the_swath_is_stored_as_the_record_gives_it_in_both_models():
    polygon = Polygon(ring(*reversed(smap_swath.BOUNDARY)))  # counter-clockwise
    for system in CoordinateSystem:
        assert prepare(polygon, system) == (polygon,)


def _points(client, lon, lat) -> set[str]:
    query = {"page_size": 100, "provider": PROVIDER, "point": f"{lon},{lat}"}
    response = client.get("/search/granules.json", query_string=query)
    assert response.status_code == 200, response.data
    return {e["title"] for e in response.get_json()["feed"]["entry"]}


def test_the_swath_is_the_area_between_its_edges(client, swaths):
    """The ring runs along the antimeridian and back: on the sphere the two runs are one arc, and
    the area is the swath's (about 8% of the Earth), not what either of its edges bounds alone."""
    polygons = {"CART", "CART.POLYGON", "GEO", "GEO.POLYGON"}
    rectangles = {"CART", "CART.RECTANGLE", "GEO", "GEO.RECTANGLE"}
    assert _points(client, 0, 80) == polygons  # in the swath over the Arctic, east of the box
    assert _points(client, 0, 0) == set()  # between its edges' loops
    assert _points(client, -100, 0) == rectangles  # in the box, west of the swath
    assert _points(client, -100, -70) == polygons | rectangles
    assert _points(client, 179.5, -80) == polygons  # across the antimeridian from the box
    assert _points(client, -179.5, -80) == polygons | rectangles
    assert _points(client, 170, 0) == set()


def test_other_duplicate_points_on_the_antimeridian_are_still_refused():
    # The same point twice, not a run along the antimeridian and back.
    bent = Polygon(ring((170, 0), (180, 5), (175, 10), (-180, 5), (-170, 0), (-175, -5)))
    with pytest.raises(errors.DuplicatePoints, match=r"\[lon=180 lat=5\].*\[lon=-180 lat=5\]"):
        prepare(bent, CoordinateSystem.GEODETIC)


@pytest.mark.parametrize("system", list(CoordinateSystem))
def test_a_record_whose_geometries_overlap_is_found_by_either(session, system):
    """A polygon overlapping the record's rectangle, part of an edge shared: stored as one planar
    multipolygon its parts overlapped, which GEOS may refuse in a search ("side location conflict"
    for the swath above: every search meeting it failed)."""
    box = BoundingBox(0, 0, 10, 10)
    polygon = Polygon(ring((0, 2), (15, 2), (15, 4), (0, 4)))  # part of its west edge the box's
    record = store(session, Coverage(system=system, shapes=(box, polygon)), f"overlap-{system}")

    valid = select(func.ST_IsValid(Collection.spatial_geom)).where(Collection.id == record)
    assert session.scalar(valid) is not False  # None: a geodetic record drawn as none

    def found(shape) -> bool:
        where = (Collection.id == record) & intersects(Collection, prepare_search(shape))
        return bool(session.scalars(select(Collection.id).where(where)).all())

    assert found(BoundingBox(2, 2, 3, 3))  # the box alone
    assert found(BoundingBox(12, 2.5, 13, 3))  # the polygon alone
    assert found(Point(0, 3))  # on the shared edge
    assert not found(BoundingBox(20, 20, 30, 30))
