"""What a partner implements the protocol from: docs/partners.md's examples (each valid against
the DTDs, each answer one the broker takes, every message there), the DTDs served at
GET /dtd/<name>.dtd, and a refusal that tells a partner which element the broker expected."""

from __future__ import annotations

import http.client
import http.server
import re
import threading
from pathlib import Path

import pytest
import requests
from lxml import etree
from werkzeug.serving import make_server

import dtd
from broker.partner import ANSWERS, OUTCOMES, REQUESTS, read_answer
from dtd.content import firsts, model
from tests.api_support import error, login, perform, user
from tests.broker_support import (
    PARTNER,
    create,
    drain,
    history,
    item,
    ordered,
    partner,
    provider_token,
    scripted_partner,
    states,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "partners.md"
XML_BLOCK = re.compile(r"^```xml\n(.*?)^```", re.S | re.M)


def examples() -> list[etree._Element]:
    blocks = XML_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert blocks, f"no xml examples in {DOC}"
    return [etree.fromstring(block) for block in blocks]


def declarations(name: str) -> dict[str, etree._DTDElementDecl]:
    return {d.name: d for d in etree.DTD(str(dtd.path(name))).iterelements()}


def declaring(tag: str) -> list[str]:
    """The DTDs the page points a partner to that declare ``tag`` (a client's service DTD may
    use the same name: OrderEntryService's CancelProviderOrderRequest is another message)."""
    named = set(re.findall(r"\b(\w+\.dtd)\b", DOC.read_text(encoding="utf-8")))
    assert named <= dtd.names(), named - dtd.names()
    return [name for name in sorted(named) if tag in declarations(name)]


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.tag)
def test_every_example_is_valid_against_the_dtds_that_declare_it(example):
    names = declaring(example.tag)
    assert names, f"no DTD named on the page declares {example.tag}"
    for name in names:
        assert dtd.validate(name, example) == [], name


def test_the_examples_show_every_request_answer_outcome_and_callback():
    found = examples()
    roots = {e.tag for e in found}
    assert set(REQUESTS.values()) <= roots
    assert {"Login", "SetProviderContext"} <= roots
    answers = [e for e in found if e.tag in ANSWERS.values()]
    shown = {child.tag for answer in answers for child in answer.find("Order")}
    assert {o for outcomes in OUTCOMES.values() for o in outcomes} <= shown
    acknowledged = {a.tag for a in answers if not set(_outcome_tags()) & {c.tag for c in a[0]}}
    assert acknowledged == set(ANSWERS.values())  # an async acknowledgement of each
    service = "ProviderOrderManagementService"
    callbacks = {e[0].tag for e in found if e.tag == service}
    assert callbacks == set(firsts(model(declarations(f"{service}.dtd")[service].content)))


def _outcome_tags() -> list[str]:
    return [o for outcomes in OUTCOMES.values() for o in outcomes]


@pytest.mark.parametrize(
    "example", [e for e in examples() if e.tag in ANSWERS.values()], ids=lambda e: e.tag
)
def test_every_answer_shown_is_one_the_broker_takes(example):
    transaction = next(t for t, tag in ANSWERS.items() if tag == example.tag)
    guid = example.findtext("Order/ECHOOrderID")
    answer = read_answer(transaction, etree.tostring(example), guid)
    outcome = [c.tag for c in example.find("Order") if c.tag in _outcome_tags()]
    assert answer.outcome == (outcome[0] if outcome else None)


# -- GET /dtd/<name>.dtd -------------------------------------------------------------------------


@pytest.fixture
def served(app):
    """The API on a real HTTP port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def test_every_dtd_is_served_as_shipped_and_compiles_from_what_was_served(served, tmp_path):
    for name in sorted(dtd.names()):
        response = requests.get(f"http://{served}/dtd/{name}", timeout=10)
        assert response.status_code == 200, name
        assert response.headers["Content-Type"] == "application/xml-dtd; charset=utf-8"
        assert response.content == dtd.path(name).read_bytes()
        (tmp_path / name).write_bytes(response.content)
    # A partner's copy, siblings found beside it, judges as ours does.
    theirs = etree.DTD(str(tmp_path / "ProviderOrderManagementService.dtd"))
    for example in examples():
        if example.tag == "ProviderOrderManagementService":
            assert theirs.validate(example), theirs.error_log


@pytest.mark.parametrize(
    "path",
    [
        "/dtd/Nothing.dtd",
        "/dtd/echo10.json",
        "/dtd/__init__.py",
        "/dtd/build",
        "/dtd/",
        "/dtd/../setup.cfg",
        "/dtd/..%2Fsetup.cfg",
        "/dtd/%2E%2E%2F%2E%2E%2Fsetup.cfg",
        "/dtd/..%2F..%2Fdtd%2FSession.dtd",
        "/dtd/%2Fetc%2Fpasswd%00.dtd",
        "/dtd/Session.dtd%00",
        "/dtd/session.dtd",
    ],
)
def test_anything_but_a_dtd_of_ours_is_404(served, path):
    connection = http.client.HTTPConnection(served, timeout=10)
    connection.request("GET", path)  # sent as written: no client-side normalising
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 404, (path, body[:200])
    error = etree.fromstring(body)
    assert error.findtext("Code") == "NotFound"
    assert b"[Settings]" not in body and b"root:" not in body


def test_a_missing_dtd_is_told_which_there_are(client):
    response = client.get("/dtd/PartnerAnswers.dtd")
    assert response.status_code == 404
    assert "PartnerAnswer.dtd" in etree.fromstring(response.data).findtext("Message")


# -- a partner's wrong answers -------------------------------------------------------------------

GOOD_ACCEPTANCE = (
    "<SubmitProviderOrderResponse><Order><ECHOOrderID>{guid}</ECHOOrderID>"
    "<ProviderOrderAcceptance><TotalPrice>10.00</TotalPrice></ProviderOrderAcceptance>"
    "</Order></SubmitProviderOrderResponse>"
)
#: What a partner written from CONTRACT §7.2 and the seed alone answered.
WRONG = {
    "quote": (
        "<QuoteProviderOrderResponse><Order><ECHOOrderID>{guid}</ECHOOrderID>"
        "<ProviderQuote><TotalPrice>10.00</TotalPrice>"
        "<ExpirationDate>2030-01-01T00:00:00Z</ExpirationDate></ProviderQuote>"
        "</Order></QuoteProviderOrderResponse>"
    ),
    "submit": (
        "<SubmitProviderOrderResponse><Order><ECHOOrderID>{guid}</ECHOOrderID>"
        "<ProviderOrderRejection><Reason>no</Reason></ProviderOrderRejection>"
        "</Order></SubmitProviderOrderResponse>"
    ),
    "cancel": (
        "<CancelProviderOrderResponse><Order><ECHOOrderID>{guid}</ECHOOrderID>"
        "<ProviderTrackingID>{guid}</ProviderTrackingID><Accepted>true</Accepted>"
        "</Order></CancelProviderOrderResponse>"
    ),
}


@pytest.fixture
def endpoint():
    """A real partner endpoint answering each request from its ``answers``, by its root."""
    with scripted_partner() as partner:
        partner.answers = {}

        def answer(path: str, body: bytes) -> tuple[int, bytes]:
            request = etree.fromstring(body)
            guid = request.findtext("Order/ECHOOrderID")
            return 200, partner.answers[request.tag].format(guid=guid).encode()

        partner.answer = answer
        yield partner


@pytest.mark.parametrize(
    ("case", "state", "expected", "got"),
    [
        ("quote", "QUOTE_FAILED", "expected QuoteExpirationDate", "got ExpirationDate"),
        ("submit", "SUBMIT_FAILED", "SubmissionRejection", "got ProviderOrderRejection"),
        ("cancel", "PROCESSING", "CancellationAcceptance", "got Accepted"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_element_expected(
    client, db, session, settings, tmp_path, endpoint, case, state, expected, got
):
    url = f"{endpoint.url}/orders"
    ids = partner(db, session, tmp_path, "WRITTEN", endpoint=url, retry_attempts=3)
    user(session, "mia")
    token = login(client, "mia")
    guid = create(client, token, item(ids[1]))
    request = {"quote": "QuoteOrder", "submit": "SubmitOrder", "cancel": "SubmitOrder"}[case]
    endpoint.answers[REQUESTS[_transaction(case)]] = WRONG[case]
    if case == "cancel":
        endpoint.answers[REQUESTS[_transaction("submit")]] = GOOD_ACCEPTANCE
    ordered(client, token, request, guid=guid)
    drain(db, settings)
    if case == "cancel":
        assert states(client, token, guid) == {"WRITTEN": "PROCESSING"}
        ordered(client, token, "CancelOrder", guid=guid)
        assert drain(db, settings) == 1  # refused at once, not retried
    assert states(client, token, guid) == {"WRITTEN": state}
    refusal = history(client, token, guid)[-1]
    assert expected in refusal and got in refusal and "PartnerAnswer.dtd" in refusal
    others = {o for t, outcomes in OUTCOMES.items() if t != _transaction(case) for o in outcomes}
    assert not [name for name in others if name in refusal]  # only outcomes of this request


def _transaction(case: str):
    return next(t for t in REQUESTS if t.name.lower() == case)


def test_a_callback_with_a_wrong_name_is_refused_naming_the_element_expected(
    client, db, session, tmp_path
):
    partner(db, session, tmp_path, "WRITTEN", endpoint=None, granules=0)
    body = (
        "<SupplyProviderQuoteRequest><ECHOOrderID>a3f1c6e2-8b4d-4e7a-9c15-6d2b0e9f7a41"
        "</ECHOOrderID><ProviderQuote><TotalPrice>1</TotalPrice><ExpirationDate>2030-01-01"
        "</ExpirationDate></ProviderQuote></SupplyProviderQuoteRequest>"
    )
    refused = perform(client, provider_token(client, "WRITTEN"), PARTNER, body)
    fields = error(refused, 400, "InvalidXML")
    assert "ProviderQuote: expected QuoteExpirationDate, got ExpirationDate" in fields["Message"]
