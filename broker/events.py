"""Moving a provider order the ORM holds (a client's transaction, a partner's callback): the
state change an event makes, its status message and the partner request it causes, recorded by
the one applier (``broker.changes``) in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from broker import changes
from broker.changes import Change
from broker.models import Order, ProviderOrder
from broker.models import ProviderOrderState as S
from broker.states import Event, next_state
from clearinghouse.accounts.models import Transaction

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


def change(po: ProviderOrder, state: S | None = None, **columns: Any) -> Change:
    """A change of the ORM's provider order ``po``, for :func:`record`."""
    return Change(state, columns, provider_order_id=po.id, order_id=po.order_id)


def record(session: Session, po: ProviderOrder, done: Change) -> None:
    """Apply ``done`` (``broker.changes``) and show it on ``po``, which the ORM holds."""
    recorded = changes.apply(session, [done])
    if done.state is not None:
        set_committed_value(po, "state", done.state)
    for column, value in done.columns.items():
        set_committed_value(po, column, value)
    if po.id in recorded.updated_at:
        set_committed_value(po, "updated_at", recorded.updated_at[po.id])


def note(
    session: Session,
    po: ProviderOrder,
    message: str,
    *,
    source: str = "broker",
    state: S | None = None,
) -> None:
    done = change(po)
    done.say(source, message, state or po.state)
    record(session, po, done)


def move(
    session: Session,
    po: ProviderOrder,
    event: Event,
    *,
    order: Order | None = None,
    message: str | None = None,
    source: str = "broker",
    columns: dict[str, Any] | None = None,
) -> S:
    """Take ``event``'s edge from the provider order's state (409 when there is none); record
    the status message, the columns given, and the partner request the event sends, if any."""
    done = change(po, next_state(po.state, event, order=label(po, order)), **(columns or {}))
    done.say(source, message or DEFAULT_MESSAGES.get(event, event.value))
    done.request = REQUEST_OF.get(event)
    record(session, po, done)
    return po.state
