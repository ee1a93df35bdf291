"""Building ingest files for tests: the real ECHO 10 samples wrapped, and small records made up."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from clearinghouse.accounts.models import Provider
from tests.conftest import SHARED

SAMPLES = SHARED / "samples" / "echo10"
COLLECTIONS = ("AIRX3STD.006.xml", "AST_L1A.003.xml", "C179003030-ORNL_DAAC.xml")
GRANULES = ("airx3std_granule.xml", "ast_l1a_granule.xml")


def sample(name: str) -> etree._Element:
    return etree.parse(str(SAMPLES / name)).getroot()


def wrap(root: str, sections: dict[str, list[etree._Element | str]]) -> bytes:
    """An ingest file: the root, then each section holding its records, in the order given."""
    top = etree.Element(root)
    for section, records in sections.items():
        holder = etree.SubElement(top, section)
        for record in records:
            holder.append(etree.fromstring(record) if isinstance(record, str) else record)
    return etree.tostring(top, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write(folder: Path, name: str, content: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def add_provider(session, provider_id: str = "PODAAC") -> str:
    if session.get(Provider, provider_id) is None:
        session.add(Provider(provider_id=provider_id, contact_email=f"{provider_id}@example.org"))
        session.flush()
    return provider_id


def granule(
    ur: str, *, last_update: str = "2020-01-01T00:00:00Z", dataset: str = "DS 1", extra: str = ""
) -> str:
    return (
        f"<Granule><GranuleUR>{ur}</GranuleUR><InsertTime>2019-01-01T00:00:00Z</InsertTime>"
        f"<LastUpdate>{last_update}</LastUpdate><Collection><DataSetId>{dataset}</DataSetId>"
        f"</Collection>{extra}</Granule>"
    )


def collection(
    short: str = "C1",
    version: str = "1",
    *,
    dataset: str = "DS 1",
    last_update: str = "2020-01-01T00:00:00Z",
    representation: str = "GEODETIC",
    extra: str = "",
) -> str:
    return (
        f"<Collection><ShortName>{short}</ShortName><VersionId>{version}</VersionId>"
        f"<InsertTime>2019-01-01T00:00:00Z</InsertTime><LastUpdate>{last_update}</LastUpdate>"
        f"<LongName>{short} long</LongName><DataSetId>{dataset}</DataSetId>"
        f"<Description>d</Description>{extra}"
        f"<Spatial><GranuleSpatialRepresentation>{representation}</GranuleSpatialRepresentation>"
        f"</Spatial></Collection>"
    )


def polygon(points: list[tuple[float, float]]) -> str:
    """A granule's Spatial element holding one GPolygon (points as given: ECHO 10 is clockwise)."""
    xml = "".join(
        f"<Point><PointLongitude>{x}</PointLongitude><PointLatitude>{y}</PointLatitude></Point>"
        for x, y in points
    )
    return (
        "<Spatial><HorizontalSpatialDomain><Geometry><GPolygon><Boundary>"
        f"{xml}</Boundary></GPolygon></Geometry></HorizontalSpatialDomain></Spatial>"
    )
