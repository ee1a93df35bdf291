"""The broker end to end: the API served over HTTP, `clearinghouse worker` processes, and partners
played by the simulator on loopback, calling back into the API as async partners do. Orders go
through /echo/perform; the database is a real one, committed to (and cleaned up afterwards)."""

from __future__ import annotations

import time

from sqlalchemy import select

from broker.models import DispatchRequest, ProviderOrder
from partner_sim import Behaviour
from tests.api_support import login
from tests.broker_support import create, item, ordered


def test_an_order_from_a_sync_and_an_async_partner_is_quoted_submitted_and_closed(shop, sim):
    sync_items = shop.partner("SYNC", sim, Behaviour(process_time=0.3, tracking_prefix="S-"))
    async_items = shop.partner("ASYNC", sim, Behaviour(mode="async", process_time=0.3))
    shop.start_worker()
    client = shop.client
    token = login(client, shop.username)
    guid = create(client, token, item(sync_items[0], 2), item(async_items[0]))
    ordered(client, token, "QuoteOrder", guid=guid)
    shop.wait(guid, {"SYNC": "QUOTED", "ASYNC": "QUOTED"})
    order = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find("Order")
    quotes = {
        po.findtext("ProviderId").split("_")[0]: po.findtext("Quote/TotalPrice")
        for po in order.iter("ProviderOrder")
    }
    assert quotes == {"SYNC": "20.00", "ASYNC": "10.00"}
    ordered(client, token, "SubmitOrder", guid=guid)
    shop.wait(guid, {"SYNC": "CLOSED", "ASYNC": "CLOSED"})
    order = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find("Order")
    for po in order.iter("ProviderOrder"):
        assert po.findtext("OnlineAccessURLs/URL").startswith(sim.url().rstrip("/"))
        assert po.findtext("Acceptance/TotalPrice")
    assert {po.findtext("ProviderTrackingId")[:2] for po in order.iter("ProviderOrder")} >= {"S-"}
    history = ordered(client, token, "GetStatusHistory", guid=guid)
    sources = {m.findtext("Source") for m in history}
    assert sources == {"broker", "client", "partner"}
    # The async partner's outcomes came by callback, each acknowledged by the API.
    callbacks = sim.callbacks(shop.providers[1])
    assert [c.operation for c in callbacks if c.ok] == [
        "SupplyProviderQuote",
        "AcceptProviderOrderSubmission",
        "CloseProviderOrder",
    ]
    assert sim.duplicate_count() == 0


def test_a_cancel_accepted_by_one_partner_and_unsupported_by_the_other(shop, sim):
    keeps = shop.partner("KEEPS", sim, Behaviour(process_time=60), transactions=["QUOTE", "SUBMIT"])
    cancels = shop.partner("CANCELS", sim, Behaviour(mode="async", process_time=60))
    shop.start_worker()
    client = shop.client
    token = login(client, shop.username)
    guid = create(client, token, item(keeps[0]), item(cancels[0]))
    ordered(client, token, "SubmitOrder", guid=guid)
    shop.wait(guid, {"KEEPS": "PROCESSING", "CANCELS": "PROCESSING"})
    answer = ordered(client, token, "CancelOrder", guid=guid)
    assert "does not take cancellations" in answer.findtext("Note")
    shop.wait(guid, {"KEEPS": "PROCESSING", "CANCELS": "CANCELLED"})
    assert [r.transaction for r in sim.received(shop.providers[0])] == ["SUBMIT"]


def test_a_rejected_submission(shop, sim):
    items = shop.partner("REJECTS", sim, Behaviour(mode="async", reject={"SUBMIT"}))
    shop.start_worker()
    token = login(shop.client, shop.username)
    guid = create(shop.client, token, item(items[0]))
    ordered(shop.client, token, "SubmitOrder", guid=guid)
    shop.wait(guid, {"REJECTS": "SUBMIT_REJECTED"})


def test_a_partner_down_for_a_while_then_back_and_one_that_never_comes_back(shop, sim):
    back = shop.partner("BACK", sim, Behaviour(down_for=1.5), retry_attempts=10, retry_wait=1)
    gone = shop.partner("GONE", sim, Behaviour(fail_rate=1.0), retry_attempts=3)
    shop.start_worker()
    token = login(shop.client, shop.username)
    guid = create(shop.client, token, item(back[0]), item(gone[0]))
    ordered(shop.client, token, "SubmitOrder", guid=guid)
    shop.wait(guid, {"BACK": "PROCESSING", "GONE": "SUBMIT_FAILED"})
    with shop.engine.connect() as conn:
        attempts = dict(
            conn.execute(
                select(ProviderOrder.provider_id, DispatchRequest.attempts)
                .join(DispatchRequest, DispatchRequest.provider_order_id == ProviderOrder.id)
                .where(ProviderOrder.provider_id.in_(shop.providers))
            ).all()
        )
    assert attempts[shop.providers[1]] == 4  # the first try and three retries
    assert attempts[shop.providers[0]] > 1
    assert len(sim.received(shop.providers[0])) == 1  # refused while down, handled once


def test_a_worker_killed_mid_dispatch_and_the_request_sent_again_with_its_request_id(shop, sim):
    items = shop.partner("SLOW", sim, Behaviour(delay=3.0))
    first = shop.start_worker(threads=1)
    token = login(shop.client, shop.username)
    guid = create(shop.client, token, item(items[0]))
    ordered(shop.client, token, "SubmitOrder", guid=guid)
    deadline = time.monotonic() + 20
    while not sim.received(shop.providers[0]):  # the partner has it; the worker waits on it
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first.kill()
    first.wait()
    assert shop.states(guid) == {"SLOW": "SUBMITTING"}
    shop.start_worker(threads=1)
    shop.wait(guid, {"SLOW": "PROCESSING"})
    with shop.engine.connect() as conn:
        request_id = conn.execute(
            select(DispatchRequest.request_id)
            .join(ProviderOrder)
            .where(ProviderOrder.provider_id == shop.providers[0])
        ).scalar_one()
    assert sim.handled_request_ids(shop.providers[0]) == {str(request_id)}
    assert sim.duplicate_count(shop.providers[0]) == 1  # the same request, dropped as such


def test_two_workers_racing_send_each_request_once(shop, sim):
    partners = [
        shop.partner(
            f"RACE{n}", sim, Behaviour(fail_rate=0.2, seed=n), granules=10, retry_attempts=20
        )
        for n in range(3)
    ]
    shop.start_worker(threads=6)
    shop.start_worker(threads=6)
    token = login(shop.client, shop.username)
    guids = [create(shop.client, token, *(item(p[n]) for p in partners)) for n in range(10)]
    for guid in guids:
        ordered(shop.client, token, "SubmitOrder", guid=guid)
    for guid in guids:
        shop.wait(guid, {f"RACE{n}": "PROCESSING" for n in range(3)})
    with shop.engine.connect() as conn:
        sent = set(
            conn.execute(
                select(DispatchRequest.request_id)
                .join(ProviderOrder)
                .where(ProviderOrder.provider_id.in_(shop.providers))
            ).scalars()
        )
    assert len(sent) == 30
    assert sim.handled_request_ids() == {str(r) for r in sent}
    assert sim.duplicate_count() == 0
