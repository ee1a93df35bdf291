"""The broker's typed API (``broker.api``) called as a door calls it: values in, values and typed
errors out, no XML; the one applier of state changes and the announcements the doors hear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from broker import announce
from broker import api as broker
from broker.models import DispatchRequest, StatusMessage
from broker.secrets import option_cipher
from clearinghouse.accounts.models import User
from clearinghouse.accounts.sessions import Caller
from clearinghouse.errors import InvalidValue
from clearinghouse.oseo.models import OseoOrder
from tests.api_support import performed, user
from tests.broker_support import MEDIA_TYPE, PROFILE, SECRET, drain, partner, provider_token
from tests.conftest import ephemeral_port


@pytest.fixture
def shop(client, db, session, tmp_path):
    """A partner with the MediaType option (its endpoint refuses connections) and a buyer."""
    refusing = f"http://127.0.0.1:{ephemeral_port()}/partner"  # nothing listens there
    items = partner(db, session, tmp_path, "VALS", endpoint=refusing, retry_attempts=0)
    token = provider_token(client, "VALS")
    performed(
        client,
        token,
        PROFILE,
        f"<SetOptionDefinitionRequest>{MEDIA_TYPE}</SetOptionDefinitionRequest>",
    )
    name = user(session, "vic")
    return items, session.scalar(select(User).where(User.username == name))


def caller_of(person: User) -> Caller:
    return Caller(user_id=person.id, username=person.username, client_id="values")


def push(compressed: str = "GZip") -> list[broker.Selection]:
    fields = {"FTPDir": "/in", "UserName": "vic", "Password": SECRET, "Compressed": compressed}
    ftp = broker.Selection(
        "FTPPush",
        children=tuple(broker.Selection(name, values=(value,)) for name, value in fields.items()),
    )
    return [broker.Selection("MediaType", children=(ftp,))]


def wanted(catalog_item_id: str) -> broker.NewItem:
    return broker.NewItem(catalog_item_id, 1, push())


@pytest.fixture
def heard():
    """Every announcement made while the test runs."""
    got: list[announce.Changed] = []

    def listener(session, changed):
        got.append(changed)

    announce.subscribe(listener)
    yield got
    announce.unsubscribe(listener)


def test_items_and_options_go_in_as_values(shop, session, settings):
    items, person = shop
    cipher = option_cipher(settings)
    order = broker.create_order(session, caller_of(person), person)
    [row] = broker.add_items(
        session, caller_of(person), order, [broker.NewItem(items[1], 2, push())], cipher
    )
    assert row.quantity == 2
    [media] = row.option_selection
    stored = {n["name"]: n["values"] for n in media["children"][0]["children"]}
    assert stored["Compressed"] == ["GZip"] and stored["Password"] != [SECRET]  # sealed


def test_an_option_refused_names_its_item_and_path_as_fields(shop, session, settings):
    items, person = shop
    order = broker.create_order(session, caller_of(person), person)
    with pytest.raises(broker.InvalidOptionSelection) as caught:
        broker.add_items(
            session,
            caller_of(person),
            order,
            [broker.NewItem(items[1], 1, push("Zip"))],
            option_cipher(settings),
        )
    error = caught.value
    assert error.item == items[1]
    assert error.found == [
        broker.OptionProblem(
            "MediaType/FTPPush/Compressed", "'Zip' is not one of UnixCompress, GZip"
        )
    ]
    assert error.message == f"{items[1]}: MediaType/FTPPush/Compressed: " + error.found[0].text


def test_refusals_about_items_carry_the_items(shop, session, settings):
    items, person = shop
    cipher = option_cipher(settings)
    order = broker.create_order(session, caller_of(person), person)
    with pytest.raises(broker.ItemNotFound) as missing:
        broker.add_items(session, caller_of(person), order, [wanted("G999999999-VALS")], cipher)
    assert missing.value.items == ("G999999999-VALS",) and missing.value.status == 404
    broker.add_items(session, caller_of(person), order, [wanted(items[1])], cipher)
    with pytest.raises(broker.ItemConflict) as twice:
        broker.add_items(session, caller_of(person), order, [wanted(items[1])], cipher)
    assert twice.value.items == (items[1],) and twice.value.status == 409


def test_an_order_id_is_read_in_one_place(shop, session):
    _, person = shop
    with pytest.raises(InvalidValue) as caught:
        broker.find_order(session, caller_of(person), "nope")
    assert caught.value.message == "OrderId: 'nope' is not an order id"
    with pytest.raises(InvalidValue) as caught:
        broker.find_provider_order(session, "VALS", "nope", field="X/ECHOOrderID")
    assert caught.value.message == "X/ECHOOrderID: 'nope' is not an order id"


def test_shipping_to_an_address_and_the_quotes(shop, session, settings):
    items, person = shop
    cipher = option_cipher(settings)
    order = broker.create_order(session, caller_of(person), person)
    broker.add_items(session, caller_of(person), order, [wanted(items[0])], cipher)
    broker.validate_order(session, caller_of(person), order, cipher)
    broker.ship_to(
        session, order, broker.Address("Vic", "Tor", ("1 Main St",), "Oslo", country="NO")
    )
    assert order.user_information["ShippingAddress"] == {
        "FirstName": "Vic",
        "LastName": "Tor",
        "Street1": "1 Main St",
        "City": "Oslo",
        "Country": "NO",
    }
    [po] = broker.provider_orders(session, order)
    assert po.state.value == "NOT_VALIDATED"  # a validated order must be validated again
    [quote] = broker.quotes(session, order)
    assert (quote.provider_id, quote.state, quote.price) == ("VALS", po.state, None)


def test_client_and_worker_changes_go_through_one_applier(shop, db, session, settings, heard):
    items, person = shop
    cipher = option_cipher(settings)
    order = broker.create_order(session, caller_of(person), person)
    broker.add_items(session, caller_of(person), order, [wanted(items[0])], cipher)
    broker.submit_order(session, caller_of(person), order, cipher)
    [po] = broker.provider_orders(session, order)
    assert po.state.value == "SUBMITTING"
    assert heard[-1].order_ids == {order.id} and heard[-1].provider_order_ids == {po.id}
    request = session.scalar(
        select(DispatchRequest).where(DispatchRequest.provider_order_id == po.id)
    )
    assert request.transaction.value == "SUBMIT" and f"<ECHOOrderID>{order.guid}" in request.payload
    session.commit()
    before = len(heard)
    drain(db, settings)  # nobody answers, no retry: the worker records the failure
    assert [c.order_ids for c in heard[before:]] == [{order.id}]
    session.expire_all()
    assert broker.provider_orders(session, order)[0].state.value == "SUBMIT_FAILED"
    history = session.scalars(
        select(StatusMessage.message)
        .where(StatusMessage.provider_order_id == po.id)
        .order_by(StatusMessage.id)
    ).all()
    assert history[:3] == ["created", "validated", "submitted"]
    assert history[-1].startswith("the submit request failed: ")


def test_the_oseo_door_hears_of_changes_and_wakes_its_notifier(client, shop, session, settings):
    items, person = shop
    cipher = option_cipher(settings)
    later = datetime.now(UTC) + timedelta(hours=1)
    waiting = {}
    for attempts in (0, 3):
        order = broker.create_order(session, caller_of(person), person)
        broker.add_items(session, caller_of(person), order, [wanted(items[0])], cipher)
        extra = OseoOrder(
            order_id=order.id,
            kind="order",
            reply_to="http://127.0.0.1:9/news",
            status_notification="All",
            notify_pending=True,
            notify_attempts=attempts,
            next_notify_at=later,
        )
        session.add(extra)
        session.flush()
        broker.validate_order(session, caller_of(person), order, cipher)
        session.refresh(extra)
        waiting[attempts] = extra.next_notify_at
    assert waiting[0] is None  # looked at next
    assert waiting[3] == later  # a client whose callbacks fail keeps its back-off
