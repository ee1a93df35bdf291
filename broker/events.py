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


def record(session: Session, done: list[tuple[ProviderOrder, Change]]) -> None:
    """Apply the changes (``broker.changes``) at once and show each on its provider order, which
    the ORM holds."""
    recorded = changes.apply(session, [change for _, change in done])
    for po, change in done:
        if change.state is not None:
            set_committed_value(po, "state", change.state)
        for column, value in change.columns.items():
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
    record(session, [(po, done)])


def moved(
    po: ProviderOrder,
    event: Event,
    *,
    order: Order | None = None,
    message: str | None = None,
    source: str = "broker",
    columns: dict[str, Any] | None = None,
) -> Change:
    """The change ``event`` makes (IllegalStateChange, 409, when its edge does not exist): the
    next state, its status message, the columns given, the partner request the event sends."""
    done = change(po, next_state(po.state, event, order=label(po, order)), **(columns or {}))
    done.say(source, message or DEFAULT_MESSAGES.get(event, event.value))
    done.request = REQUEST_OF.get(event)
    return done


def move(session: Session, po: ProviderOrder, event: Event, **how: Any) -> S:
    """Take ``event``'s edge (see :func:`moved`) and record it; the provider order's new state."""
    record(session, [(po, moved(po, event, **how))])
    return po.state


def move_all(session: Session, pos: list[ProviderOrder], event: Event, **how: Any) -> None:
    """Take ``event``'s edge for every provider order, or for none (the first 409 is raised
    before anything is recorded)."""
    record(session, [(po, moved(po, event, **how)) for po in pos])
