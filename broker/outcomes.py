"""What a partner's word does to a provider order, whether it comes as a sync answer to the
broker's request or later through ProviderOrderManagementService (async partners)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from broker.events import move, note
from broker.models import Order, ProviderOrder
from broker.models import ProviderOrderState as S
from broker.partner import Answer
from broker.states import Event
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


def track(session: Session, po: ProviderOrder, tracking_id: str | None) -> None:
    """The partner's own tracking id replaces the broker's (seed slide 73)."""
    if tracking_id and tracking_id != po.tracking_id:
        po.tracking_id = tracking_id[:200]
        note(session, po, f"the partner's tracking id is {po.tracking_id}", source="partner")


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
    """Apply one partner event: the state change (409 when not allowed) and what it carries."""
    text = message
    if reason:
        text = f"{text or 'rejected'}: {reason}" if text else f"rejected: {reason}"
    move(session, po, event, order=order, message=text, source="partner")
    if details is None:
        return
    if event is Event.SUPPLY_QUOTE:
        po.quote = details
        po.total_price = Decimal(details["TotalPrice"])
        po.quote_expires_at = datetime.fromisoformat(details["QuoteExpirationDate"])
    elif event is Event.ACCEPT_SUBMISSION:
        po.acceptance = details
        po.total_price = Decimal(details["TotalPrice"])


def apply_answer(
    session: Session, po: ProviderOrder, order: Order, transaction: Transaction, answer: Answer
) -> bool:
    """A partner's answer to one of the broker's requests. False when it came too late: the
    provider order has moved on (an async partner already called back, say)."""
    track(session, po, answer.tracking_id)
    for message in answer.messages:
        note(session, po, message, source="partner")
    if answer.outcome is None:  # an async acknowledgement: the outcome comes later
        return True
    if po.state is not WAITING[transaction]:
        note(session, po, f"a late {answer.outcome} was ignored: the order is {po.state.value}")
        return False
    partner_event(
        session,
        po,
        EVENTS[answer.outcome],
        order=order,
        details=answer.details,
        reason=answer.reason,
    )
    return True


def delivery_failed(
    session: Session, po: ProviderOrder, order: Order, transaction: Transaction, why: str
) -> None:
    """The request could not be delivered (every retry used, or the answer was unusable)."""
    if po.state is not WAITING[transaction]:
        note(
            session,
            po,
            f"the {transaction.value.lower()} request failed ({why}) after the"
            f" order had moved on to {po.state.value}",
        )
        return
    message = f"the {transaction.value.lower()} request failed: {why}"
    if transaction is Transaction.CANCEL:
        message += "; the partner goes on processing"
    move(session, po, FAILED[transaction], order=order, message=message)
