"""What a partner's word does to a provider order, whether it comes as a sync answer to the
broker's request (worked out here as a ``broker.changes.Change``, applied by the dispatcher in
bulk) or
later through ProviderOrderManagementService (async partners, :func:`partner_event`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from broker.changes import Change
from broker.events import change, move, record
from broker.models import Order, ProviderOrder
from broker.models import ProviderOrderState as S
from broker.partner import Answer
from broker.states import Event, next_state
from clearinghouse.accounts.models import Transaction

#: The state a request leaves its provider order in until the partner answers.
WAITING = {
    Transaction.QUOTE: S.QUOTING,
    Transaction.SUBMIT: S.SUBMITTING,
    Transaction.CANCEL: S.CANCELLING,
}
FAILED = {
    Transaction.QUOTE: Event.QUOTE_FAILED,
    Transaction.SUBMIT: Event.SUBMIT_FAILED,
    Transaction.CANCEL: Event.CANCEL_FAILED,
}
EVENTS = {
    "ProviderQuote": Event.SUPPLY_QUOTE,
    "QuoteRejection": Event.REJECT_QUOTE,
    "ProviderOrderAcceptance": Event.ACCEPT_SUBMISSION,
    "SubmissionRejection": Event.REJECT_SUBMISSION,
    "CancellationAcceptance": Event.ACCEPT_CANCELLATION,
    "CancellationRejection": Event.REJECT_CANCELLATION,
}
DEFAULT_MESSAGES = {
    Event.SUPPLY_QUOTE: "quoted",
    Event.REJECT_QUOTE: "quote rejected by the partner",
    Event.ACCEPT_SUBMISSION: "accepted by the partner",
    Event.REJECT_SUBMISSION: "rejected by the partner",
    Event.ACCEPT_CANCELLATION: "cancelled by the partner",
    Event.REJECT_CANCELLATION: "the partner refused the cancellation and goes on processing",
    Event.CLOSE: "closed by the partner",
}


def event_message(event: Event, message: str | None, reason: str | None) -> str:
    text = message or DEFAULT_MESSAGES.get(event, event.value)
    return f"{text}: {reason}" if reason else text


def details_columns(event: Event, details: dict[str, Any] | None) -> dict[str, Any]:
    """The provider order columns a quote or an acceptance sets."""
    if not details:
        return {}
    if event is Event.SUPPLY_QUOTE:
        return {
            "quote": details,
            "total_price": Decimal(details["TotalPrice"]),
            "quote_expires_at": datetime.fromisoformat(details["QuoteExpirationDate"]),
        }
    if event is Event.ACCEPT_SUBMISSION:
        return {"acceptance": details, "total_price": Decimal(details["TotalPrice"])}
    return {}


def answered(state: S, tracking_id: str | None, transaction: Transaction, answer: Answer) -> Change:
    """A partner's answer to one of the broker's requests. An outcome arriving after the order
    moved on (an async partner called back first, say) is noted and ignored."""
    change = Change(state)
    replaced = new_tracking_id(tracking_id, answer.tracking_id)
    if replaced:
        change.columns["tracking_id"] = replaced
        change.say("partner", tracking_message(replaced))
    for message in answer.messages:
        change.say("partner", message)
    if answer.outcome is None:  # an async acknowledgement: the outcome comes later
        return change
    if state is not WAITING[transaction]:
        change.say("broker", f"a late {answer.outcome} was ignored: the order is {state.value}")
        return change
    event = EVENTS[answer.outcome]
    change.state = next_state(state, event)
    change.columns.update(details_columns(event, answer.details))
    change.say("partner", event_message(event, None, answer.reason))
    return change


def failed(state: S, transaction: Transaction, why: str) -> Change:
    """The request could not be delivered (every retry used, or the answer was unusable)."""
    change = Change(state)
    verb = transaction.value.lower()
    if state is not WAITING[transaction]:
        change.say(
            "broker",
            f"the {verb} request failed ({why}) after the order had moved on to {state.value}",
        )
        return change
    change.state = next_state(state, FAILED[transaction])
    tail = "; the partner goes on processing" if transaction is Transaction.CANCEL else ""
    change.say("broker", f"the {verb} request failed: {why}{tail}")
    return change


def new_tracking_id(current: str | None, given: str | None) -> str | None:
    """The partner's own tracking id, when it gives one other than the current (seed slide 73)."""
    given = (given or "")[:200]
    return given if given and given != current else None


def tracking_message(tracking_id: str) -> str:
    return f"the partner's tracking id is {tracking_id}"


def track(session: Session, po: ProviderOrder, tracking_id: str | None) -> None:
    """A tracking id given in a ProviderOrderManagementService call."""
    replaced = new_tracking_id(po.tracking_id, tracking_id)
    if replaced:
        done = change(po, tracking_id=replaced)
        done.say("partner", tracking_message(replaced), po.state)
        record(session, [(po, done)])


def partner_event(
    session: Session,
    po: ProviderOrder,
    event: Event,
    *,
    order: Order | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    """Apply one partner event reported through ProviderOrderManagementService: the state change
    (409 when not allowed) and what it carries."""
    move(
        session,
        po,
        event,
        order=order,
        message=event_message(event, message, reason),
        source="partner",
        columns=details_columns(event, details),
    )
