"""Partners' answers to the broker, fuzzed: answers drawn from PartnerAnswer.dtd about the order
asked (prices, dates, quantities valid or hostile), mutated as trees and bytes, served with an
HTTP status by a real server on loopback, and read by the real dispatcher. Whatever a partner
says, the request ends recorded (done, failed, or pending to retry), never with an exception.

(The partners' callbacks, ProviderOrderManagementService over /echo/perform, are fuzzed with the
other services in test_fuzz_services.py.)"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from broker.dispatch import Dispatcher
from broker.models import DispatchRequest, DispatchStatus
from tests.broker_support import create, item, ordered, point_at, scripted_partner
from tests.fuzz.budget import budget
from tests.fuzz.dtdgen import element
from tests.fuzz.hostile import mutated_bytes, mutated_tree

ANSWERS = {"QuoteOrder": "QuoteProviderOrderResponse", "SubmitOrder": "SubmitProviderOrderResponse"}


@pytest.fixture
def partner_server(session, world):
    with scripted_partner() as partner:
        point_at(session, "FUZZP", f"{partner.url}/orders")
        yield partner


@budget(30)
@given(data=st.data())
def test_partner_answers_never_crash_the_broker(
    client, db, session, settings, world, partner_server, data
):
    token = world.tokens["user"]
    guid = create(client, token, item(world.known["CatalogItemId"][1]))
    transaction = data.draw(st.sampled_from(sorted(ANSWERS)), label="transaction")
    ordered(client, token, transaction, guid=guid)
    known = {**world.known, "ECHOOrderID": [guid]}
    answer = data.draw(element("PartnerAnswer.dtd", ANSWERS[transaction], known), label="answer")
    answer = data.draw(mutated_tree(answer, known), label="mutated")
    body = data.draw(mutated_bytes(etree.tostring(answer, encoding="UTF-8")), label="bytes")
    status = data.draw(st.sampled_from([200, 200, 200, 400, 500, 302]), label="status")
    partner_server.answer = lambda path, request: (status, body)
    dispatcher = Dispatcher(db, settings)
    for _ in range(5):  # the partner's retries (no wait between them)
        if not dispatcher.run_once():
            break
    rows = session.scalars(select(DispatchRequest).order_by(DispatchRequest.id.desc())).all()
    assert rows[0].status in (DispatchStatus.DONE, DispatchStatus.FAILED), rows[0].last_error
    ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>")
