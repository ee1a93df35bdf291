"""The search API's door as CMR keeps it (search-app/docs/api.md): formats by suffix and by
Accept, concept retrieval, name[] parameters, page_size=0, the paging headers, CORS, tokens in
Authorization, errors in CMR's shape."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree

from tests.catalog_support import AST_UR

AIRS_URL = "http://acdisc.gesdisc.eosdis.nasa.gov/data/s4pa///Aqua_AIRS_Level3/AIRX3STD.006/"
DATA = "http://esipfed.org/ns/fedsearch/1.1/data#"
BROWSE = "http://esipfed.org/ns/fedsearch/1.1/browse#"


def _entries(client, path="/search/granules.json", **params) -> list[dict]:
    response = client.get(path, query_string={"page_size": 100, **params})
    assert response.status_code == 200, response.data
    return response.get_json()["feed"]["entry"]


def test_no_suffix_answers_cmr_references_and_echo10_moved_to_its_own(client, catalog):
    response = client.get("/search/granules?granule_ur=MADE.2")
    assert response.mimetype == "application/xml"
    root = etree.fromstring(response.data)
    assert root.findtext("hits") == "1" and root.findtext("took").isdigit()
    (ref,) = root.iterfind("references/reference")
    concept = ref.findtext("id")
    assert ref.findtext("name") == "MADE.2" and concept.startswith("G")
    assert ref.findtext("location") == f"http://localhost/search/concepts/{concept}"
    assert ref.findtext("revision-id") == "1"
    as_xml = etree.fromstring(client.get("/search/granules.xml?granule_ur=MADE.2").data)
    assert as_xml.findtext("references/reference/id") == concept
    for how in (
        {"path": "/search/granules.echo10"},
        {"path": "/search/granules", "headers": {"Accept": "application/echo10+xml"}},
    ):
        echo = client.get(
            how["path"], query_string={"granule_ur": "MADE.2"}, headers=how.get("headers", {})
        )
        assert echo.mimetype == "application/echo10+xml", echo.data
        result = etree.fromstring(echo.data).find("result")
        assert result.get("concept-id") == concept
        assert result.findtext("Granule/GranuleUR") == "MADE.2"


def test_json_entries_carry_links_and_shapes_and_leave_absent_keys_out(client, catalog):
    (airs,) = _entries(client, short_name="AIRX3STD")
    (ast,) = _entries(client, granule_ur=AST_UR)
    assert airs["boxes"] == ["-90.0 -180.0 90.0 180.0"]
    (data,) = [link for link in airs["links"] if link["rel"] == DATA]
    assert data["href"].startswith(AIRS_URL) and "title" not in data
    rels = {link["rel"] for link in airs["links"]}
    assert "http://esipfed.org/ns/fedsearch/1.1/service#" in rels
    assert airs["granule_size"] == "381.900844573975" and airs["original_format"] == "ECHO10"
    assert "polygons" not in airs and "points" not in airs and None not in airs.values()
    (ring,) = ast["polygons"][0]
    numbers = [float(v) for v in ring.split()]
    assert numbers[:2] == numbers[-2:] == [49.547684, 179.911053]  # closed, counter-clockwise
    assert [link["type"] for link in ast["links"] if link["rel"] == BROWSE] == ["image/jpeg"] * 3
    (collection,) = _entries(client, "/search/collections.json", short_name="AST_L1A")
    assert collection["summary"].startswith("ASTER level-1A data are the reconstructed")
    assert collection["coordinate_system"] and collection["original_format"] == "ECHO10"


def test_atom_csv_and_kml(client, catalog):
    atom = etree.fromstring(client.get("/search/granules.atom?short_name=C1&page_size=10").data)
    ns = {"a": "http://www.w3.org/2005/Atom", "g": "http://www.georss.org/georss/10"}
    titles = sorted(t.text for t in atom.iterfind("a:entry/a:title", ns))
    assert titles == [f"MADE.{n}" for n in range(5)]
    assert len(atom.findall("a:entry/g:polygon", ns)) == 5
    response = client.get("/search/granules.csv?short_name=C1&page_size=10")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Granule UR", "Producer Granule ID", "Start Time", "End Time"]
    made2 = next(r for r in rows if r[0] == "MADE.2")
    assert made2[1:4] == ["prod-2.hdf", "2020-03-10T00:00:00Z", "2020-03-11T00:00:00Z"]
    assert made2[6:8] == ["40.0", "DAY"]
    kml = etree.fromstring(client.get("/search/granules.kml?granule_ur=MADE.2").data)
    k = {"k": "http://www.opengis.net/kml/2.2"}
    coordinates = kml.findtext(".//k:Placemark//k:outerBoundaryIs//k:coordinates", namespaces=k)
    assert "10.0,0.0" in coordinates and kml.findtext(".//k:name", namespaces=k) == "MADE.2"
    refused = client.get("/search/collections.csv")
    assert refused.status_code == 400 and b"granules" in refused.data


def test_an_accept_we_cannot_produce_is_406_naming_what_we_can(client, catalog):
    response = client.get("/search/granules", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    (message,) = etree.fromstring(response.data).xpath("/errors/error/text()")
    assert "application/pdf" in message and "application/echo10+xml" in message
    for accept, mimetype in (
        ("application/json", "application/json"),
        ("application/atom+xml", "application/atom+xml"),
        ("*/*", "application/xml"),
        ("text/csv", "text/csv"),
    ):
        got = client.get("/search/granules", headers={"Accept": accept})
        assert got.status_code == 200 and got.mimetype == mimetype, (accept, got.data)
    assert client.get("/search/granules.pdf").status_code == 404


def test_concepts_are_retrieved_by_id_in_each_format(client, catalog):
    (made,) = _entries(client, granule_ur="MADE.3")
    native = client.get(f"/search/concepts/{made['id']}")
    assert native.mimetype == "application/echo10+xml"
    assert etree.fromstring(native.data).findtext("GranuleUR") == "MADE.3"
    assert client.get(f"/search/concepts/{made['id']}.xml").data == native.data
    assert client.get(f"/search/concepts/{made['id']}.json").get_json() == made
    collection = client.get(f"/search/concepts/{made['collection_concept_id']}.json").get_json()
    assert collection["short_name"] == "C1"
    for missing in ("G999999-MADEUP", "X1-MADEUP", "G1"):
        gone = client.get(f"/search/concepts/{missing}.json")
        assert gone.status_code == 404 and gone.get_json()["errors"], missing


def test_list_parameters_in_brackets_and_refused_bracket_syntax(client, catalog):
    plain = _entries(client, short_name="C1", temporal="2020-02-01T00:00:00Z,2020-03-31T00:00:00Z")
    brackets = _entries(
        client, **{"short_name[]": "C1", "temporal[]": "2020-02-01T00:00:00Z,2020-03-31T00:00:00Z"}
    )
    assert brackets == plain and {e["title"] for e in plain} == {"MADE.1", "MADE.2"}
    ids = [e["id"] for e in plain]
    by_id = client.get("/search/granules.json", query_string=[("concept_id[]", i) for i in ids])
    assert sorted(e["id"] for e in by_id.get_json()["feed"]["entry"]) == sorted(ids)
    for name in ("short_name[", "short_name]", "short_name[][]", "[]", "a[]b"):
        response = client.get(f"/search/granules.json?{name}=C1")
        assert response.status_code == 400, name
        (message,) = response.get_json()["errors"]
        assert f"parameter {name}: brackets are name[]=value" in message
    response = client.get("/search/granules.json?short_name[x]=C1")
    assert "unknown parameter short_name[x]" in response.get_json()["errors"][0]


def test_page_size_zero_counts_and_the_end_is_an_empty_page(client, catalog):
    count = client.get("/search/granules.json?short_name=C1&page_size=0")
    assert count.headers["CMR-Hits"] == "5" and count.get_json()["feed"]["entry"] == []
    assert "CMR-Search-After" not in count.headers
    seen, headers, pages = [], {}, 0
    while True:
        page = client.get("/search/granules.json?short_name=C1&page_size=2", headers=headers)
        entries = page.get_json()["feed"]["entry"]
        pages += 1
        assert page.headers["CMR-Hits"] == "5"
        if not entries:
            assert "CMR-Search-After" not in page.headers
            break
        seen += [e["title"] for e in entries]
        headers = {"CMR-Search-After": page.headers["CMR-Search-After"]}
    assert sorted(seen) == [f"MADE.{n}" for n in range(5)] and pages == 4


@pytest.mark.parametrize("path", ["/search/granules.json", "/search/granules", "/search/x"])
def test_every_answer_has_cmrs_headers_and_cors(client, catalog, path):
    response = client.get(path)
    assert response.headers["CMR-Request-Id"] == response.headers["X-Request-Id"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "CMR-Hits" in response.headers["Access-Control-Expose-Headers"]
    if response.status_code == 200:
        assert response.headers["CMR-Took"].isdigit() and response.headers["CMR-Hits"]
    preflight = client.options(
        path, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    allowed = preflight.headers.get("Access-Control-Allow-Headers", "")
    if path != "/search/x":
        for name in ("CMR-Search-After", "Authorization", "Client-Id"):
            assert name in allowed


def test_errors_in_cmrs_shape_with_todays_words(client, catalog):
    as_json = client.get("/search/granules.json?colour=red")
    assert as_json.status_code == 400 and as_json.mimetype == "application/json"
    (message,) = as_json.get_json()["errors"]
    assert message.startswith("unknown parameter colour; the parameters are ")
    as_xml = client.get("/search/granules?colour=red")
    assert as_xml.mimetype == "application/xml"
    assert etree.fromstring(as_xml.data).xpath("/errors/error/text()") == [message]
    by_accept = client.get("/search/granules?colour=red", headers={"Accept": "application/json"})
    assert by_accept.get_json() == {"errors": [message]}


@pytest.mark.parametrize("form", ["Bearer {}", "{}", "bearer  {} "])
def test_an_authorization_header_names_the_session_as_echo_token_does(client, catalog, form):
    by_echo = client.get("/search/granules.json", headers={"Echo-Token": "no-such-token"})
    by_auth = client.get(
        "/search/granules.json", headers={"Authorization": form.format("no-such-token")}
    )
    assert by_echo.status_code == by_auth.status_code != 200
    assert by_echo.get_json() == by_auth.get_json()


def test_a_real_session_is_found_by_bearer_and_bare_tokens(client, catalog, session):
    from tests.api_support import login, user

    token = login(client, user(session, "searcher"))
    for headers in (
        {"Echo-Token": token},
        {"Authorization": f"Bearer {token}"},
        {"Authorization": token},
    ):
        response = client.get("/search/granules.json?short_name=C1", headers=headers)
        assert response.status_code == 200 and response.headers["CMR-Hits"] == "5", headers
    assert client.post("/echo/remove", headers={"Echo-Token": token}).status_code == 200
    after = client.get("/search/granules.json", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401
    assert after.get_json() == {"errors": ["the token is not known here: log in again"]}
