"""Moving a provider order: one state change, its status message, and the partner request it
causes, all in the caller's transaction (CONTRACT §7.2: a crash never loses a request, and a
request is never recorded without its state change)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from broker import partner
from broker.models import DispatchRequest, Order, OrderItem, ProviderOrder, StatusMessage
from broker.models import ProviderOrderState as S
from broker.states import Event, next_state
from clearinghouse.accounts.models import Transaction

#: Workers LISTEN here; the payload is unused (any worker may take any request).
CHANNEL = "clearinghouse_dispatch"

DEFAULT_MESSAGES = {
    Event.EDIT: "items or addresses changed",
    Event.VALIDATE: "validated",
    Event.QUOTE: "quote requested",
    Event.SUBMIT: "submitted",
    Event.CANCEL: "cancellation requested",
    Event.DELETE: "deleted",
}

#: The request each client event sends to the partner.
REQUEST_OF = {
    Event.QUOTE: Transaction.QUOTE,
    Event.SUBMIT: Transaction.SUBMIT,
    Event.CANCEL: Transaction.CANCEL,
}


def label(po: ProviderOrder, order: Order | None = None) -> str:
    guid = f" of order {order.guid}" if order is not None else ""
    return f"the provider order of {po.provider_id}{guid}"


def note(
    session: Session,
    po: ProviderOrder,
    message: str,
    *,
    source: str = "broker",
    state: S | None = None,
) -> None:
    session.add(
        StatusMessage(
            provider_order_id=po.id, state=state or po.state, source=source, message=message[:4000]
        )
    )


def move(
    session: Session,
    po: ProviderOrder,
    event: Event,
    *,
    order: Order | None = None,
    message: str | None = None,
    source: str = "broker",
) -> S:
    """Take ``event``'s edge from the provider order's state (409 when there is none); record
    the status message; record the partner request the event sends, if any."""
    po.state = next_state(po.state, event, order=label(po, order))
    note(session, po, message or DEFAULT_MESSAGES.get(event, event.value), source=source)
    transaction = REQUEST_OF.get(event)
    if transaction is not None:
        enqueue(session, po, transaction, order or session.get(Order, po.order_id))
    return po.state


def enqueue(session: Session, po: ProviderOrder, transaction: Transaction, order: Order) -> None:
    session.flush()
    request_id = uuid.uuid4()
    items = session.execute(
        select(OrderItem.catalog_item_id, OrderItem.quantity, OrderItem.option_selection)
        .where(OrderItem.provider_order_id == po.id)
        .order_by(OrderItem.id)
    ).all()
    payload = partner.build_request(
        transaction,
        request_id=str(request_id),
        provider_id=po.provider_id,
        order_guid=str(order.guid),
        tracking_id=po.tracking_id or str(order.guid),
        user=user_information(order),
        items=[tuple(item) for item in items],
    )
    session.add(
        DispatchRequest(
            provider_order_id=po.id,
            provider_id=po.provider_id,
            transaction=transaction,
            request_id=request_id,
            payload=payload,
        )
    )
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def user_information(order: Order) -> dict[str, Any]:
    return dict(order.user_information or {})
