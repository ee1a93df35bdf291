"""A simulated partner calling the broker back: login and provider context on the broker's ECHO API,
then ``ProviderOrderManagementService`` messages (async outcomes, ``CloseProviderOrder``), each
tried until it gets through or gives up, on a few worker threads of their own (never in an HTTP
handler)."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml import etree

from clearinghouse import xmlsafe
from clearinghouse.errors import ClearinghouseError
from partner_sim.documents import MAX_REQUEST_BYTES, XML_TYPE
from partner_sim.partner import Callback, Partner

log = logging.getLogger(__name__)

CLIENT_ID = "partner-sim"


class Transient(Exception):
    """A call into the broker that may succeed when tried again (no answer, 5xx)."""


class Refused(Exception):
    """A call into the broker refused for good (4xx other than an expired session)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def login(partner: Partner, opener: urllib.request.OpenerDirector) -> str:
    """Log in to the broker as the partner's user and act for its provider; the session's token."""
    login = etree.Element("Login")
    etree.SubElement(login, "UserName").text = partner.username
    etree.SubElement(login, "Password").text = partner.password
    etree.SubElement(login, "ClientId").text = CLIENT_ID
    status, body = post(opener, f"{partner.broker_url}/echo/login", login, None, partner)
    if status >= 300:
        raise Refused(f"login refused with HTTP {status}", status)
    try:
        token = xmlsafe.parse(body, max_bytes=MAX_REQUEST_BYTES).findtext("Token")
    except ClearinghouseError as exc:
        raise Refused(f"login answer unreadable: {exc}") from None
    if not token:
        raise Refused("login answer without a Token")
    partner.logins += 1
    context = etree.Element("SetProviderContext")
    etree.SubElement(context, "ProviderId").text = partner.provider_id
    status, _ = post(opener, f"{partner.broker_url}/echo/provider-context", context, token, partner)
    if status >= 300:
        raise Refused(f"provider context refused with HTTP {status}", status)
    return token


def post(
    opener: urllib.request.OpenerDirector,
    url: str,
    document: etree._Element,
    token: str | None,
    partner: Partner,
) -> tuple[int, bytes]:
    """POST one XML document; (status, body). A connection error or a 5xx raises Transient."""
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
        raise Transient(f"no answer from {urlsplit(url).path}: {exc}") from None
    if status >= 500:
        raise Transient(f"HTTP {status} from {urlsplit(url).path}")
    return status, body


# -- the callback worker -------------------------------------------------------------------------


class Scheduler:
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


class CallbackJob:
    """One ProviderOrderManagementService message, tried until it gets through or gives up."""

    def __init__(
        self,
        scheduler: Scheduler,
        opener: urllib.request.OpenerDirector,
        partner: Partner,
        operation: str,
        echo_order_id: str,
        body: bytes,
        after: Callable[[], None] | None,
    ):
        self.scheduler = scheduler
        self.opener = opener
        self.partner = partner
        self.operation = operation
        self.echo_order_id = echo_order_id
        self.body = body
        self.after = after
        self.attempt = 0

    def run(self) -> None:
        partner, behaviour = self.partner, self.partner.behaviour
        self.attempt += 1
        opener = self.opener
        url = f"{partner.broker_url}/echo/perform"
        status: int | None = None
        try:
            for relogin in (False, True):
                token = partner.token(lambda: login(partner, opener))
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
        except Transient as exc:
            self._record(status, str(exc))
            self._again()
            return
        except Refused as exc:
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
            raise Transient(f"no answer from the broker: {exc}") from None

    def _again(self) -> None:
        behaviour = self.partner.behaviour
        if self.attempt < behaviour.callback_attempts:
            self.scheduler.submit(behaviour.callback_retry_wait, self.run)
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
