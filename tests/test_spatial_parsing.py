"""ECHO 10 and AQL spatial elements into shapes; the real samples stored and found."""

import pytest
from lxml import etree
from sqlalchemy import select

from clearinghouse import xmlsafe
from clearinghouse.catalog.models import Collection
from spatial import aql, echo10, errors
from spatial.search import intersects, prepare_search
from spatial.shapes import BoundingBox, CoordinateSystem, Line, Point, Polygon, ring
from tests.conftest import SHARED
from tests.spatial_support import store

SAMPLES = SHARED / "samples" / "echo10"


def _sample(name):
    return etree.parse(str(SAMPLES / name)).getroot()


def test_collection_samples():
    coverage, representation = echo10.collection_coverage(_sample("AST_L1A.003.xml"))
    assert representation == "GEODETIC"
    assert coverage.system is CoordinateSystem.CARTESIAN and coverage.is_global
    coverage, representation = echo10.collection_coverage(_sample("C179003030-ORNL_DAAC.xml"))
    assert representation == "CARTESIAN"
    assert coverage.shapes == (Point(-96.6, 39.1),) and not coverage.is_global


def test_granule_polygon_is_reversed_and_closed():
    coverage = echo10.granule_coverage(_sample("ast_l1a_granule.xml"), "GEODETIC")
    assert coverage.system is CoordinateSystem.GEODETIC
    (polygon,) = coverage.shapes
    # ECHO 10 lists it clockwise from (-179.846994, 50.092651); here it is counter-clockwise.
    assert polygon == Polygon(
        ring(
            (179.911053, 49.547684),
            (-179.23413, 49.410843),
            (-178.983038, 49.954167),
            (-179.846994, 50.092651),
        )
    )


def test_the_antimeridian_granule_is_found_on_both_sides(session):
    coverage = echo10.granule_coverage(_sample("ast_l1a_granule.xml"), "GEODETIC")
    item = store(session, coverage, "AST_L1A granule")

    def found(shape):
        condition = intersects(Collection, prepare_search(shape))
        return session.scalar(select(Collection.id).where(Collection.id == item, condition))

    assert found(BoundingBox(179, 49, -179, 51)) == item  # the box wraps too
    assert found(BoundingBox(179.95, 49.6, 180, 49.8)) == item  # just east of 179.9, west of 180
    assert found(BoundingBox(-179.5, 49.6, -179.3, 49.8)) == item
    assert found(Point(180, 49.7)) == item
    assert found(BoundingBox(170, 49, 179, 51)) is None
    assert found(Line((Point(178, 49.7), Point(-178, 49.7)))) == item


def test_global_granule_matches_everything(session):
    coverage = echo10.granule_coverage(_sample("airx3std_granule.xml"), "CARTESIAN")
    assert coverage.is_global
    item = store(session, coverage, "AIRX3STD granule")
    for shape in (Point(0, 0), BoundingBox(170, -10, -170, 10), Point(0, 90)):
        condition = intersects(Collection, prepare_search(shape))
        assert session.scalar(select(Collection.id).where(Collection.id == item, condition))


GRANULE = """<Granule>
  <Spatial><HorizontalSpatialDomain><Geometry>
    <Point><PointLongitude>10</PointLongitude><PointLatitude>{lat}</PointLatitude></Point>
  </Geometry></HorizontalSpatialDomain></Spatial>
</Granule>"""


def test_echo10_errors_name_the_field_and_line():
    root = xmlsafe.parse(GRANULE.format(lat="north").encode())
    with pytest.raises(errors.SpatialError) as info:
        echo10.granule_coverage(root, "GEODETIC")
    assert info.value.message == "PointLatitude [north] is not a number"
    assert info.value.line == 3
    root = xmlsafe.parse(GRANULE.format(lat="5").encode())
    with pytest.raises(errors.SpatialError, match="GranuleSpatialRepresentation is NO_SPATIAL"):
        echo10.granule_coverage(root, "NO_SPATIAL")


def test_orbit_granule_and_parameters():
    collection = xmlsafe.parse(
        b"<Collection><Spatial><OrbitParameters><SwathWidth>1450</SwathWidth><Period>98.88</Period>"
        b"<InclinationAngle>98.15</InclinationAngle><NumberOfOrbits>0.5</NumberOfOrbits>"
        b"</OrbitParameters><GranuleSpatialRepresentation>ORBIT</GranuleSpatialRepresentation>"
        b"</Spatial></Collection>"
    )
    coverage, representation = echo10.collection_coverage(collection)
    assert representation == "ORBIT"
    granule = xmlsafe.parse(
        b"<Granule><Spatial><HorizontalSpatialDomain><Orbit><AscendingCrossing>177.16"
        b"</AscendingCrossing><StartLat>-81.8</StartLat><StartDirection>A</StartDirection>"
        b"<EndLat>81.8</EndLat><EndDirection>A</EndDirection></Orbit></HorizontalSpatialDomain>"
        b"</Spatial></Granule>"
    )
    orbit = echo10.granule_coverage(granule, representation, coverage.orbit_parameters)
    assert orbit.orbit.ascending_crossing == 177.16
    assert orbit.orbit_parameters.inclination_deg == 98.15


def _aql(xml: str):
    return aql.parse_spatial(xmlsafe.parse(f"<spatial>{xml}</spatial>".encode()))


def test_aql_shapes():
    assert _aql('<IIMSPoint long="10" lat="-5"/>') == Point(10, -5)
    assert _aql(
        '<IIMSBox><IIMSPoint long="170" lat="-10"/><IIMSPoint long="-170" lat="10"/></IIMSBox>'
    ) == BoundingBox(170, -10, -170, 10)
    assert _aql(
        '<IIMSLine><IIMSPoint long="0" lat="0"/><IIMSPoint long="1" lat="1"/></IIMSLine>'
    ) == Line((Point(0, 0), Point(1, 1)))
    polygon = _aql(
        "<IIMSPolygon><IIMSLRing>"
        + "".join(
            f'<IIMSPoint long="{x}" lat="{y}"/>' for x, y in [(0, 0), (10, 0), (10, 10), (0, 0)]
        )
        + "</IIMSLRing></IIMSPolygon>"
    )
    assert polygon == Polygon(ring((0, 0), (10, 0), (10, 10)))


def test_aql_errors():
    with pytest.raises(errors.RingNotClosed, match="Polygon boundary was not closed") as info:
        _aql(
            "<IIMSPolygon>\n<IIMSLRing>"
            + "".join(
                f'<IIMSPoint long="{x}" lat="{y}"/>' for x, y in [(0, 0), (10, 0), (10, 10), (0, 1)]
            )
            + "</IIMSLRing></IIMSPolygon>"
        )
    assert info.value.line == 2
    with pytest.raises(errors.SpatialError, match=r"IIMSPoint lat \[x\] is not a number"):
        _aql('<IIMSPoint long="10" lat="x"/>')
    with pytest.raises(errors.SpatialError, match="needs 2 points"):
        _aql('<IIMSBox><IIMSPoint long="1" lat="1"/></IIMSBox>')
    with pytest.raises(errors.SpatialError, match="spatial needs one of"):
        _aql("<TwoDCoordinateSystem/>")
