"""A partner simulator: a real HTTP server speaking the partner side of the order protocol.

The broker POSTs ``QuoteProviderOrderRequest``, ``SubmitProviderOrderRequest`` or
``CancelProviderOrderRequest`` (``dtd/PartnerRequest.dtd``) to a partner's endpoint (CONTRACT §7.2;
seed slides 73-80). A *sync* partner answers with the outcome (``dtd/PartnerAnswer.dtd``); an
*async* partner answers with the acknowledgement only and reports the outcome later by calling the
broker's ECHO API (login, provider context, ``ProviderOrderManagementService`` messages,
``dtd/ProviderOrderManagementService.dtd``). A partner that accepted a submission "processes" the
order and closes it after a while with ``CloseProviderOrderRequest``, unless a cancel came first.

One :class:`PartnerSimulator` serves several partners at once, each at ``/{ProviderID}`` with its
own :class:`Behaviour` (failure rate, delay, rejections, tracking ids...) and broker credentials,
so that one process can play every partner of a benchmark. It remembers the answer it gave to each
``RequestId`` and gives it again, without acting twice, when the broker retries.

Run it from the command line with ``clearinghouse partner-sim`` (:data:`partner_sim`), or embed it::

    with PartnerSimulator() as sim:
        sim.add_partner("ORNL", Behaviour(mode="sync"))
        endpoint = sim.url("ORNL")
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

import click
from lxml import etree

import dtd
from clearinghouse import xmlsafe
from clearinghouse.errors import ClearinghouseError, InvalidValue
from clearinghouse.inputs import whole_number

log = logging.getLogger(__name__)

#: The transactions a partner handles, by the root element of the broker's request.
TRANSACTIONS = {
    "QuoteProviderOrderRequest": "QUOTE",
    "SubmitProviderOrderRequest": "SUBMIT",
    "CancelProviderOrderRequest": "CANCEL",
}
_RESPONSES = {
    "QUOTE": "QuoteProviderOrderResponse",
    "SUBMIT": "SubmitProviderOrderResponse",
    "CANCEL": "CancelProviderOrderResponse",
}
#: A path of its own for a partner that answers for any ProviderID (see :meth:`add_partner`).
ANY_PROVIDER = "*"
#: Largest request accepted from the broker.
MAX_REQUEST_BYTES = 1024 * 1024
CLIENT_ID = "partner-sim"
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


def validate(element: etree._Element, dtd_name: str) -> str | None:
    """None when ``element`` is valid against ``dtd/{dtd_name}``, else the first error."""
    errors = dtd.validate(dtd_name, element)
    return str(errors[0]) if errors else None


def iso(instant: datetime) -> str:
    """ISO 8601 in UTC to the second: ``2026-11-24T16:00:00Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount: Decimal) -> str:
    return format(amount, "f")


# -- configuration and records -----------------------------------------------------------------


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
            if name not in _RESPONSES:
                raise ValueError(f"unknown transaction {name!r}: QUOTE, SUBMIT or CANCEL")
        self.price = Decimal(self.price)


@dataclass(frozen=True)
class LineItem:
    catalog_item_id: str
    quantity: int
    #: The OptionSelection element as received (XML text), or None.
    option_selection: str | None = None


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
class _Order:
    tracking_id: str
    line_items: tuple[LineItem, ...] = ()
    state: str = "OPEN"  # OPEN, PROCESSING, CANCELLED, CLOSED


@dataclass
class _Answer:
    status: int
    content_type: str
    body: bytes


class _Transient(Exception):
    """A call into the broker that may succeed when tried again (no answer, 5xx)."""


class _Refused(Exception):
    """A call into the broker refused for good (4xx other than an expired session)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


# -- one partner ---------------------------------------------------------------------------------


class _Partner:
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
        self._password = password
        self.random = random.Random(behaviour.seed)
        self.lock = threading.Lock()
        self.answers: dict[str, _Answer] = {}
        self.orders: dict[str, _Order] = {}
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
        return bool(self.broker_url and self.username and self._password is not None)

    def tracking_for(self, echo_order_id: str, sent: str) -> _Order:
        """The order's record, created with its tracking id on first sight (lock held)."""
        order = self.orders.get(echo_order_id)
        if order is None:
            prefix = self.behaviour.tracking_prefix
            tracking = f"{prefix}{next(self._tracking_numbers)}" if prefix else sent
            order = self.orders[echo_order_id] = _Order(tracking_id=tracking)
        return order

    # -- the broker's ECHO API

    def token(self, opener: urllib.request.OpenerDirector) -> str:
        """A session acting for this provider, logging in when there is none."""
        with self._session_lock:
            if self._token is None:
                self._token = self._login(opener)
            return self._token

    def forget(self, token: str) -> None:
        with self._session_lock:
            if self._token == token:
                self._token = None

    def _login(self, opener: urllib.request.OpenerDirector) -> str:
        login = etree.Element("Login")
        etree.SubElement(login, "UserName").text = self.username
        etree.SubElement(login, "Password").text = self._password
        etree.SubElement(login, "ClientId").text = CLIENT_ID
        status, body = _post(opener, f"{self.broker_url}/echo/login", login, None, self)
        if status >= 300:
            raise _Refused(f"login refused with HTTP {status}", status)
        try:
            token = xmlsafe.parse(body, max_bytes=MAX_REQUEST_BYTES).findtext("Token")
        except ClearinghouseError as exc:
            raise _Refused(f"login answer unreadable: {exc}") from None
        if not token:
            raise _Refused("login answer without a Token")
        self.logins += 1
        context = etree.Element("SetProviderContext")
        etree.SubElement(context, "ProviderId").text = self.provider_id
        status, _ = _post(opener, f"{self.broker_url}/echo/provider-context", context, token, self)
        if status >= 300:
            raise _Refused(f"provider context refused with HTTP {status}", status)
        return token


def _post(
    opener: urllib.request.OpenerDirector,
    url: str,
    document: etree._Element,
    token: str | None,
    partner: _Partner,
) -> tuple[int, bytes]:
    """POST one XML document; (status, body). A connection error or a 5xx raises _Transient."""
    headers = {"Content-Type": XML_TYPE}
    if token:
        headers["Echo-Token"] = token
    request = urllib.request.Request(
        url, data=xmlsafe.tostring(document), headers=headers, method="POST"
    )
    try:
        with opener.open(request, timeout=partner.behaviour.callback_timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise _Transient(f"no answer from {urlsplit(url).path}: {exc}") from None
    if status >= 500:
        raise _Transient(f"HTTP {status} from {urlsplit(url).path}")
    return status, body


# -- the callback worker -------------------------------------------------------------------------


class _Scheduler:
    """Jobs run at their due time on a few worker threads (never in an HTTP handler)."""

    def __init__(self, workers: int):
        self._workers = workers
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._running = 0
        self._stopped = False
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stopped = False
        for n in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"partner-sim-callback-{n}")
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def submit(self, delay: float, job: Callable[[], None]) -> None:
        with self._cond:
            if self._stopped:
                return
            heapq.heappush(self._heap, (time.monotonic() + max(delay, 0.0), next(self._seq), job))
            self._cond.notify()

    def idle(self) -> bool:
        with self._cond:
            return not self._heap and not self._running

    def _work(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        _, _, job = heapq.heappop(self._heap)
                        self._running += 1
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
            try:
                job()
            except Exception:
                log.exception("a partner simulator callback failed")
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()


# -- the HTTP side -------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    simulator: PartnerSimulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK (40 ms a request on Linux).
    disable_nagle_algorithm = True
    server_version = "partner-sim"
    timeout = 30  # idle keep-alive connections

    def log_message(self, fmt: str, *args: Any) -> None:
        log.debug("%s " + fmt, self.address_string(), *args)

    def do_POST(self) -> None:
        self.server.simulator._serve_post(self)

    def do_GET(self) -> None:
        self.server.simulator._serve_get(self)

    def send(self, status: int, content_type: str, body: bytes, *, close: bool = False) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the broker gave up waiting
            self.close_connection = True


class _Reply(Exception):
    """Answer the current request with this (a refusal, a bad request)."""

    def __init__(self, status: int, reason: str, *, close: bool = False):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.close = close


# -- the simulator -------------------------------------------------------------------------------


class PartnerSimulator:
    """A threaded HTTP server on loopback playing one or more partners, each at /{ProviderID}."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, callback_workers: int = 4):
        self.host = host
        self.port = port
        self._templates: dict[str, tuple[Behaviour, str | None, str | None, str | None]] = {}
        self._partners: dict[str, _Partner] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._scheduler = _Scheduler(callback_workers)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- set-up

    def add_partner(
        self,
        provider_id: str,
        behaviour: Behaviour,
        *,
        broker_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        """Play ``provider_id`` at /{provider_id}. :data:`ANY_PROVIDER` plays every provider not
        added otherwise, at / and at /{ProviderID}, each with its own state and the same settings.

        Callbacks into the broker (async outcomes, CloseProviderOrder) are made only when
        ``broker_url``, ``username`` and ``password`` are all given.
        """
        if not provider_id or "/" in provider_id:
            raise ValueError(f"not a usable provider id: {provider_id!r}")
        with self._lock:
            if provider_id in self._templates:
                raise ValueError(f"partner {provider_id} is already added")
            self._templates[provider_id] = (behaviour, broker_url, username, password)
            if provider_id != ANY_PROVIDER:
                self._partners[provider_id] = _Partner(
                    provider_id, behaviour, broker_url, username, password
                )

    def _partner(self, provider_id: str) -> _Partner | None:
        with self._lock:
            partner = self._partners.get(provider_id)
            if partner is None and ANY_PROVIDER in self._templates:
                behaviour, url, user, password = self._templates[ANY_PROVIDER]
                behaviour = Behaviour(**vars(behaviour))  # a copy: sets are per partner
                partner = self._partners[provider_id] = _Partner(
                    provider_id, behaviour, url, user, password
                )
            return partner

    # -- running

    def start(self) -> PartnerSimulator:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.simulator = self
        self._server = server
        self.port = server.server_address[1]
        self._scheduler.start()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="partner-sim"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._scheduler.stop()

    def __enter__(self) -> PartnerSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, provider_id: str | None = None) -> str:
        """The endpoint of one partner (the root, for a simulator playing any provider)."""
        if provider_id is None or provider_id == ANY_PROVIDER:
            return f"{self.base_url}/"
        return f"{self.base_url}/{quote(provider_id, safe='')}"

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no callback is pending; False if some still are after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not self._scheduler.idle():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    # -- what happened

    def _each(self, provider_id: str | None) -> list[_Partner]:
        with self._lock:
            if provider_id is None:
                return list(self._partners.values())
            partner = self._partners.get(provider_id)
            return [partner] if partner else []

    def received(self, provider_id: str) -> list[Received]:
        """The requests handled for a partner, in order (a repeated RequestId only once)."""
        result: list[Received] = []
        for partner in self._each(provider_id):
            with partner.lock:
                result.extend(partner.received)
        return result

    def callbacks(self, provider_id: str) -> list[Callback]:
        """Every attempt at calling the broker back for a partner, with its HTTP status."""
        result: list[Callback] = []
        for partner in self._each(provider_id):
            with partner.lock:
                result.extend(partner.callbacks)
        return result

    def duplicates(self, provider_id: str) -> dict[str, int]:
        """RequestId -> how many times it came again after being handled."""
        result: dict[str, int] = {}
        for partner in self._each(provider_id):
            with partner.lock:
                result.update(partner.duplicates)
        return result

    def duplicate_count(self, provider_id: str | None = None) -> int:
        """Repeated RequestIds received by one partner (by all when None)."""
        return self._sum("duplicates", provider_id)

    def handled_request_ids(self, provider_id: str | None = None) -> set[str]:
        """The RequestIds acted upon, once each, by one partner (by all when None)."""
        ids: set[str] = set()
        for partner in self._each(provider_id):
            with partner.lock:
                ids.update(r.request_id for r in partner.received)
        return ids

    def stats(self, provider_id: str | None = None) -> dict[str, int]:
        """Counts of requests, handled, duplicates, refused (503), invalid (4xx), unsupported."""
        keys = ("requests", "handled", "duplicates", "refused", "invalid", "unsupported")
        result = {key: self._sum(key, provider_id) for key in keys}
        result["logins"] = sum(p.logins for p in self._each(provider_id))
        return result

    def _sum(self, key: str, provider_id: str | None) -> int:
        total = 0
        for partner in self._each(provider_id):
            with partner.lock:
                total += partner.counts[key]
        return total

    # -- serving the broker

    def _serve_get(self, handler: _Handler) -> None:
        parts = [unquote(p) for p in urlsplit(handler.path).path.split("/") if p]
        if len(parts) == 3 and parts[0] == "data":
            body = f"simulated data for {parts[2]} of order {parts[1]}\n".encode()
            handler.send(200, TEXT_TYPE, body)
        else:
            handler.send(404, TEXT_TYPE, b"no such thing\n")

    def _serve_post(self, handler: _Handler) -> None:
        started = time.monotonic()
        path = urlsplit(handler.path).path
        note = {"provider": "-", "transaction": "-", "request": "-", "order": "-"}
        try:
            status = self._answer(handler, path, note)
        except _Reply as reply:
            status = reply.status
            handler.send(status, TEXT_TYPE, f"{reply.reason}\n".encode(), close=reply.close)
            note.setdefault("reason", reply.reason)
        except Exception:
            log.exception("the partner simulator failed on a request")
            status = 500
            handler.send(status, TEXT_TYPE, b"internal error of the simulator\n", close=True)
        log.info(
            "%s %s %s RequestId=%s ECHOOrderID=%s -> %d%s (%.0f ms)",
            note["provider"],
            note["transaction"],
            path,
            note["request"],
            note["order"],
            status,
            f" {note['reason']}" if "reason" in note else "",
            (time.monotonic() - started) * 1000,
        )

    def _answer(self, handler: _Handler, path: str, note: dict[str, str]) -> int:
        segments = [unquote(p) for p in path.split("/") if p]
        if len(segments) > 1:
            raise _Reply(404, "no partner here: POST to /{ProviderID}", close=True)
        path_provider = segments[0] if segments else None
        with self._lock:
            known = path_provider in self._partners if path_provider else False
            wildcard = ANY_PROVIDER in self._templates
        if not known and not wildcard:
            raise _Reply(404, f"no partner at {path}", close=True)
        body = _read_body(handler)

        # Down or failing: refused before anything is looked at.
        partner = self._partner(path_provider) if path_provider else None
        if partner is not None and _refuses(partner):
            raise _Reply(503, "the partner is unavailable, try again later")

        try:
            root = xmlsafe.parse(body, max_bytes=MAX_REQUEST_BYTES)
        except ClearinghouseError as exc:
            self._count(partner, "invalid")
            raise _Reply(exc.status, f"{exc.code}: {exc}") from None
        transaction = TRANSACTIONS.get(root.tag) if isinstance(root.tag, str) else None
        if transaction is None:
            self._count(partner, "invalid")
            raise _Reply(400, f"not a partner request: <{root.tag}>")
        note["transaction"] = transaction
        error = validate(root, "PartnerRequest.dtd")
        if error:
            self._count(partner, "invalid")
            raise _Reply(400, f"not valid against PartnerRequest.dtd: {error}")
        request_id = (root.findtext("RequestId") or "").strip()
        order = root.find("Order")
        provider_id = (order.findtext("ProviderID") or "").strip()
        echo_order_id = (order.findtext("ECHOOrderID") or "").strip()
        note.update(provider=provider_id or "-", request=request_id, order=echo_order_id)
        if path_provider is not None and provider_id != path_provider:
            self._count(partner, "invalid")
            raise _Reply(400, f"Order/ProviderID {provider_id} is not {path_provider}")
        if not request_id or not echo_order_id or not provider_id:
            self._count(partner, "invalid")
            raise _Reply(400, "RequestId, ProviderID and ECHOOrderID must not be empty")

        if partner is None:  # POSTed at /: the partner is the order's
            partner = self._partner(provider_id)
            if partner is None:
                raise _Reply(404, f"no partner {provider_id} here")
            if _refuses(partner):
                raise _Reply(503, "the partner is unavailable, try again later")
        line_items = _line_items(order)
        if isinstance(line_items, str):
            self._count(partner, "invalid")
            raise _Reply(400, line_items)

        answer, duplicate = self._act(partner, transaction, request_id, order, line_items)
        if duplicate:
            note["reason"] = "(duplicate)"
        if partner.behaviour.delay > 0:
            time.sleep(partner.behaviour.delay)
        handler.send(answer.status, answer.content_type, answer.body)
        return answer.status

    def _count(self, partner: _Partner | None, key: str) -> None:
        if partner is not None:
            with partner.lock:
                partner.counts[key] += 1

    def _act(
        self,
        partner: _Partner,
        transaction: str,
        request_id: str,
        order: etree._Element,
        line_items: tuple[LineItem, ...],
    ) -> tuple[_Answer, bool]:
        """The answer to a request (the same again for a repeated RequestId), acting on it once."""
        behaviour = partner.behaviour
        echo_order_id = order.findtext("ECHOOrderID").strip()
        sent_tracking = (order.findtext("ProviderTrackingID") or "").strip()
        with partner.lock:
            earlier = partner.answers.get(request_id)
            if earlier is not None:
                partner.counts["duplicates"] += 1
                partner.duplicates[request_id] = partner.duplicates.get(request_id, 0) + 1
                return earlier, True
            if transaction in behaviour.unsupported:
                partner.counts["unsupported"] += 1
                answer = _Answer(
                    501, TEXT_TYPE, f"{transaction} is not supported by this partner\n".encode()
                )
                partner.answers[request_id] = answer
                return answer, False

            record = partner.tracking_for(echo_order_id, sent_tracking or echo_order_id)
            if transaction == "SUBMIT" and not record.line_items:
                record.line_items = line_items
            outcome = self._decide(partner, transaction, record, line_items)
            if behaviour.mode == "sync":
                reply = _response(transaction, echo_order_id, record.tracking_id, outcome)
            else:
                reply = _response(transaction, echo_order_id, record.tracking_id, None)
                if partner.calls_back:
                    callback = _callback_document(echo_order_id, record.tracking_id, outcome)
                    self._schedule(
                        partner,
                        behaviour.callback_delay,
                        outcome.operation,
                        callback,
                        echo_order_id,
                        then_close=outcome.starts_processing,
                    )
                else:
                    log.warning(
                        "%s: async outcome of %s for %s not reported: no broker configured",
                        partner.provider_id,
                        transaction,
                        echo_order_id,
                    )
            if behaviour.mode == "sync" and outcome.starts_processing:
                self._schedule_close(partner, echo_order_id)
            answer = _Answer(200, XML_TYPE, xmlsafe.tostring(reply))
            partner.answers[request_id] = answer
            partner.counts["handled"] += 1
            partner.received.append(
                Received(
                    provider_id=partner.provider_id,
                    transaction=transaction,
                    request_id=request_id,
                    echo_order_id=echo_order_id,
                    provider_tracking_id=sent_tracking,
                    user_id=(order.findtext("UserInformation/ECHOUserID") or "").strip(),
                    line_items=line_items,
                    status=200,
                    at=time.monotonic(),
                )
            )
            return answer, False

    def _decide(
        self,
        partner: _Partner,
        transaction: str,
        record: _Order,
        line_items: tuple[LineItem, ...],
    ) -> _Outcome:
        """What the partner does with the request (lock held)."""
        behaviour = partner.behaviour
        now = datetime.now(UTC)
        total = sum((behaviour.price * item.quantity for item in line_items), Decimal(0))
        rejected = transaction in behaviour.reject
        if transaction == "QUOTE":
            if rejected:
                return _Outcome(
                    "RejectProviderQuote", "QuoteRejection", "quote rejected by the simulator"
                )
            return _Outcome(
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
                return _Outcome(
                    "RejectProviderOrderSubmission",
                    "SubmissionRejection",
                    "submission rejected by the simulator",
                )
            record.state = "PROCESSING"
            ship = now + timedelta(seconds=behaviour.process_time) + timedelta(days=1)
            return _Outcome(
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
            return _Outcome(
                "AcceptProviderOrderCancellation",
                "CancellationAcceptance",
                message="cancelled by the simulator",
            )
        return _Outcome("RejectProviderOrderCancellation", "CancellationRejection", reason)

    # -- callbacks

    def _schedule(
        self,
        partner: _Partner,
        delay: float,
        operation: str,
        document: etree._Element,
        echo_order_id: str,
        *,
        then_close: bool = False,
    ) -> None:
        body = xmlsafe.tostring(document)
        after = (lambda: self._schedule_close(partner, echo_order_id)) if then_close else None
        job = _CallbackJob(self, partner, operation, echo_order_id, body, after)
        self._scheduler.submit(delay, job.run)

    def _schedule_close(self, partner: _Partner, echo_order_id: str) -> None:
        if not partner.calls_back:
            return

        def close() -> None:
            with partner.lock:
                record = partner.orders.get(echo_order_id)
                if record is None or record.state != "PROCESSING":
                    return  # cancelled meanwhile
                record.state = "CLOSED"
                items = record.line_items
            document = _close_document(
                echo_order_id, [self._data_url(echo_order_id, i) for i in items]
            )
            self._schedule(partner, 0, "CloseProviderOrder", document, echo_order_id)

        self._scheduler.submit(partner.behaviour.process_time, close)

    def _data_url(self, echo_order_id: str, item: LineItem) -> str:
        return (
            f"{self.base_url}/data/{quote(echo_order_id, safe='')}/"
            f"{quote(item.catalog_item_id, safe='')}"
        )


@dataclass
class _Outcome:
    operation: str  # the ProviderOrderManagementService transaction reporting it
    element: str  # the PartnerAnswer element
    reason: str | None = None  # of a rejection
    message: str | None = None  # StatusMessage
    prices: list[tuple[str, str]] = field(default_factory=list)
    starts_processing: bool = False

    def build(self) -> etree._Element:
        element = etree.Element(self.element)
        for name, value in self.prices:
            etree.SubElement(element, name).text = value
        if self.reason:
            etree.SubElement(element, "Reason").text = self.reason
        return element


class _CallbackJob:
    """One ProviderOrderManagementService message, tried until it gets through or gives up."""

    def __init__(
        self,
        simulator: PartnerSimulator,
        partner: _Partner,
        operation: str,
        echo_order_id: str,
        body: bytes,
        after: Callable[[], None] | None,
    ):
        self.simulator = simulator
        self.partner = partner
        self.operation = operation
        self.echo_order_id = echo_order_id
        self.body = body
        self.after = after
        self.attempt = 0

    def run(self) -> None:
        partner, behaviour = self.partner, self.partner.behaviour
        self.attempt += 1
        opener = self.simulator._opener
        url = f"{partner.broker_url}/echo/perform"
        status: int | None = None
        try:
            for relogin in (False, True):
                token = partner.token(opener)
                request = urllib.request.Request(
                    url,
                    data=self.body,
                    headers={"Content-Type": XML_TYPE, "Echo-Token": token},
                    method="POST",
                )
                status = self._send(opener, request, behaviour.callback_timeout)
                if status == 401 and not relogin:
                    self._record(status, "session expired: logging in again")
                    partner.forget(token)
                    continue
                break
        except _Transient as exc:
            self._record(status, str(exc))
            self._again()
            return
        except _Refused as exc:
            self._record(exc.status, str(exc))
            log.warning(
                "%s: %s for %s gave up: %s",
                partner.provider_id,
                self.operation,
                self.echo_order_id,
                exc,
            )
            return
        if status is not None and status >= 500:
            self._record(status, f"HTTP {status}")
            self._again()
            return
        ok = status is not None and 200 <= status < 300
        self._record(status, None if ok else f"HTTP {status}")
        if ok:
            log.info(
                "%s: %s for %s -> %d",
                partner.provider_id,
                self.operation,
                self.echo_order_id,
                status,
            )
            if self.after is not None:
                self.after()
        else:
            log.warning(
                "%s: %s for %s refused with HTTP %s",
                partner.provider_id,
                self.operation,
                self.echo_order_id,
                status,
            )

    def _send(
        self,
        opener: urllib.request.OpenerDirector,
        request: urllib.request.Request,
        timeout: float,
    ) -> int:
        try:
            with opener.open(request, timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            exc.read()
            return exc.code
        except (urllib.error.URLError, OSError) as exc:
            raise _Transient(f"no answer from the broker: {exc}") from None

    def _again(self) -> None:
        behaviour = self.partner.behaviour
        if self.attempt < behaviour.callback_attempts:
            self.simulator._scheduler.submit(behaviour.callback_retry_wait, self.run)
        else:
            log.warning(
                "%s: %s for %s gave up after %d attempts",
                self.partner.provider_id,
                self.operation,
                self.echo_order_id,
                self.attempt,
            )

    def _record(self, status: int | None, error: str | None) -> None:
        with self.partner.lock:
            self.partner.callbacks.append(
                Callback(
                    provider_id=self.partner.provider_id,
                    operation=self.operation,
                    echo_order_id=self.echo_order_id,
                    attempt=self.attempt,
                    status=status,
                    error=error,
                    body=self.body,
                    at=time.monotonic(),
                )
            )


# -- documents -----------------------------------------------------------------------------------


def _read_body(handler: _Handler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        raise _Reply(411, "send a Content-Length", close=True)
    try:
        length = int(handler.headers.get("Content-Length", ""))
    except ValueError:
        raise _Reply(411, "send a Content-Length", close=True) from None
    if length < 0:
        raise _Reply(400, "bad Content-Length", close=True)
    if length > MAX_REQUEST_BYTES:
        raise _Reply(413, f"at most {MAX_REQUEST_BYTES} bytes are accepted", close=True)
    return handler.rfile.read(length)


def _refuses(partner: _Partner) -> bool:
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


def _line_items(order: etree._Element) -> tuple[LineItem, ...] | str:
    """The order's line items, or what is wrong with them."""
    items = []
    for element in order.iterfind("OrderLineItem"):
        item_id = (element.findtext("CatalogItemID") or "").strip()
        text = (element.findtext("quantity") or "").strip()
        try:
            quantity = whole_number(text, 1, 2**31 - 1, where=f"quantity of {item_id}")
        except InvalidValue as error:
            return error.message
        if not item_id:
            return "a CatalogItemID is empty"
        selection = element.find("OptionSelection")
        raw = (
            etree.tostring(selection, encoding="unicode", with_tail=False)
            if selection is not None
            else None
        )
        items.append(LineItem(item_id, quantity, raw))
    return tuple(items)


def _response(
    transaction: str, echo_order_id: str, tracking_id: str, outcome: _Outcome | None
) -> etree._Element:
    """The partner's answer: the outcome (sync) or only the acknowledgement (outcome None)."""
    root = etree.Element(_RESPONSES[transaction])
    order = etree.SubElement(root, "Order")
    etree.SubElement(order, "ECHOOrderID").text = echo_order_id
    etree.SubElement(order, "ProviderTrackingID").text = tracking_id
    if outcome is not None:
        order.append(outcome.build())
        if outcome.message:
            etree.SubElement(order, "StatusMessage").text = outcome.message
    _check(root, "PartnerAnswer.dtd")
    return root


def _callback_document(echo_order_id: str, tracking_id: str, outcome: _Outcome) -> etree._Element:
    """The ProviderOrderManagementService message reporting an async outcome."""
    root = etree.Element("ProviderOrderManagementService")
    request = etree.SubElement(root, f"{outcome.operation}Request")
    etree.SubElement(request, "ECHOOrderID").text = echo_order_id
    if "Cancellation" not in outcome.operation:  # those carry no tracking id
        etree.SubElement(request, "ProviderTrackingID").text = tracking_id
    if outcome.element in ("ProviderQuote", "ProviderOrderAcceptance"):
        request.append(outcome.build())
    if outcome.reason:
        etree.SubElement(request, "Reason").text = outcome.reason
    if outcome.message:
        etree.SubElement(request, "StatusMessage").text = outcome.message
    _check(root, "ProviderOrderManagementService.dtd")
    return root


def _close_document(echo_order_id: str, urls: list[str]) -> etree._Element:
    root = etree.Element("ProviderOrderManagementService")
    request = etree.SubElement(root, "CloseProviderOrderRequest")
    etree.SubElement(request, "ECHOOrderID").text = echo_order_id
    etree.SubElement(request, "StatusMessage").text = "processed by the simulator"
    access = etree.SubElement(request, "OnlineAccessURLs")
    for url in urls:
        etree.SubElement(access, "URL").text = url
    _check(root, "ProviderOrderManagementService.dtd")
    return root


def _check(element: etree._Element, dtd_name: str) -> None:
    error = validate(element, dtd_name)
    if error:  # a bug of ours: never send it
        raise AssertionError(
            f"the simulator built a document not valid against {dtd_name}: {error}"
        )


# -- the command line ----------------------------------------------------------------------------


def read_password(path: str | Path) -> str:
    """The first line of a password file (never a password on the command line)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    return lines[0] if lines else ""


def run(
    port: int,
    host: str = "127.0.0.1",
    provider_id: str | None = None,
    behaviour: Behaviour | None = None,
    broker_url: str | None = None,
    username: str | None = None,
    password_file: str | Path | None = None,
    *,
    ready: Callable[[PartnerSimulator], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM (or until ``stop`` is set).

    Without ``provider_id`` the simulator answers for any ProviderID, at / and at /{ProviderID}.
    """
    behaviour = behaviour or Behaviour()
    if broker_url and not (username and password_file):
        raise ValueError("a broker URL needs a user name and a password file")
    password = read_password(password_file) if password_file else None
    stop = stop or threading.Event()
    simulator = PartnerSimulator(host, port)
    simulator.add_partner(
        provider_id or ANY_PROVIDER,
        behaviour,
        broker_url=broker_url,
        username=username,
        password=password,
    )
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        with simulator:
            log.info(
                "partner simulator (%s) for %s at %s; callbacks %s",
                behaviour.mode,
                provider_id or "any provider",
                simulator.url(provider_id),
                "on" if broker_url else "off",
            )
            if ready is not None:
                ready(simulator)
            while not stop.wait(0.5):
                pass
            log.info("partner simulator stopping")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _transactions(ctx: click.Context, param: click.Parameter, value: str | None) -> set[str]:
    names = {v.strip().upper() for v in (value or "").split(",") if v.strip()}
    unknown = names - set(_RESPONSES)
    if unknown:
        raise click.BadParameter(f"unknown {', '.join(sorted(unknown))}: QUOTE, SUBMIT, CANCEL")
    return names


@click.command("partner-sim")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--mode", type=click.Choice(["sync", "async"]), default="sync", show_default=True)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Probability that a request gets a 503.",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds to wait before answering.",
)
@click.option(
    "--provider",
    "provider_id",
    default=None,
    help="The one ProviderID to play (default: any, at / and /{ProviderID}).",
)
@click.option(
    "--broker",
    "broker_url",
    default=None,
    help="The broker's base URL, for async outcomes and CloseProviderOrder.",
)
@click.option("--user", "username", default=None, help="User to log in to the broker as.")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="File holding that user's password.",
)
@click.option(
    "--reject",
    default=None,
    callback=_transactions,
    help="Transactions to reject: QUOTE,SUBMIT,CANCEL.",
)
@click.option(
    "--unsupported",
    default=None,
    callback=_transactions,
    help="Transactions to answer 501 for: QUOTE,SUBMIT,CANCEL.",
)
@click.option(
    "--tracking-prefix", default=None, help="Replace tracking ids with PREFIX1, PREFIX2..."
)
@click.option(
    "--process-time",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Seconds from accepting a submission to closing the order.",
)
@click.option(
    "--callback-delay",
    type=click.FloatRange(0),
    default=0.1,
    show_default=True,
    help="Seconds before an async partner reports an outcome.",
)
@click.option(
    "--price",
    type=str,
    default="10.00",
    show_default=True,
    help="Price per unit of line item quantity.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --fail-rate.")
def partner_sim(
    port: int,
    host: str,
    mode: str,
    fail_rate: float,
    delay: float,
    provider_id: str | None,
    broker_url: str | None,
    username: str | None,
    password_file: str | None,
    reject: set[str],
    unsupported: set[str],
    tracking_prefix: str | None,
    process_time: float,
    callback_delay: float,
    price: str,
    seed: int,
) -> None:
    """Play a partner (or many) answering the broker's quote, submit and cancel requests."""
    try:
        unit_price = Decimal(price)
    except ArithmeticError:
        raise click.BadParameter(f"not a price: {price}", param_hint="--price") from None
    behaviour = Behaviour(
        mode=mode,  # type: ignore[arg-type]
        fail_rate=fail_rate,
        delay=delay,
        reject=reject,
        unsupported=unsupported,
        tracking_prefix=tracking_prefix,
        process_time=process_time,
        callback_delay=callback_delay,
        price=unit_price,
        seed=seed,
    )
    if broker_url and not (username and password_file):
        raise click.UsageError("--broker needs --user and --password-file")
    try:
        run(port, host, provider_id, behaviour, broker_url, username, password_file)
    except OSError as exc:  # the port is taken, the password file unreadable...
        raise click.ClickException(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    """``python -m broker.simulator ...``: the same options as ``clearinghouse partner-sim``."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    partner_sim.main(args=argv, prog_name="partner-sim")


if __name__ == "__main__":
    main()
