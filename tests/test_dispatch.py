"""Sending the recorded requests to real partners (the simulator on loopback), one dispatch at a
time in this process: sync answers, rejections, retries, failures, tracking ids, sealed options.
tests/test_broker_e2e.py runs the same with worker processes and async callbacks."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from broker.dispatch import Dispatcher
from broker.models import DispatchRequest, DispatchStatus
from broker.partner import MalformedAnswer, read_answer
from clearinghouse.accounts.models import Transaction
from partner_sim import Behaviour, PartnerSimulator
from tests.api_support import login, performed, user
from tests.broker_support import (
    MEDIA_TYPE,
    PROFILE,
    SECRET,
    create,
    drain,
    ftp_push,
    history,
    item,
    ordered,
    partner,
    point_at,
    provider_token,
    scripted_partner,
    states,
)


def setup(db, session, tmp_path, sim, provider_id="SYNCP", behaviour=None, **policy):
    sim.add_partner(provider_id, behaviour or Behaviour())
    ids = partner(db, session, tmp_path, provider_id, endpoint=sim.url(provider_id), **policy)
    return ids


@pytest.fixture
def mia(session):
    user(session, "mia")
    return "mia"


def test_a_sync_partner_quotes_accepts_and_cancels(
    client, db, session, settings, tmp_path, sim, mia, caplog
):
    caplog.set_level("DEBUG")
    ids = setup(db, session, tmp_path, sim, behaviour=Behaviour(tracking_prefix="SY-"))
    performed(
        client,
        provider_token(client, "SYNCP"),
        PROFILE,
        f"<SetOptionDefinitionRequest>{MEDIA_TYPE}</SetOptionDefinitionRequest>",
    )
    token = login(client, mia)
    guid = create(client, token, item(ids[1], 2, ftp_push()), item(ids[2], 1, ftp_push()))
    ordered(client, token, "QuoteOrder", guid=guid)
    assert drain(db, settings) == 1
    po = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find(
        "Order/ProviderOrder"
    )
    assert po.findtext("State") == "QUOTED"
    assert po.findtext("Quote/TotalPrice") == "30.00"  # 3 units at 10.00
    assert po.findtext("Quote/QuoteExpirationDate")
    assert po.findtext("ProviderTrackingId") == "SY-1"
    # The partner got the password in clear, and only the partner.
    [quoted] = sim.received("SYNCP")
    assert quoted.provider_tracking_id == guid
    assert SECRET in quoted.line_items[0].option_selection
    ordered(client, token, "SubmitOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"SYNCP": "PROCESSING"}
    submitted = sim.received("SYNCP")[-1]
    assert submitted.transaction == "SUBMIT" and submitted.provider_tracking_id == "SY-1"
    po = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find(
        "Order/ProviderOrder"
    )
    assert po.findtext("Acceptance/TotalPrice") == "30.00"
    ordered(client, token, "CancelOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"SYNCP": "CANCELLED"}
    assert all(r.status is DispatchStatus.DONE for r in session.scalars(select(DispatchRequest)))
    assert history(client, token, guid)[-1] == "cancelled by the partner"
    assert SECRET not in caplog.text  # the broker's and the simulator's log lines alike
    assert "CancellationAcceptance" in caplog.text  # the log was captured


def test_a_rejection_closes_the_provider_order(client, db, session, settings, tmp_path, sim, mia):
    ids = setup(db, session, tmp_path, sim, behaviour=Behaviour(reject={"SUBMIT", "QUOTE"}))
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "QuoteOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"SYNCP": "QUOTE_REJECTED"}
    ordered(client, token, "UpdateOrderItems", item(ids[1], 2), guid=guid)  # edit, then submit
    ordered(client, token, "SubmitOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"SYNCP": "SUBMIT_REJECTED"}
    assert history(client, token, guid)[-1].startswith("rejected")


def test_a_partner_that_does_not_cancel_goes_on_while_the_other_cancels(
    client, db, session, settings, tmp_path, sim, mia
):
    both = setup(db, session, tmp_path, sim, "CANCELS")
    keeps = setup(db, session, tmp_path, sim, "KEEPSON", transactions=["QUOTE", "SUBMIT"])
    token = login(client, mia)
    guid = create(client, token, item(both[1]), item(keeps[1]))
    ordered(client, token, "SubmitOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"CANCELS": "PROCESSING", "KEEPSON": "PROCESSING"}
    answer = ordered(client, token, "CancelOrder", guid=guid)
    assert "KEEPSON does not take cancellations" in answer.findtext("Note")
    drain(db, settings)
    assert states(client, token, guid) == {"CANCELS": "CANCELLED", "KEEPSON": "PROCESSING"}
    assert [r.transaction for r in sim.received("KEEPSON")] == ["SUBMIT"]


def test_a_partner_down_for_the_first_attempts_gets_the_same_request_again(
    client, db, session, settings, tmp_path, sim, mia
):
    down = Behaviour(down_for=0.6)  # from its first request: however long the setup takes
    ids = setup(db, session, tmp_path, sim, behaviour=down, retry_attempts=50)
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "SubmitOrder", guid=guid)
    dispatcher = Dispatcher(db, settings)
    deadline = time.monotonic() + 10
    while states(client, token, guid)["SYNCP"] == "SUBMITTING":
        assert time.monotonic() < deadline
        dispatcher.run_once()
        time.sleep(0.05)
    assert states(client, token, guid) == {"SYNCP": "PROCESSING"}
    request = session.scalar(select(DispatchRequest))
    assert request.attempts > 1 and request.status is DispatchStatus.DONE
    assert sim.stats("SYNCP")["refused"] == request.attempts - 1
    [received] = sim.received("SYNCP")
    assert received.request_id == str(request.request_id)


def test_a_partner_that_never_comes_back_fails_after_its_attempts(
    client, db, session, settings, tmp_path, sim, mia
):
    ids = setup(db, session, tmp_path, sim, behaviour=Behaviour(fail_rate=1.0), retry_attempts=2)
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "QuoteOrder", guid=guid)
    assert drain(db, settings) == 3  # the first try and two retries
    assert states(client, token, guid) == {"SYNCP": "QUOTE_FAILED"}
    assert "after 3 attempts" in history(client, token, guid)[-1]
    assert session.scalar(select(DispatchRequest.status)) is DispatchStatus.FAILED
    # A failed quote is no dead end: the order can still be submitted.
    with PartnerSimulator() as healthy:
        healthy.add_partner("SYNCP", Behaviour())
        point_at(session, "SYNCP", healthy.url("SYNCP"))
        ordered(client, token, "SubmitOrder", guid=guid)
        drain(db, settings)
    assert states(client, token, guid) == {"SYNCP": "PROCESSING"}


def test_a_retry_waits_the_partners_retry_wait(client, db, session, settings, tmp_path, sim, mia):
    ids = setup(db, session, tmp_path, sim, behaviour=Behaviour(fail_rate=1.0), retry_wait=3600)
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "SubmitOrder", guid=guid)
    assert drain(db, settings) == 1  # the retry is due in an hour
    request = session.scalar(select(DispatchRequest))
    assert request.status is DispatchStatus.PENDING and request.attempts == 1
    assert "HTTP 503" in request.last_error
    assert 3500 < (request.next_attempt_at - request.created_at).total_seconds() < 3700


@pytest.fixture
def garbage():
    with scripted_partner() as partner:
        yield partner


@pytest.mark.parametrize(
    "status, body, why",
    [
        (404, b"no such endpoint", "HTTP 404"),
        (400, b"bad\x00request", "bad\\x00request"),  # tests/fuzz: NUL broke the recording
        (200, b"<html>hello</html>", "is a html"),
        (200, b"not xml at all", "not XML"),
        (
            200,
            b"<SubmitProviderOrderResponse><Order><ECHOOrderID>someone else</ECHOOrderID>"
            b"</Order></SubmitProviderOrderResponse>",
            "another order",
        ),
    ],
)
def test_a_4xx_or_an_answer_that_is_not_one_fails_at_once(
    client, db, session, settings, tmp_path, garbage, mia, status, body, why
):
    garbage.answer = lambda path, request: (status, body)
    ids = partner(db, session, tmp_path, "ODDP", endpoint=f"{garbage.url}/p", retry_attempts=5)
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "SubmitOrder", guid=guid)
    assert drain(db, settings) == 1
    assert states(client, token, guid) == {"ODDP": "SUBMIT_FAILED"}
    assert why in history(client, token, guid)[-1]


def test_a_sync_partner_must_answer_with_the_outcome(
    client, db, session, settings, tmp_path, sim, mia
):
    sim.add_partner("ACKONLY", Behaviour(mode="async"))  # answers like an async partner
    ids = partner(db, session, tmp_path, "ACKONLY", endpoint=sim.url("ACKONLY"))
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "QuoteOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"ACKONLY": "QUOTE_FAILED"}
    assert "must answer with the outcome" in history(client, token, guid)[-1]


def test_an_async_partner_acknowledges_and_the_order_waits(
    client, db, session, settings, tmp_path, sim, mia
):
    ids = setup(db, session, tmp_path, sim, "ASYNCP", Behaviour(mode="async"), mode="async")
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "QuoteOrder", guid=guid)
    drain(db, settings)
    assert states(client, token, guid) == {"ASYNCP": "QUOTING"}
    assert session.scalar(select(DispatchRequest.status)) is DispatchStatus.DONE
    # The partner kept the broker's tracking id: nothing to tell the client.
    assert not [m for m in history(client, token, guid) if "tracking id" in m]


@pytest.mark.parametrize(
    ("outcome", "why"),
    [
        (
            "<ProviderOrderAcceptance><TotalPrice>ten</TotalPrice></ProviderOrderAcceptance>",
            "TotalPrice: 'ten' is not a price",
        ),
        (
            "<ProviderOrderAcceptance><estimatedShipDate>soon</estimatedShipDate>"
            "<TotalPrice>1</TotalPrice></ProviderOrderAcceptance>",
            "estimatedShipDate",
        ),
        (
            "<ProviderQuote><TotalPrice>1</TotalPrice><QuoteExpirationDate>2030-01-01"
            "</QuoteExpirationDate></ProviderQuote>",
            "does not answer a SubmitProviderOrderRequest",
        ),
        ("<ProviderOrderAcceptance/>", "PartnerAnswer.dtd"),  # TotalPrice is mandatory
    ],
)
def test_an_answers_values_are_checked(outcome, why):
    body = (
        f"<SubmitProviderOrderResponse><Order><ECHOOrderID>g</ECHOOrderID>{outcome}</Order>"
        "</SubmitProviderOrderResponse>"
    ).encode()
    with pytest.raises(MalformedAnswer) as raised:
        read_answer(Transaction.SUBMIT, body, "g")
    assert why in raised.value.message


def test_options_sealed_with_another_key_fail_the_request_with_a_clear_message(
    client, db, session, settings, tmp_path, sim, mia
):
    ids = setup(db, session, tmp_path, sim, retry_attempts=1)
    performed(
        client,
        provider_token(client, "SYNCP"),
        PROFILE,
        f"<SetOptionDefinitionRequest>{MEDIA_TYPE}</SetOptionDefinitionRequest>",
    )
    token = login(client, mia)
    guid = create(client, token, item(ids[1], 1, ftp_push()))
    ordered(client, token, "SubmitOrder", guid=guid)
    import dataclasses

    from cryptography.fernet import Fernet

    other = dataclasses.replace(settings, option_key=Fernet.generate_key().decode())
    assert drain(db, other) == 2  # tried again once, as the partner's policy says
    assert states(client, token, guid) == {"SYNCP": "SUBMIT_FAILED"}
    assert "encrypted options" in history(client, token, guid)[-1]
    assert sim.received("SYNCP") == []  # nothing left with a wrongly opened secret


def test_a_partner_that_never_answers_times_out_and_fails_by_its_policy(
    client, db, session, settings, tmp_path, sim, mia
):
    import dataclasses

    ids = setup(db, session, tmp_path, sim, behaviour=Behaviour(delay=3), retry_attempts=0)
    token = login(client, mia)
    guid = create(client, token, item(ids[1]))
    ordered(client, token, "QuoteOrder", guid=guid)
    assert drain(db, dataclasses.replace(settings, dispatch_timeout=1)) == 1
    assert states(client, token, guid) == {"SYNCP": "QUOTE_FAILED"}
    assert "no answer within 1 s" in history(client, token, guid)[-1]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<SubmitProviderOrderResponse><Order><ECHOOrderID>&b;</ECHOOrderID></Order>"
            b"</SubmitProviderOrderResponse>",
            "not XML",
        ),
        # An external DTD is never fetched: the document is judged by ours, and fails it.
        (
            b'<!DOCTYPE r SYSTEM "file:///etc/passwd"><SubmitProviderOrderResponse/>',
            "PartnerAnswer.dtd",
        ),
        (b"\xff\xfe not even text", "not XML"),
    ],
)
def test_a_hostile_answer_is_not_an_answer(body, why):
    with pytest.raises(MalformedAnswer) as raised:
        read_answer(Transaction.SUBMIT, body, "g")
    assert why in raised.value.message and "root:" not in raised.value.message
