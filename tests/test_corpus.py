"""The real records load: the 284 ECHO 10 records of ../shared/samples/echo10-corpus (NASA CMR's
test resources, each valid against the official schemas), ingested as a data partner would send
them, are all in the catalog afterwards and each is found by its identifiers and its footprint.

Files are made as a partner makes them: collections first, then granules, wrapped in
CollectionMetaDataFile / GranuleMetaDataFile. A record the corpus holds more than once (CMR's
tests ingest a record, then an update of it) goes in a later file, its nth copy in the nth, as a
partner sends an update: in the same file it would be a duplicate.
"""

from __future__ import annotations

import collections
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from clearinghouse.config import Address, Settings
from clearinghouse.db import Database
from clearinghouse.times import parse_instant
from clearinghouse.web import create_app
from ingest.models import IngestError
from ingest.pipeline import ingest_file
from tests.api_support import provider
from tests.conftest import SHARED
from tests.ingest_support import collection, wrap

CORPUS = SHARED / "samples" / "echo10-corpus"
PROVIDER = "CORPUS"

#: Granules whose collection is not in the corpus: CMR's test that ingests each pairs it with a
#: collection in another format (DIF 10, ISO 19115, UMM-JSON) or one it makes from data, which
#: no ECHO 10 ingest can take. Ingested first on their own, they are reported without collection;
#: then, as those tests do, a collection with the identity the granule names is made, and they load.
ELSEWHERE = {
    "ingest-app__resources__CMR-4722__OMSO2.003-granule.xml": (
        "CMR-4722/OMSO2.003-collection.xml, DIF 10 (ingest-app bulk update tests)"
    ),
    "ingest-app__resources__CMR-4722__OMSO2.003-granule-opendap-url.xml": (
        "CMR-4722/OMSO2.003-collection.xml, DIF 10 (ingest-app bulk update tests)"
    ),
    "ingest-app__resources__CMR-4722__OMSO2.003-granule-s3-url.xml": (
        "CMR-4722/OMSO2.003-collection.xml, DIF 10 (ingest-app bulk update tests)"
    ),
    "ingest-app__resources__CMR-4722__OMSO2.003-granule-no-data-granule.xml": (
        "CMR-4722/OMSO2.003-collection.xml, DIF 10 (ingest-app bulk update tests)"
    ),
    "ingest-app__resources__CMR-5007__echo10_Granlue_G1278223734-GES_DISC.xml": (
        "CMR-5007/dif10_Collection_C1239966837-GES_DISC.xml, DIF 10 (orbit-bug-CMR-5007)"
    ),
    "ingest-app__resources__CMR-7340__Gran-CMR-7340.echo10": (
        "CMR-7340/Coll-CMR-7340.echo10, not in the corpus (echo 1.6.3 schema search test)"
    ),
    "ingest-app__resources__CMR-7504__7504-Both.xml": (
        "OMSO2 003 made earlier in the same test from CMR-4722's DIF 10 (update-size)"
    ),
    "ingest-app__resources__CMR-7505__7505.xml": (
        "OMSO2 003 made earlier in the same test from CMR-4722's DIF 10 (bulk size update)"
    ),
    "ingest-app__resources__CMR-7505__7505-Updated.xml": (
        "OMSO2 003 made earlier in the same test from CMR-4722's DIF 10 (bulk size update)"
    ),
    "system-int-test__resources__5216_Echo10_Granule.xml": (
        "iso-samples/5216_IsoMends_Collection.xml, ISO 19115 (CMR-5216 OCSD test)"
    ),
    "system-int-test__resources__5216_Valid_Echo10_Granule.xml": (
        "iso-samples/5216_IsoMends_Collection.xml, ISO 19115 (CMR-5216 OCSD test)"
    ),
    "system-int-test__resources__CMR-7503-echo10-bad-data.xml": (
        "a UMM-C collection made from data, MUR-JPL-L4-GLOB-v4.1 4.1 (CMR-7503 bulk update)"
    ),
    "system-int-test__resources__CMR-7503-echo10-online-resource-type.xml": (
        "a UMM-C collection made from data, MUR-JPL-L4-GLOB-v4.1 4.1 (CMR-7503 bulk update)"
    ),
    "system-int-test__resources__CMR-7503-echo10-online-resource-type_updated_by_granuleur.xml": (
        "a UMM-C collection made from data, MUR-JPL-L4-GLOB-v4.1 4.1 (CMR-7503 bulk update)"
    ),
    "system-int-test__resources__CMR-7503-echo10-online-resource-type_updated_by_granuleur"
    "_and_type.xml": (
        "a UMM-C collection made from data, MUR-JPL-L4-GLOB-v4.1 4.1 (CMR-7503 bulk update)"
    ),
    "system-int-test__resources__iso-samples__nsidc-cmr-3177-granule.xml": (
        "iso-samples/nsidc-cmr-3177-iso-collection.xml, ISO 19115 (nsidc-iso-collection-"
        "echo10-granule)"
    ),
    "system-int-test__resources__stac-test__G2485638210-LPCLOUD-aa.echo10": (
        "a UMM-JSON 1.17.0 collection (stac-test)"
    ),
    "system-int-test__resources__stac-test__G2485638210-LPCLOUD-both.echo10": (
        "a UMM-JSON 1.17.0 collection (stac-test)"
    ),
    "system-int-test__resources__stac-test__G2485638210-LPCLOUD-root.echo10": (
        "a UMM-JSON 1.17.0 collection (stac-test)"
    ),
}


def _listed() -> dict[str, list[str]]:
    """Kind ("Collection", "Granule") → file names, in SOURCE.txt's order."""
    out: dict[str, list[str]] = collections.defaultdict(list)
    for line in (CORPUS / "SOURCE.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("Collection", "Granule"):
            out[parts[0]].append(parts[2].replace("/", "__"))
    return out


def _record(name: str) -> etree._Element:
    return etree.parse(str(CORPUS / name)).getroot()


def _identity(record: etree._Element) -> tuple:
    if record.tag == "Granule":
        return (record.findtext("GranuleUR"),)
    return (record.findtext("ShortName"), record.findtext("VersionId"))


def _rounds(names: list[str]) -> list[list[str]]:
    """The nth copy of each record in the nth file."""
    rounds: list[list[str]] = []
    seen: collections.Counter = collections.Counter()
    for name in names:
        key = _identity(_record(name))
        if seen[key] == len(rounds):
            rounds.append([])
        rounds[seen[key]].append(name)
        seen[key] += 1
    return rounds


def _ingest(db, folder: Path, root: str, section: str, names: list[str], tag: str) -> dict:
    """Ingest the records in files (one per round); file name → (category, message) for each
    record not inserted or replaced."""
    outcome = {}
    for number, files in enumerate(_rounds(names)):
        path = folder / f"{tag}-{number}.xml"
        path.write_bytes(wrap(root, {section: [_record(n) for n in files]}))
        report = ingest_file(db, path, PROVIDER)
        assert report.file_errors == [], report.text
        assert report.processed == len(files), report.text
        with db.session() as session:
            errors = session.scalars(
                select(IngestError).where(IngestError.report_id == report.id)
            ).all()
            by_id = {e.record_id: (e.category, e.message) for e in errors}
        for name in files:
            key = " ".join(_identity(_record(name)))
            if key in by_id:
                outcome[name] = by_id[key]
    return outcome


@pytest.fixture(scope="module")
def corpus(engine, tmp_path_factory):
    """The corpus ingested, in a transaction of the module's own rolled back at its end, and what
    ingest said of it."""
    folder = tmp_path_factory.mktemp("corpus")
    listed = _listed()
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            db = Database(connection)
            with db.session() as session:
                provider(session, PROVIDER)
            refused = _ingest(
                db,
                folder,
                "CollectionMetaDataFile",
                "Collections",
                listed["Collection"],
                "collections",
            )
            alone = _ingest(
                db, folder, "GranuleMetaDataFile", "Granules", listed["Granule"], "granules"
            )
            stand_ins = {_stand_in(_record(n)) for n in ELSEWHERE}
            made = folder / "stand-ins.xml"
            made.write_bytes(wrap("CollectionMetaDataFile", {"Collections": sorted(stand_ins)}))
            assert ingest_file(db, made, PROVIDER).inserted == len(stand_ins)
            later = _ingest(db, folder, "GranuleMetaDataFile", "Granules", sorted(alone), "again")
            settings = Settings(home=folder / "home", http=Address("127.0.0.1", 1))
            app = create_app({"SETTINGS": settings, "DATABASE": db, "TESTING": True})
            yield {
                "db": db,
                "client": app.test_client(),
                "refused": refused,
                "alone": alone,
                "later": later,
                "listed": listed,
            }
        finally:
            outer.rollback()


def _stand_in(granule: etree._Element) -> str:
    """A collection with the identity the granule names, as CMR's tests make one."""
    ref = granule.find("Collection")
    short, version = ref.findtext("ShortName"), ref.findtext("VersionId")
    dataset = ref.findtext("DataSetId")
    orbit = granule.find("Spatial/HorizontalSpatialDomain/Orbit") is not None
    made = collection(
        short or f"STANDIN-{abs(hash(dataset)) % 10**8}",
        version or "1",
        dataset=dataset or f"{short} {version} stand-in",
        representation="ORBIT" if orbit else "GEODETIC",
    )
    # An orbit granule's collection is an orbit collection (OMSO2's parameters, as CMR-4722's).
    return made.replace("<Spatial>", f"<Spatial>{OMSO2_ORBIT}") if orbit else made


OMSO2_ORBIT = (
    "<OrbitParameters><SwathWidth>2600</SwathWidth><Period>98.83</Period>"
    "<InclinationAngle>98.22</InclinationAngle><NumberOfOrbits>1</NumberOfOrbits>"
    "</OrbitParameters>"
)


def test_every_collection_loads(corpus):
    assert corpus["refused"] == {}, "\n".join(f"{n}: {m}" for n, m in corpus["refused"].items())


def test_granules_without_their_collection_are_named(corpus):
    """Exactly the granules whose collection CMR keeps in another format are reported without
    collection; every other granule loads the first time."""
    categories = {name: category for name, (category, _) in corpus["alone"].items()}
    assert categories == dict.fromkeys(ELSEWHERE, "without_collection")


def test_with_their_collection_they_load(corpus):
    assert corpus["later"] == {}, "\n".join(f"{n}: {m}" for n, m in corpus["later"].items())


def _entries(client, target: str, **params) -> list[dict]:
    response = client.get(f"/search/{target}.json", query_string={"page_size": 100, **params})
    assert response.status_code == 200, response.data
    return response.get_json()["feed"]["entry"]


def _shown(record: etree._Element) -> bool:
    """ECHO's rules: a record hidden (Visible false) or past its DeleteTime is kept, never found."""
    deleted = record.findtext("DeleteTime")
    if deleted and parse_instant(deleted.strip()) <= datetime.now(UTC):
        return False
    return (record.findtext("Visible") or "true").strip() != "false"


def _box(record: etree._Element) -> str | None:
    """A box around the record's footprint (its points and rectangles, a degree wider), or None
    when it has none: west,south,east,north, west > east across the antimeridian."""
    geometry = record.find("Spatial/HorizontalSpatialDomain/Geometry")
    if geometry is None:
        return None
    lons = [float(v) for v in geometry.xpath(".//PointLongitude/text()")]
    lats = [float(v) for v in geometry.xpath(".//PointLatitude/text()")]
    wests, easts = [], []
    for rect in geometry.iter("BoundingRectangle"):
        west, east = (
            float(rect.findtext(f"{side}BoundingCoordinate")) for side in ("West", "East")
        )
        lats += [float(rect.findtext(f"{side}BoundingCoordinate")) for side in ("North", "South")]
        if west > east:  # across the antimeridian: the part east of it is enough
            wests.append(-180.0), easts.append(east)
        else:
            wests.append(west), easts.append(east)
    wests, easts = wests + lons, easts + lons
    if not wests or not lats:
        return None
    west, east = max(-180.0, min(wests) - 1), min(180.0, max(easts) + 1)
    south, north = max(-90.0, min(lats) - 1), min(90.0, max(lats) + 1)
    return f"{west},{south},{east},{north}"


def _collections(corpus) -> list[tuple[str, etree._Element]]:
    return [(n, _record(n)) for n in corpus["listed"]["Collection"] if n not in corpus["refused"]]


def test_every_collection_is_found_by_its_identifiers(corpus):
    client, missed = corpus["client"], []
    for name, record in _collections(corpus):
        short, version = record.findtext("ShortName"), record.findtext("VersionId")
        dataset = record.findtext("DataSetId")
        searches = {
            "short_name+version": {"short_name": short, "version": version},
            "dataset_id": {"dataset_id": dataset},
            "entry_title": {"entry_title": dataset},
        }
        for what, params in searches.items():
            found = [
                (e["short_name"], e["version_id"], e["dataset_id"])
                for e in _entries(client, "collections", provider=PROVIDER, **params)
            ]
            expected = [(short, version, dataset)] if _shown(record) else []
            if found != expected:
                missed.append(f"{name} by {what}: {found}")
    assert missed == [], "\n".join(missed)


def test_every_collection_is_found_by_its_footprint(corpus):
    client, missed, boxes = corpus["client"], [], 0
    for name, record in _collections(corpus):
        box = _box(record)
        if box is None or not _shown(record):
            continue
        boxes += 1
        found = _entries(
            client,
            "collections",
            provider=PROVIDER,
            bounding_box=box,
            short_name=record.findtext("ShortName"),
            version=record.findtext("VersionId"),
        )
        if len(found) != 1:
            missed.append(f"{name} by bounding_box={box}: {len(found)} found")
    assert missed == [], "\n".join(missed)
    assert boxes > 100  # most of the corpus has a footprint: the loop did search


def test_every_granule_is_found_by_its_ur_and_footprint(corpus):
    client, missed = corpus["client"], []
    for name in corpus["listed"]["Granule"]:
        record = _record(name)
        ur = record.findtext("GranuleUR")
        expected = [ur] if _shown(record) else []
        searches = {"granule_ur": {"granule_ur": ur}}
        box = _box(record)
        if box is not None:
            searches["granule_ur+bounding_box"] = {"granule_ur": ur, "bounding_box": box}
        for what, params in searches.items():
            found = [e["title"] for e in _entries(client, "granules", provider=PROVIDER, **params)]
            if found != expected:
                missed.append(f"{name} by {what}: {found}")
    assert missed == [], "\n".join(missed)


@pytest.mark.parametrize("suffix", ["xml", "echo10", "json", "atom", "kml", "csv"])
def test_every_record_is_shown_in_every_format(corpus, suffix):
    """The formats read each record's links and footprint from its ECHO 10: every record of CMR's
    that is shown, each page rendered whole (csv: granules alone, as CMR)."""
    client = corpus["client"]
    for target in ("granules",) if suffix == "csv" else ("collections", "granules"):
        headers, pages, shown = {}, 0, 0
        while True:
            response = client.get(f"/search/{target}.{suffix}?page_size=5", headers=headers)
            assert response.status_code == 200, response.data[:500]
            hits = int(response.headers["CMR-Hits"])
            if "CMR-Search-After" not in response.headers:
                break
            headers = {"CMR-Search-After": response.headers["CMR-Search-After"]}
            pages += 1
            shown += response.data.count(_ENTRY[suffix]) - (suffix == "csv")  # its header
        assert shown == hits > 10 and pages == -(-hits // 5), (target, suffix)


_ENTRY = {
    "xml": b"<reference>",
    "echo10": b"<result ",
    "json": b'{"id": ',
    "atom": b"<entry>",
    "kml": b"<Placemark>",
    "csv": b"\n",
}
