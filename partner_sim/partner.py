"""One simulated partner: how it behaves, what it received, answered and called back, and what it
decides to do with a request."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from partner_sim.documents import RESPONSES, LineItem, Outcome, iso, money


@dataclass
class Behaviour:
    """How one simulated partner behaves."""

    mode: Literal["sync", "async"] = "sync"
    #: Probability that a request is refused with 503 (a transient failure).
    fail_rate: float = 0.0
    #: Seconds to wait before answering (503 refusals are immediate).
    delay: float = 0.0
    #: Transactions to reject: "QUOTE", "SUBMIT", "CANCEL".
    reject: set[str] = field(default_factory=set)
    #: Transactions answered with 501 Not Implemented.
    unsupported: set[str] = field(default_factory=set)
    #: When set, the first answer for an order replaces its tracking id with f"{prefix}{n}".
    tracking_prefix: str | None = None
    #: Seconds between accepting a submission and closing the order.
    process_time: float = 1.0
    #: Seconds between acknowledging a request and reporting its outcome (async mode).
    callback_delay: float = 0.1
    #: A time.monotonic() instant before which every request is refused with 503.
    down_until: float | None = None
    #: Seconds from the first request on during which every request is refused with 503 (a
    #: partner found down, whenever the first request comes).
    down_for: float | None = None
    #: Price per unit of line item quantity.
    price: Decimal = Decimal("10.00")
    seed: int = 0
    #: Attempts per callback (connection errors and 5xx are retried), and the wait between them.
    callback_attempts: int = 5
    callback_retry_wait: float = 0.1
    #: Seconds to wait for the broker's answer to a callback.
    callback_timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.mode not in ("sync", "async"):
            raise ValueError(f"mode must be sync or async, not {self.mode!r}")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        self.reject = {name.upper() for name in self.reject}
        self.unsupported = {name.upper() for name in self.unsupported}
        for name in self.reject | self.unsupported:
            if name not in RESPONSES:
                raise ValueError(f"unknown transaction {name!r}: QUOTE, SUBMIT or CANCEL")
        self.price = Decimal(self.price)


@dataclass(frozen=True)
class Received:
    """One request handled by a partner (duplicates of its RequestId are only counted)."""

    provider_id: str
    transaction: str  # QUOTE, SUBMIT or CANCEL
    request_id: str
    echo_order_id: str
    provider_tracking_id: str  # as the broker sent it
    user_id: str
    line_items: tuple[LineItem, ...]
    status: int  # of the answer
    at: float  # time.monotonic()


@dataclass(frozen=True)
class Callback:
    """One attempt at one call into the broker's ProviderOrderManagementService."""

    provider_id: str
    operation: str  # e.g. SupplyProviderQuote, CloseProviderOrder
    echo_order_id: str
    attempt: int  # 1, 2...
    status: int | None  # HTTP status of /echo/perform; None: no answer or login failed
    error: str | None
    body: bytes  # the ProviderOrderManagementService document sent
    at: float  # time.monotonic()

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Order:
    tracking_id: str
    line_items: tuple[LineItem, ...] = ()
    state: str = "OPEN"  # OPEN, PROCESSING, CANCELLED, CLOSED


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


class Partner:
    """The state of one simulated partner: what it received, answered and called back."""

    def __init__(
        self,
        provider_id: str,
        behaviour: Behaviour,
        broker_url: str | None,
        username: str | None,
        password: str | None,
    ):
        self.provider_id = provider_id
        self.behaviour = behaviour
        self.broker_url = broker_url.rstrip("/") if broker_url else None
        self.username = username
        self.password = password
        self.random = random.Random(behaviour.seed)
        self.lock = threading.Lock()
        self.answers: dict[str, Answer] = {}
        self.orders: dict[str, Order] = {}
        self.received: list[Received] = []
        self.duplicates: dict[str, int] = {}
        self.callbacks: list[Callback] = []
        self.counts = dict.fromkeys(
            ("requests", "handled", "duplicates", "refused", "invalid", "unsupported"), 0
        )
        self.logins = 0
        self._tracking_numbers = itertools.count(1)
        self._session_lock = threading.Lock()
        self._token: str | None = None

    @property
    def calls_back(self) -> bool:
        return bool(self.broker_url and self.username and self.password is not None)

    def tracking_for(self, echo_order_id: str, sent: str) -> Order:
        """The order's record, created with its tracking id on first sight (lock held)."""
        order = self.orders.get(echo_order_id)
        if order is None:
            prefix = self.behaviour.tracking_prefix
            tracking = f"{prefix}{next(self._tracking_numbers)}" if prefix else sent
            order = self.orders[echo_order_id] = Order(tracking_id=tracking)
        return order

    # -- the broker's ECHO API

    def token(self, login: Callable[[], str]) -> str:
        """A session acting for this provider, logging in (``login``) when there is none."""
        with self._session_lock:
            if self._token is None:
                self._token = login()
            return self._token

    def forget(self, token: str) -> None:
        with self._session_lock:
            if self._token == token:
                self._token = None


def refuses(partner: Partner) -> bool:
    """Whether this request meets a down or failing partner (and counts it)."""
    behaviour = partner.behaviour
    with partner.lock:
        partner.counts["requests"] += 1
        now = time.monotonic()
        if behaviour.down_for is not None and behaviour.down_until is None:
            behaviour.down_until = now + behaviour.down_for
        down = behaviour.down_until is not None and now < behaviour.down_until
        failed = behaviour.fail_rate > 0 and partner.random.random() < behaviour.fail_rate
        if down or failed:
            partner.counts["refused"] += 1
            return True
    return False


def decide(
    partner: Partner,
    transaction: str,
    record: Order,
    line_items: tuple[LineItem, ...],
) -> Outcome:
    """What the partner does with the request (lock held)."""
    behaviour = partner.behaviour
    now = datetime.now(UTC)
    total = sum((behaviour.price * item.quantity for item in line_items), Decimal(0))
    rejected = transaction in behaviour.reject
    if transaction == "QUOTE":
        if rejected:
            return Outcome(
                "RejectProviderQuote", "QuoteRejection", "quote rejected by the simulator"
            )
        return Outcome(
            "SupplyProviderQuote",
            "ProviderQuote",
            message="quoted by the simulator",
            prices=[
                ("TotalPrice", money(total)),
                ("DataCost", money(total)),
                ("QuoteExpirationDate", iso(now + timedelta(days=1))),
            ],
        )
    if transaction == "SUBMIT":
        if rejected:
            return Outcome(
                "RejectProviderOrderSubmission",
                "SubmissionRejection",
                "submission rejected by the simulator",
            )
        record.state = "PROCESSING"
        ship = now + timedelta(seconds=behaviour.process_time) + timedelta(days=1)
        return Outcome(
            "AcceptProviderOrderSubmission",
            "ProviderOrderAcceptance",
            message="accepted by the simulator",
            prices=[
                ("latestCancelDate", iso(now + timedelta(seconds=behaviour.process_time))),
                ("estimatedShipDate", iso(ship)),
                ("additionalInformation", "simulated order"),
                ("TotalPrice", money(total)),
                ("DataCost", money(total)),
            ],
            starts_processing=True,
        )
    if rejected:
        reason = "cancellation rejected by the simulator"
    elif record.state == "CLOSED":
        reason = "the order is already closed"
    else:
        record.state = "CANCELLED"
        return Outcome(
            "AcceptProviderOrderCancellation",
            "CancellationAcceptance",
            message="cancelled by the simulator",
        )
    return Outcome("RejectProviderOrderCancellation", "CancellationRejection", reason)
