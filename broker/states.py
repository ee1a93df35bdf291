"""The provider order state machine (CONTRACT §7.1), in one place.

Seed slide 72 draws it; the edges below are that drawing read as a table. Each edge is labelled by
the event (a client transaction, a partner's answer or callback, or the broker's own dispatch
outcome) that takes it. ``UpdateProviderOrderState``, the partner's and administrator's generic
transaction, may take any edge a partner event may take, except into QUOTED, which needs a quote.
"""

from __future__ import annotations

import enum

from broker.models import ProviderOrderState as S
from clearinghouse.errors import IllegalStateChange


class Event(enum.Enum):
    # The client (OrderEntryService).
    EDIT = "AddOrderItems/UpdateOrderItems/RemoveOrderItems"
    VALIDATE = "ValidateOrder"
    INVALIDATE = "ValidateOrder (failed)"
    QUOTE = "QuoteOrder"
    SUBMIT = "SubmitOrder"
    CANCEL = "CancelOrder"
    DELETE = "DeleteOrder"
    # The partner (its answer in sync mode, ProviderOrderManagementService in async mode).
    SUPPLY_QUOTE = "SupplyProviderQuote"
    REJECT_QUOTE = "RejectProviderQuote"
    ACCEPT_SUBMISSION = "AcceptProviderOrderSubmission"
    REJECT_SUBMISSION = "RejectProviderOrderSubmission"
    ACCEPT_CANCELLATION = "AcceptProviderOrderCancellation"
    REJECT_CANCELLATION = "RejectProviderOrderCancellation"
    CLOSE = "CloseProviderOrder"
    # The broker, when a request could not be delivered after every retry (or was answered
    # with something that is not an answer).
    QUOTE_FAILED = "quote not delivered"
    SUBMIT_FAILED = "submit not delivered"
    CANCEL_FAILED = "cancel not delivered"


_EDITABLE = (S.NOT_VALIDATED, S.VALIDATED, S.QUOTED, S.QUOTE_FAILED, S.QUOTE_REJECTED)

#: (state, event) -> next state.
TRANSITIONS: dict[tuple[S, Event], S] = {
    **{(state, Event.EDIT): S.NOT_VALIDATED for state in _EDITABLE},
    **{(state, Event.DELETE): S.DELETED for state in _EDITABLE},
    (S.NOT_VALIDATED, Event.VALIDATE): S.VALIDATED,
    (S.VALIDATED, Event.VALIDATE): S.VALIDATED,
    (S.NOT_VALIDATED, Event.INVALIDATE): S.NOT_VALIDATED,
    (S.VALIDATED, Event.INVALIDATE): S.NOT_VALIDATED,
    (S.VALIDATED, Event.QUOTE): S.QUOTING,
    (S.QUOTE_FAILED, Event.QUOTE): S.QUOTING,
    # A new quote, when the last one expired.
    (S.QUOTED, Event.QUOTE): S.QUOTING,
    (S.QUOTING, Event.SUPPLY_QUOTE): S.QUOTED,
    (S.QUOTING, Event.REJECT_QUOTE): S.QUOTE_REJECTED,
    (S.QUOTING, Event.QUOTE_FAILED): S.QUOTE_FAILED,
    # A quote is optional (seed slide 5): an order may be submitted without one.
    (S.VALIDATED, Event.SUBMIT): S.SUBMITTING,
    (S.QUOTED, Event.SUBMIT): S.SUBMITTING,
    (S.QUOTE_FAILED, Event.SUBMIT): S.SUBMITTING,
    (S.SUBMITTING, Event.ACCEPT_SUBMISSION): S.PROCESSING,
    (S.SUBMITTING, Event.REJECT_SUBMISSION): S.SUBMIT_REJECTED,
    (S.SUBMITTING, Event.SUBMIT_FAILED): S.SUBMIT_FAILED,
    (S.PROCESSING, Event.CANCEL): S.CANCELLING,
    (S.CANCELLING, Event.ACCEPT_CANCELLATION): S.CANCELLED,
    (S.CANCELLING, Event.REJECT_CANCELLATION): S.PROCESSING,
    # No failed state exists for a cancel: the partner goes on processing (and is told so).
    (S.CANCELLING, Event.CANCEL_FAILED): S.PROCESSING,
    (S.PROCESSING, Event.CLOSE): S.CLOSED,
    # The partner finished before it could act on the cancel.
    (S.CANCELLING, Event.CLOSE): S.CLOSED,
}

CLOSED = frozenset({S.DELETED, S.SUBMIT_FAILED, S.SUBMIT_REJECTED, S.CANCELLED, S.CLOSED})
OPEN = frozenset(S) - CLOSED

PARTNER_EVENTS = frozenset(
    {
        Event.REJECT_QUOTE,
        Event.ACCEPT_SUBMISSION,
        Event.REJECT_SUBMISSION,
        Event.ACCEPT_CANCELLATION,
        Event.REJECT_CANCELLATION,
        Event.CLOSE,
        Event.QUOTE_FAILED,
        Event.SUBMIT_FAILED,
    }
)

#: What UpdateProviderOrderState may do: (from, to) -> the event it stands for.
PARTNER_UPDATES: dict[tuple[S, S], Event] = {
    (state, target): event
    for (state, event), target in TRANSITIONS.items()
    if event in PARTNER_EVENTS
}


def next_state(state: S, event: Event, *, order: str = "the provider order") -> S:
    """The state ``event`` leads to from ``state``; IllegalStateChange (409) if none."""
    target = TRANSITIONS.get((state, event))
    if target is None:
        raise IllegalStateChange(
            f"{event.value} is not allowed: {order} is {state.value}" + _allowed_hint(state)
        )
    return target


def update_event(state: S, target: S, *, order: str = "the provider order") -> Event:
    """The partner event an UpdateProviderOrderState from ``state`` to ``target`` stands for."""
    event = PARTNER_UPDATES.get((state, target))
    if event is None:
        reachable = sorted(t.value for (s, t) in PARTNER_UPDATES if s is state)
        raise IllegalStateChange(
            f"{order} is {state.value} and cannot be moved to {target.value}"
            + (f"; from {state.value} it may go to {', '.join(reachable)}" if reachable else "")
        )
    return event


def _allowed_hint(state: S) -> str:
    if state in CLOSED:
        return " (a closed state)"
    events = sorted({e.value for (s, e) in TRANSITIONS if s is state})
    return f"; in {state.value} it allows {', '.join(events)}" if events else ""
