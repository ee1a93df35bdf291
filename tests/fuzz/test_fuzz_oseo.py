"""POST /oseo, fuzzed: the official OSEO 1.0 sample requests (their ids replaced by the test
partner's), mutated as trees and as bytes, in SOAP 1.2, SOAP 1.1 or bare, with a good, a wrong or
no UsernameToken. Never a 5xx, always a SOAP fault or ows:ExceptionReport."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tests.api_support import PASSWORD, performed
from tests.broker_support import PROFILE
from tests.fuzz.budget import budget
from tests.fuzz.hostile import mutated_bytes, mutated_tree
from tests.fuzz.support import oseo_answer
from tests.oseo_support import SAMPLES
from tests.test_oseo import ESA_COLLECTION, ESA_PRODUCT, NS, SAMPLE_OPTIONS, envelope

REQUESTS = [
    "GetCapabilities.xml",
    "GetOptions.xml",
    "GetOptions_subscription_with_restriction.xml",
    "GetQuotation.xml",
    "Submit.xml",
    "Submit2.xml",
    "GetStatus.xml",
    "DescribeResultAccess.xml",
    "Cancel.xml",
]
SAMPLE_ORDER = "urn:ESA:EECF:order_id_0001"
#: No worker runs: a synchronous GetQuotation would wait for the partner until its timeout.
REPLY_TO = "http://127.0.0.1:9/notifications"


def _sample(name: str, ids: dict[str, str]) -> str:
    text = (SAMPLES / name).read_text()
    text = text[text.index("?>") + 2 :] if text.startswith("<?xml") else text
    for old, new in ids.items():
        text = text.replace(old, new)
    return text.strip()


@pytest.fixture
def seeds(client, world) -> dict[str, etree._Element]:
    """The samples about the test partner's items, with the id of an order placed by OSEO."""
    for definition in SAMPLE_OPTIONS:
        request = f"<SetOptionDefinitionRequest>{definition}</SetOptionDefinitionRequest>"
        performed(client, world.tokens["provider"], PROFILE, request)
    items = world.known["CatalogItemId"]
    ids = {ESA_PRODUCT: items[1], ESA_COLLECTION: items[0]}
    body = envelope(_sample("Submit.xml", ids), user="mia", reply_to=REPLY_TO)
    response = client.post("/oseo", data=body, content_type="application/soap+xml")
    answer = etree.fromstring(response.data)
    order = answer.findtext(".//os:orderId", namespaces=NS)
    assert order, response.data
    ids[SAMPLE_ORDER] = order
    return {name: etree.fromstring(_sample(name, ids)) for name in REQUESTS}


@budget(50)
@given(data=st.data())
def test_oseo_requests_never_crash(client, seeds, data):
    name = data.draw(st.sampled_from(REQUESTS), label="sample")
    tree = data.draw(mutated_tree(seeds[name]), label="request")
    soap = data.draw(st.sampled_from(["1.2", "1.2", "1.1", None]), label="soap")
    user, password = data.draw(
        st.sampled_from([("mia", PASSWORD), ("mia", PASSWORD), ("mia", "wrong"), (None, "")]),
        label="credentials",
    )
    reply_to = data.draw(st.sampled_from([REPLY_TO, None]), label="reply to")
    if name == "GetQuotation.xml":
        reply_to = REPLY_TO
    text = etree.tostring(tree, encoding="unicode")
    body = envelope(text, user=user, password=password, soap=soap, reply_to=reply_to)
    body = data.draw(mutated_bytes(body), label="bytes")
    content_type = "application/soap+xml" if soap == "1.2" else "text/xml"
    oseo_answer(client.post("/oseo", data=body, content_type=content_type))
