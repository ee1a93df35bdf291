"""Hostile input never gets a 500 (issue 16): digits ``int()`` refuses, years past 9999, NUL and
other characters the database or XML cannot hold; and a 500 that does happen is logged with its
cause under the request id the answer names."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from lxml import etree
from sqlalchemy import text

from broker.partner import MalformedAnswer, read_details
from clearinghouse.errors import InvalidValue
from clearinghouse.inputs import holdable, whole_number
from clearinghouse.oseo import errors as oseo_errors
from tests.api_support import error
from tests.catalog_support import aql, refused, run, urs
from tests.test_oseo_xml import _bad, _submit

# Each passes str.isdigit() or is taken by int(), and none is a plain decimal number.
NOT_DIGITS = ["²", "①", "٣", "1_000", "5" * 5000, "", "-", "0x10", "1e3"]


# -- the one parser -------------------------------------------------------------------------


@pytest.mark.parametrize("raw", NOT_DIGITS)
def test_whole_numbers_are_ascii_digits_within_their_range(raw):
    with pytest.raises(InvalidValue) as refused_value:
        whole_number(raw, 1, 2000, where="page_size")
    message = refused_value.value.message
    assert message.startswith("page_size: ") and "is not a whole number from 1 to 2000" in message
    assert len(message) < 200  # a 5,000-digit value is not echoed whole


def test_whole_numbers_at_their_bounds():
    assert whole_number(" 0042 ", 1, 2000, where="x") == 42
    assert whole_number("-7", -10, 10, where="x") == -7
    assert whole_number("4611686018427387904", 1, 2**62, where="x") == 2**62
    with pytest.raises(InvalidValue, match="'4611686018427387905' is not a whole number from 1"):
        whole_number("4611686018427387905", 1, 2**62, where="x")
    with pytest.raises(InvalidValue, match="nothing is not"):
        whole_number(None, 1, 2, where="x")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1f", "\ufffe", "\ud800"])
def test_text_the_database_or_xml_cannot_hold_is_refused(char):
    with pytest.raises(InvalidValue, match=f"U\\+{ord(char):04X} \\(position 2\\)"):
        holdable(f"a{char}b", where="short_name")
    assert holdable("tab\tline\nreturn\r é 𝄞", where="x") == "tab\tline\nreturn\r é 𝄞"


# -- CMR-style search -----------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "①", "٣", "5" * 5000])
def test_cmr_page_size_and_days_of_strange_digits_are_400(client, raw):
    response = client.get("/search/collections", query_string={"page_size": raw})
    assert "page_size: " in error(response, 400, "InvalidValue")["Message"]
    temporal = f"2000-01-01T00:00:00Z,2001-01-01T00:00:00Z,{raw},200"
    response = client.get("/search/granules", query_string={"temporal": temporal})
    assert "temporal: day of the year" in error(response, 400, "InvalidValue")["Message"]


def _titles(client, **params) -> list[str]:
    response = client.get("/search/granules.json", query_string={"page_size": 100, **params})
    assert response.status_code == 200, response.data
    return sorted(e["title"] for e in response.get_json()["feed"]["entry"])


@pytest.mark.parametrize("days", ["1,365", "1,366", "300,20", "366,366"])
def test_a_cmr_recurring_window_reaching_year_10000_is_answered(client, catalog, days):
    everything = _titles(client, temporal="2000-01-01T00:00:00Z,9999-12-31T00:00:00Z")
    found = _titles(client, temporal=f"2000-01-01T00:00:00Z,9999-12-31T00:00:00Z,{days}")
    assert set(found) <= set(everything)
    if days in ("1,365", "1,366"):
        assert found == everything  # every day of every year (the catalog has no 31 December)


@pytest.mark.parametrize(
    "params",
    [
        {"short_name": "AST\x00L1A"},
        {"granule_ur": "\x00"},
        {"short_name\x00": "x"},
        {"provider": "PODAAC\x01"},
        {"temporal": "2000-01-01T00:00:00Z\x00,"},
        {"page_size": "1\x00"},
    ],
)
def test_nul_and_control_characters_in_parameters_are_400(client, catalog, params):
    response = client.get("/search/granules", query_string=params)
    assert "which cannot be accepted" in error(response, 400, "InvalidValue")["Message"]


def _after(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def test_a_nul_in_a_search_after_key_or_the_address_is_400(client, catalog):
    first = client.get("/search/collections.json?page_size=1")
    assert first.status_code == 200 and first.headers["CMR-Search-After"]
    key = json.loads(base64.urlsafe_b64decode(first.headers["CMR-Search-After"] + "=="))
    key[0] = "a\x00b"
    response = client.get(
        "/search/collections.json?page_size=1", headers={"CMR-Search-After": _after(key)}
    )
    error(response, 400, "InvalidValue")
    response = client.get("/search/collections", headers={"CMR-Search-After": "\x00"})
    assert "header" in error(response, 400, "InvalidValue")["Message"]
    response = client.get("/browse/PODAAC/a%00b.jpg")
    assert "address" in error(response, 400, "InvalidValue")["Message"]
    response = client.post("/echo/logout", headers={"Echo-Token": "a\x00b"})
    assert "Echo-Token" in error(response, 400, "InvalidValue")["Message"]


# -- AQL ------------------------------------------------------------------------------------


def _window(start_day: str, end_day: str, year: str = "9999", month: str = "12") -> str:
    return (
        f"<temporal><startDate><Date YYYY='2000' MM='1' DD='1'/></startDate><stopDate>"
        f"<Date YYYY='{year}' MM='{month}' DD='31'/></stopDate><startDay value='{start_day}'/>"
        f"<endDay value='{end_day}'/></temporal>"
    )


@pytest.mark.parametrize("raw", ["²", "①", "٣", "5" * 5000])
def test_aql_dates_days_and_times_of_strange_digits_are_400(client, catalog, raw):
    fields = refused(client, aql("granules", _window("1", "200", year=raw)))
    assert "stopDate/Date: YYYY: " in fields["Message"] and "from 1 to 9999" in fields["Message"]
    fields = refused(client, aql("granules", _window(raw, "200")))
    assert "startDay: day of the year" in fields["Message"]
    attribute = (
        f"<additionalAttributes><additionalAttribute><additionalAttributeName>A"
        f"</additionalAttributeName><additionalAttributeValue><time HH='{raw}'"
        " MI='0' SS='0'/></additionalAttributeValue></additionalAttribute>"
        "</additionalAttributes>"
    )
    assert "time: HH: " in refused(client, aql("collections", attribute))["Message"]
    orbit = f"<orbitNumber><value>{raw}</value></orbitNumber>"
    assert "orbitNumber/value: " in refused(client, aql("granules", orbit))["Message"]


@pytest.mark.parametrize("days", [("1", "365"), ("1", "366"), ("300", "20"), ("366", "366")])
def test_an_aql_recurring_window_reaching_year_10000_is_answered(client, catalog, days):
    everything = urs(
        run(client, aql("granules", _window("1", "366", year="9998")), IteratorSize=50)
    )
    found = urs(run(client, aql("granules", _window(*days)), IteratorSize=50))
    assert set(found) <= set(everything) and (found or days == ("366", "366"))


def test_the_largest_cursor_is_accepted_and_the_message_names_the_bound(client, catalog):
    answered = run(client, aql("collections"), Cursor=str(2**62))
    assert answered.findtext("Cursor") == str(2**62) and answered.findtext("ItemsReturned") == "0"
    fields = refused(client, aql("collections"), Cursor=str(2**62 + 1))
    assert fields["Message"].endswith(f"'{2**62 + 1}' is not a whole number from 1 to {2**62}")
    fields = refused(client, aql("collections"), Cursor="²")
    assert "Cursor: '²' is not a whole number" in fields["Message"]


# -- OSEO and partners ----------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "①", "5" * 5000, "-1", str(2**31)])
def test_oseo_number_of_copies_of_strange_digits_is_an_invalid_parameter(raw):
    item = (
        "<orderItem><itemId>i1</itemId><productId><identifier>G1-P</identifier></productId>"
        "<deliveryOptions><onlineDataAccess><protocol>ftp</protocol></onlineDataAccess>"
        f"<numberOfCopies>{raw}</numberOfCopies></deliveryOptions></orderItem>"
    )
    refusal = _bad(_submit(item), oseo_errors.InvalidParameterValue, "numberOfCopies")
    assert "numberOfCopies: " in str(refusal) and len(str(refusal)) < 300


@pytest.mark.parametrize("raw", ["²", "①", "5" * 5000])
def test_a_partners_media_quantity_of_strange_digits_is_malformed(raw):
    element = etree.fromstring(
        f"<ProviderQuote><MediaQuantity>{raw}</MediaQuantity></ProviderQuote>"
    )
    with pytest.raises(MalformedAnswer, match=r"MediaQuantity: .* is not a whole number"):
        read_details(element)
    assert read_details(etree.fromstring("<Q><MediaQuantity> 3 </MediaQuantity></Q>")) == {
        "MediaQuantity": 3
    }


# -- a 500 that does happen -----------------------------------------------------------------


OSEO_CAPABILITIES = b'<GetCapabilities xmlns="http://www.opengis.net/oseo/1.0" service="OS"/>'


@pytest.mark.parametrize("binding", ["search", "echo", "oseo"])
def test_a_database_failure_is_logged_with_its_cause_under_the_answers_request_id(
    client, catalog, connection, caplog, binding
):
    connection.execute(text("ALTER TABLE collections RENAME TO collections_hidden"))
    caplog.set_level(logging.ERROR, logger="clearinghouse.incidents")
    if binding == "search":
        response = client.get("/search/collections")
    elif binding == "echo":
        body = f"<CatalogService><ExecuteQueryRequest>{aql('collections')}</ExecuteQueryRequest>"
        response = client.post("/echo/perform", data=body + "</CatalogService>")
    else:
        response = client.post("/oseo", data=OSEO_CAPABILITIES)
    assert response.status_code == 500
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) == 32
    body = response.get_data(as_text=True)
    assert f"(request {request_id})" in body and "collections_hidden" not in body
    (record,) = [r for r in caplog.records if r.name == "clearinghouse.incidents"]
    logged = record.getMessage()
    assert f"request {request_id} failed: " in logged
    assert "sqlalchemy.exc.ProgrammingError" in logged
    assert "UndefinedTable" in logged
    assert 'SQLSTATE 42P01: ERROR:  relation "collections" does not exist' in logged
    assert "[statement: " in logged


def test_every_answer_names_its_request_and_refusals_are_not_logged_as_failures(client, caplog):
    caplog.set_level(logging.INFO, logger="clearinghouse.incidents")
    first, second = client.get("/health"), client.get("/search/collections?page_size=-1")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert second.status_code == 400
    assert not [r for r in caplog.records if r.name == "clearinghouse.incidents"]
