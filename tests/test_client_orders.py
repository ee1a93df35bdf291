"""Ordering with the toolkit against the real server: an order through two partners (the
project's partner simulator, one sync and one async, with `clearinghouse worker` processes) from
create to CLOSED; options with an encrypted value; a partner's side through
ProviderOrderManagementService. The broker end to end is ported from tests/test_broker_e2e.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from clearinghouse_client import (
    Address,
    IllegalStateChange,
    InvalidOptionSelection,
    InvalidValue,
    NotFound,
    OptionDefinition,
    Session,
    WaitFailed,
)
from clearinghouse_client.values import MASK

from tests.api_support import PASSWORD, user
from tests.broker_support import partner
from tests.client_support import logged_in
from tests.shop_support import Behaviour

SECRET = "s3cret-Pa55"
#: Seed slide 69's MediaType option (tests/broker_support.MEDIA_TYPE), as a toolkit value.
MEDIA_TYPE = OptionDefinition(
    "MediaType",
    type="CHOICE",
    children=[
        OptionDefinition(
            "FTPPush",
            type="STRUCTURE",
            children=[
                OptionDefinition("FTPDir", primitive_type="String", min_value="1", max_value="100"),
                OptionDefinition(
                    "UserName", primitive_type="String", min_value="1", max_value="50"
                ),
                OptionDefinition(
                    "Password",
                    primitive_type="String",
                    encrypted=True,
                    min_value="1",
                    max_value="50",
                ),
                OptionDefinition(
                    "Compressed", primitive_type="String", valids=["UnixCompress", "GZip"]
                ),
            ],
        ),
        OptionDefinition(
            "CD",
            type="STRUCTURE",
            children=[
                OptionDefinition("Copies", primitive_type="Integer", min_value="1", max_value="5")
            ],
        ),
    ],
)


def ftp_push(password: str = SECRET, compressed: str = "GZip") -> dict:
    return {
        "MediaType": {
            "FTPPush": {
                "FTPDir": "/in",
                "UserName": "mia",
                "Password": password,
                "Compressed": compressed,
            }
        }
    }


def short(provider_id: str) -> str:
    return provider_id.split("_")[0]


def test_an_order_through_two_partners_from_create_to_closed(shop, sim):
    sync_items = shop.partner("SYNC", sim, Behaviour(process_time=0.3, tracking_prefix="S-"))
    async_items = shop.partner("ASYNC", sim, Behaviour(mode="async", process_time=0.3))
    shop.start_worker()
    with Session(shop.url, client_id="order-tests") as session:
        session.login(shop.username, PASSWORD)
        session.accounts.add_address(
            Address("home", ["1 Main St"], city="Greenbelt", state="MD", usage="SHIPPING")
        )
        order = session.orders.create()
        order.add(sync_items[0], quantity=2)
        order.add(async_items[0])
        order.set_addresses(shipping="home", billing="home", contact="home")
        assert order.addresses["shipping"]["City"] == "Greenbelt"
        assert {short(i.provider_id): i.quantity for i in order.items} == {"SYNC": 2, "ASYNC": 1}
        assert order.validate() == []
        order.quote()
        order.wait_for("QUOTED")
        quotes = {short(po.provider_id): po.quote.total_price for po in order.provider_orders}
        assert quotes == {"SYNC": Decimal("20.00"), "ASYNC": Decimal("10.00")}
        order.submit()
        order.wait_for("CLOSED")
        for po in order.provider_orders:
            assert po.closed and po.acceptance.total_price
            assert po.access_urls[0].startswith(sim.url().rstrip("/"))
        assert any(po.tracking_id.startswith("S-") for po in order.provider_orders)
        assert {m.source for m in order.history()} == {"broker", "client", "partner"}
        assert [o.order_id for o in session.orders.list("CLOSED")] == [order.order_id]
        assert session.orders.get(order.order_id).states == order.states
        with pytest.raises(IllegalStateChange):
            order.submit()
        assert sorted(short(i.provider_id) for i in session.orders.items(order.order_id)) == [
            "ASYNC",
            "SYNC",
        ]
    callbacks = sim.callbacks(shop.providers[1])
    assert [c.operation for c in callbacks if c.ok] == [
        "SupplyProviderQuote",
        "AcceptProviderOrderSubmission",
        "CloseProviderOrder",
    ]


def test_options_with_an_encrypted_value(shop, sim):
    items = shop.partner("OPTS", sim, Behaviour(process_time=0.2))
    provider_id = shop.providers[0]
    shop.start_worker()
    desk = Session(shop.url)
    desk.login(f"{provider_id.lower()}-desk", PASSWORD)
    desk.provider_context(provider_id)
    assert desk.provider_profile.set_option_definition(MEDIA_TYPE) == MEDIA_TYPE
    desk.remove()
    with Session(shop.url) as session:
        session.login(shop.username, PASSWORD)
        (shown,) = session.orders.option_definitions(items[0])[items[0]]
        assert shown == MEDIA_TYPE
        order = session.orders.create()
        with pytest.raises(InvalidOptionSelection) as refused:
            order.add(items[0], options=ftp_push(password="x" * 51, compressed="Zip"))
        words = refused.value.message
        assert "MediaType/FTPPush/Compressed: 'Zip' is not one of UnixCompress, GZip" in words
        assert "MediaType/FTPPush/Password" in words and "x" * 51 not in words
        order.add(items[0], options=ftp_push())
        (chosen,) = order.items
        assert chosen.options["MediaType"]["FTPPush"]["Password"] == MASK
        assert chosen.options["MediaType"]["FTPPush"]["Compressed"] == "GZip"
        order.update(items[0], options={"MediaType": {"CD": {"Copies": 2}}})
        assert order.items[0].options == {"MediaType": {"CD": {"Copies": "2"}}}
        order.update(items[0], options=ftp_push())
        order.submit()
        order.wait_for("CLOSED")
        assert SECRET not in repr(order)
    (received,) = sim.received(provider_id)
    assert SECRET in received.line_items[0].option_selection  # the partner alone sees it


def test_a_partner_reports_through_provider_order_management(live, db, session, tmp_path):
    ids = partner(db, session, tmp_path, "ASYNCP", endpoint="http://127.0.0.1:9/", mode="async")
    user(session, "mia")
    buyer = logged_in(live, "mia")
    desk = logged_in(live, "asyncp-ops")
    desk.provider_context("ASYNCP")
    order = buyer.orders.create()
    order.add(ids[1])
    order.quote()  # no worker runs: the request waits, the partner answers by hand
    assert order.states == {"ASYNCP": "QUOTING"}
    reported = desk.provider_orders.supply_quote(
        order.order_id, "7.25", "2099-01-01T00:00:00Z", tracking_id="AS-1", data_cost="7.25"
    )
    assert (reported.state, reported.tracking_id) == ("QUOTED", "AS-1")
    assert reported.quote.total_price == Decimal("7.25")
    assert order.wait_for("QUOTED").provider_orders[0].quote.data_cost == Decimal("7.25")
    order.submit()
    desk.provider_orders.accept_submission(
        order.order_id, "7.25", estimated_ship_date="2099-01-02", message="on its way"
    )
    desk.provider_orders.add_status_message(order.order_id, "half done")
    with pytest.raises(IllegalStateChange):
        desk.provider_orders.update_state(order.order_id, "QUOTED")
    listed = desk.provider_orders.list("PROCESSING")
    assert [po.order_id for po in listed] == [order.order_id]
    assert listed[0].items[0].catalog_item_id == ids[1]
    closed = desk.provider_orders.close(
        order.order_id, "done", access_urls=["https://data.example.org/1"]
    )
    assert closed.closed and closed.access_urls == ["https://data.example.org/1"]
    messages = [m.message for m in order.history()]
    assert "half done" in messages and "done" in messages
    with pytest.raises(WaitFailed, match="will not become QUOTED"):
        order.wait_for("QUOTED")
    # The refusals: a quote rejected, a submission rejected, a cancellation both ways.
    second = buyer.orders.create()
    second.add(ids[1])
    second.quote()
    desk.provider_orders.reject_quote(second.order_id, "too big")
    assert second.refresh().states == {"ASYNCP": "QUOTE_REJECTED"}
    rejected = buyer.orders.create()
    rejected.add(ids[1])
    rejected.submit()
    desk.provider_orders.reject_submission(rejected.order_id, "no")
    assert rejected.refresh().states == {"ASYNCP": "SUBMIT_REJECTED"}
    third = buyer.orders.create()
    third.add(ids[1])
    third.submit()
    desk.provider_orders.accept_submission(third.order_id, "1")
    third.cancel()
    desk.provider_orders.reject_cancellation(third.order_id, "already shipped")
    assert third.refresh().states == {"ASYNCP": "PROCESSING"}
    third.cancel("ASYNCP")
    desk.provider_orders.accept_cancellation(third.order_id, "stopped")
    assert third.refresh().states == {"ASYNCP": "CANCELLED"}
    fifth = buyer.orders.create()
    fifth.add(ids[1])
    fifth.submit()
    desk.provider_orders.accept_submission(fifth.order_id, "1")
    moved = desk.provider_orders.update_state(fifth.order_id, "CLOSED", message="by update")
    assert (moved.state, moved.closed) == ("CLOSED", True)
    assert fifth.history()[-1].message == "by update"
    fourth = buyer.orders.create()
    fourth.add(ids[1])
    fourth.remove(ids[1])
    assert fourth.items == []
    fourth.add(ids[1], quantity=3)
    fourth.delete()
    with pytest.raises(NotFound):
        buyer.orders.get("00000000-0000-0000-0000-000000000000")
    with pytest.raises(InvalidValue, match="is not a whole number from 1 to 10000"):
        fourth.add(ids[1], quantity=0)
