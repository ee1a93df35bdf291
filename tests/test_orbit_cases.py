"""Every case of ../shared/orbit-cases.json (ported from NASA CMR's system-int-test orbit tests,
nasa/Common-Metadata-Repository): its fixture ingested as ECHO 10 through the pipeline, its search
run over HTTP (GET /search/granules) or AQL (CatalogService), CMR's answer expected.

The granule-count cases (CMR: a collection search with include_granule_counts) run as the granule
search they state (``derived_granule_search``): granule counts are counted by the granule
conditions (catalog.search.Plan.count), the one place orbit searches are answered.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import Collection
from ingest.pipeline import ingest_file
from tests.api_support import provider
from tests.catalog_support import run, urs
from tests.conftest import SHARED
from tests.ingest_support import wrap, write

DATA = json.loads((SHARED / "orbit-cases.json").read_text())
CASES = DATA["cases"]
PROVIDER = "PROV1"


def _elements(values: dict, order: tuple[str, ...]) -> str:
    return "".join(f"<{k}>{values[k]}</{k}>" for k in order if values.get(k) is not None)


PARAMETERS = ("SwathWidth", "Period", "InclinationAngle", "NumberOfOrbits", "StartCircularLatitude")
ORBIT = ("AscendingCrossing", "StartLat", "StartDirection", "EndLat", "EndDirection")
DOMAIN = (
    "OrbitalModelName",
    "OrbitNumber",
    "StartOrbitNumber",
    "StopOrbitNumber",
    "EquatorCrossingLongitude",
    "EquatorCrossingDateTime",
)


def collection_xml(spec: dict) -> str:
    name = spec.get("short_name", spec["id"])
    representation = spec.get("granule_spatial_representation") or "NO_SPATIAL"
    orbit = spec.get("orbit_parameters")
    parameters = (
        f"<OrbitParameters>{_elements(orbit, PARAMETERS)}</OrbitParameters>" if orbit else ""
    )
    return (
        f"<Collection><ShortName>{name}</ShortName><VersionId>{spec.get('version_id', '1')}"
        "</VersionId><InsertTime>2019-01-01T00:00:00Z</InsertTime><LastUpdate>"
        f"2020-01-01T00:00:00Z</LastUpdate><LongName>{name}</LongName><DataSetId>"
        f"{spec['id']}</DataSetId><Description>d</Description><Spatial>{parameters}"
        f"<GranuleSpatialRepresentation>{representation}</GranuleSpatialRepresentation>"
        "</Spatial></Collection>"
    )


def granule_xml(spec: dict) -> str:
    spatial = ""
    if spec.get("orbit"):
        orbit = _elements(spec["orbit"], ORBIT)
        spatial = f"<Spatial><HorizontalSpatialDomain><Orbit>{orbit}</Orbit>"
        spatial += "</HorizontalSpatialDomain></Spatial>"
    domains = "".join(
        f"<OrbitCalculatedSpatialDomain>{_elements(d, DOMAIN)}</OrbitCalculatedSpatialDomain>"
        for d in spec.get("orbit_calculated_spatial_domains", [])
    )
    if domains:
        domains = f"<OrbitCalculatedSpatialDomains>{domains}</OrbitCalculatedSpatialDomains>"
    return (
        f"<Granule><GranuleUR>{spec['granule_ur']}</GranuleUR><InsertTime>2019-01-01T00:00:00Z"
        "</InsertTime><LastUpdate>2020-01-01T00:00:00Z</LastUpdate><Collection><DataSetId>"
        f"{spec['collection']}</DataSetId></Collection>{spatial}{domains}</Granule>"
    )


def load(db, session, tmp_path, fixture: dict) -> dict[str, str]:
    """The fixture ingested under PROV1; its collections' concept ids by fixture id."""
    provider(session, PROVIDER)
    for n, (root, section, items, render) in enumerate(
        (
            ("CollectionMetaDataFile", "Collections", fixture["collections"], collection_xml),
            ("GranuleMetaDataFile", "Granules", fixture["granules"], granule_xml),
        )
    ):
        if not items:
            continue
        content = wrap(root, {section: [render(i) for i in items]})
        report = ingest_file(db, write(tmp_path, f"f{n}.xml", content), PROVIDER)
        assert report.processed == report.inserted == len(items), report.text
    rows = session.execute(select(Collection.dataset_id, Collection.id)).all()
    return {dataset: item_id("C", cid, PROVIDER) for dataset, cid in rows}


def _params(params: dict, concepts: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for name, value in params.items():
        for one in value if isinstance(value, list) else [value]:
            out.append((name, concepts[one[1:]] if one.startswith("@") else one))
    return out


def search(client, case: dict, concepts: dict[str, str]):
    """(status, granule URs or the error text) of the case's request."""
    request = case["request"]
    if "aql" in request:
        query = re.sub(r"^<\?xml[^>]*\?>", "", request["aql"])  # it goes inside a SOAP call
        return 200, sorted(urs(run(client, query)))
    params = request["params"]
    if case["interface"] == "rest-granule-counts":
        params = case["derived_granule_search"]["params"]
    query = [*_params(params, concepts), ("page_size", "100")]
    query = [(k, v) for k, v in query if k not in ("provider",)] + [("provider", PROVIDER)]
    response = client.get("/search/granules.json", query_string=query)
    if response.status_code != 200:
        return response.status_code, response.get_data(as_text=True)
    return 200, sorted(e["title"] for e in response.get_json()["feed"]["entry"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cmr_orbit_case(db, session, tmp_path, client, case):
    concepts = load(db, session, tmp_path, DATA["fixtures"][case["fixture"]])
    status, found = search(client, case, concepts)
    expect = case["expect"]
    if "status" in expect:
        assert status == expect["status"], found
        at = 0
        for message in expect.get("errors", []):  # CMR's messages, in its order
            shown = message if message in found else message.replace("'", "&#39;")
            at = found.index(shown, at)
        if "first_error_matches" in expect:
            assert re.search(expect["first_error_matches"], found), found
        return
    assert status == 200, found
    if case["interface"] == "rest-granule-counts":
        assert found == case["derived_granule_search"]["granules"]
    else:
        assert found == expect["granules"], case["source_test"]
