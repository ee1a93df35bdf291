"""The HTTP side: one threaded server on loopback playing one or more partners, each at
``/{ProviderID}``, and what it remembers for the tests and benchmarks that drive it."""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

import dtd
from clearinghouse import xmlsafe
from clearinghouse.errors import ClearinghouseError
from partner_sim.callbacks import CallbackJob, Scheduler
from partner_sim.documents import (
    MAX_REQUEST_BYTES,
    TEXT_TYPE,
    TRANSACTIONS,
    XML_TYPE,
    LineItem,
    callback_document,
    close_document,
    read_line_items,
    response_document,
)
from partner_sim.partner import Answer, Behaviour, Callback, Partner, Received, decide, refuses

log = logging.getLogger(__name__)

#: A path of its own for a partner that answers for any ProviderID (see :meth:`add_partner`).
ANY_PROVIDER = "*"


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


class PartnerSimulator:
    """A threaded HTTP server on loopback playing one or more partners, each at /{ProviderID}."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        callback_workers: int = 4,
        sleep: Callable[[float], object] = time.sleep,
    ):
        """``sleep`` makes a partner's answer wait (``Behaviour.delay``): a test hands in one that
        holds the answer until it says so."""
        self.host = host
        self.port = port
        self._templates: dict[str, tuple[Behaviour, str | None, str | None, str | None]] = {}
        self._partners: dict[str, Partner] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._scheduler = Scheduler(callback_workers)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._sleep = sleep

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
                self._partners[provider_id] = Partner(
                    provider_id, behaviour, broker_url, username, password
                )

    def _partner(self, provider_id: str) -> Partner | None:
        with self._lock:
            partner = self._partners.get(provider_id)
            if partner is None and ANY_PROVIDER in self._templates:
                behaviour, url, user, password = self._templates[ANY_PROVIDER]
                behaviour = Behaviour(**vars(behaviour))  # a copy: sets are per partner
                partner = self._partners[provider_id] = Partner(
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

    def _each(self, provider_id: str | None) -> list[Partner]:
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
        if partner is not None and refuses(partner):
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
        errors = dtd.validate("PartnerRequest.dtd", root)
        if errors:
            self._count(partner, "invalid")
            raise _Reply(400, f"not valid against PartnerRequest.dtd: {errors[0]}")
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
            if refuses(partner):
                raise _Reply(503, "the partner is unavailable, try again later")
        line_items = read_line_items(order)
        if isinstance(line_items, str):
            self._count(partner, "invalid")
            raise _Reply(400, line_items)

        answer, duplicate = self._act(partner, transaction, request_id, order, line_items)
        if duplicate:
            note["reason"] = "(duplicate)"
        if partner.behaviour.delay > 0:
            self._sleep(partner.behaviour.delay)
        handler.send(answer.status, answer.content_type, answer.body)
        return answer.status

    def _count(self, partner: Partner | None, key: str) -> None:
        if partner is not None:
            with partner.lock:
                partner.counts[key] += 1

    def _act(
        self,
        partner: Partner,
        transaction: str,
        request_id: str,
        order: etree._Element,
        line_items: tuple[LineItem, ...],
    ) -> tuple[Answer, bool]:
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
                answer = Answer(
                    501, TEXT_TYPE, f"{transaction} is not supported by this partner\n".encode()
                )
                partner.answers[request_id] = answer
                return answer, False

            record = partner.tracking_for(echo_order_id, sent_tracking or echo_order_id)
            if transaction == "SUBMIT" and not record.line_items:
                record.line_items = line_items
            outcome = decide(partner, transaction, record, line_items)
            if behaviour.mode == "sync":
                reply = response_document(transaction, echo_order_id, record.tracking_id, outcome)
            else:
                reply = response_document(transaction, echo_order_id, record.tracking_id, None)
                if partner.calls_back:
                    callback = callback_document(echo_order_id, record.tracking_id, outcome)
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
            answer = Answer(200, XML_TYPE, xmlsafe.tostring(reply))
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

    # -- callbacks

    def _schedule(
        self,
        partner: Partner,
        delay: float,
        operation: str,
        document: etree._Element,
        echo_order_id: str,
        *,
        then_close: bool = False,
    ) -> None:
        body = xmlsafe.tostring(document)
        after = (lambda: self._schedule_close(partner, echo_order_id)) if then_close else None
        job = CallbackJob(
            self._scheduler, self._opener, partner, operation, echo_order_id, body, after
        )
        self._scheduler.submit(delay, job.run)

    def _schedule_close(self, partner: Partner, echo_order_id: str) -> None:
        if not partner.calls_back:
            return

        def close() -> None:
            with partner.lock:
                record = partner.orders.get(echo_order_id)
                if record is None or record.state != "PROCESSING":
                    return  # cancelled meanwhile
                record.state = "CLOSED"
                items = record.line_items
            document = close_document(
                echo_order_id, [self._data_url(echo_order_id, i) for i in items]
            )
            self._schedule(partner, 0, "CloseProviderOrder", document, echo_order_id)

        self._scheduler.submit(partner.behaviour.process_time, close)

    def _data_url(self, echo_order_id: str, item: LineItem) -> str:
        return (
            f"{self.base_url}/data/{quote(echo_order_id, safe='')}/"
            f"{quote(item.catalog_item_id, safe='')}"
        )


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
