"""Every transaction of every Perform service, and the session functions, fuzzed: messages drawn
from each service's DTD (so they pass validation and reach the handler, with values valid in the
test's world or hostile), then mutated as trees and as bytes; sent by each kind of caller over
/echo and over SOAP. Never a 5xx, always the documented error."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from lxml import etree

import clearinghouse.api.services  # noqa: F401  (registers the transactions)
from clearinghouse.api.registry import REGISTRY
from clearinghouse.api.wsdl import NAMESPACE
from tests.fuzz.budget import budget
from tests.fuzz.dtdgen import element, roots
from tests.fuzz.hostile import mutated_bytes, mutated_tree
from tests.fuzz.support import echo_answer, soap_answer

SERVICES = sorted(REGISTRY.services())
SESSION = {
    "Login": "login",
    "Identify": "identify",
    "SetProviderContext": "provider-context",
    "SetUserContext": "user-context",
}
SOAP = {
    "1.1": ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8"),
    "1.2": ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml"),
}


def test_every_service_has_a_dtd_to_draw_from():
    assert SERVICES and all(roots(f"{s}.dtd") for s in SERVICES)
    assert set(SESSION) == set(roots("Session.dtd"))


@st.composite
def message(draw, dtd_name: str, root: str, known) -> bytes:
    tree = draw(element(dtd_name, root, known))
    tree = draw(mutated_tree(tree, known))
    return draw(mutated_bytes(etree.tostring(tree, encoding="UTF-8")))


def _soap(version: str, token: str | None, body: bytes) -> tuple[bytes, str]:
    namespace, content_type = SOAP[version]
    text = escape(body.decode("utf-8", "replace"))
    token_part = f"<Token>{token}</Token>" if token else ""
    envelope = (
        f'<s:Envelope xmlns:s="{namespace}"><s:Body><Perform xmlns="{NAMESPACE}">'
        f"{token_part}<Message>{text}</Message></Perform></s:Body></s:Envelope>"
    )
    return envelope.encode(), content_type


#: Callers who get past the access checks come more often.
CALLERS = ["admin", "provider", "user", "admin", "provider", "guest"]


@pytest.mark.parametrize("service", SERVICES)
@budget(40)
@given(data=st.data())
def test_perform_never_crashes(client, world, service, data):
    caller = data.draw(st.sampled_from(CALLERS), label="caller")
    token = world.tokens[caller]
    body = data.draw(message(f"{service}.dtd", service, world.known), label="message")
    transport = data.draw(st.sampled_from(["echo", "echo", "1.1", "1.2"]), label="transport")
    if transport == "echo":
        headers = {"Echo-Token": token} if token else {}
        response = client.post("/echo/perform", data=body, headers=headers)
        root = echo_answer(response)
        event(f"{response.status_code} {root.findtext('Code') or root.tag}")
    else:
        envelope, content_type = _soap(transport, token, body)
        soap_answer(client.post("/soap", data=envelope, content_type=content_type))


@pytest.mark.parametrize("function", sorted(SESSION))
@budget(20)
@given(data=st.data())
def test_session_functions_never_crash(client, world, function, data):
    caller = data.draw(st.sampled_from(sorted(world.tokens)), label="caller")
    token = world.tokens[caller]
    body = data.draw(message("Session.dtd", function, world.known), label="message")
    headers = {"Echo-Token": token} if token else {}
    echo_answer(client.post(f"/echo/{SESSION[function]}", data=body, headers=headers))
