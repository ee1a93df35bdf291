"""Sending the recorded quote, submit and cancel requests to the partners: `clearinghouse worker`.

Any number of workers, on any machines, share the work through the database. A worker claims one
due request with ``SELECT … FOR UPDATE SKIP LOCKED`` and keeps it locked while it talks to the
partner, then records the outcome and lets go, in one transaction. So no two workers ever hold
the same request, and a worker that dies mid-request releases it with its connection: another
sends it again, with the same RequestId, which lets the partner drop the duplicate.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import func, text

from broker import partner
from broker.events import CHANNEL
from broker.models import DispatchRequest, DispatchStatus, Order, ProviderOrder
from broker.outcomes import apply_answer, delivery_failed
from broker.partner import MalformedAnswer
from broker.secrets import option_cipher
from clearinghouse.accounts.models import OrderMode, Transaction
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.db.listen import listen
from clearinghouse.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

CLAIM = text("""
    SELECT d.id, d.transaction, d.request_id, d.payload, d.attempts,
           p.order_endpoint, p.order_mode, p.retry_attempts, p.retry_wait_seconds,
           po.id AS provider_order_id, o.guid
    FROM dispatch_requests d
    JOIN provider_orders po ON po.id = d.provider_order_id
    JOIN providers p ON p.provider_id = po.provider_id
    JOIN orders o ON o.id = po.order_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= clock_timestamp()
    ORDER BY d.next_attempt_at
    LIMIT 1
    FOR UPDATE OF d SKIP LOCKED
""")

#: How long a worker with nothing to do waits before looking again (a NOTIFY wakes it sooner).
IDLE_POLL = 1.0
CONNECT_TIMEOUT = 5.0


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """The one retry policy (CONTRACT §7.2): no answer, a connection error or a 5xx is tried
    again after the partner's wait, up to its number of retries; anything else is final."""

    retries: int
    wait: timedelta

    @staticmethod
    def transient(failure: Failure) -> bool:
        return failure.transient

    def next_attempt(self, attempts_made: int):
        """When to try again after ``attempts_made`` tries (by the database's clock, which all
        workers share), or None: no tries left."""
        if attempts_made > self.retries:
            return None
        return func.clock_timestamp() + self.wait


@dataclasses.dataclass
class Failure(Exception):
    why: str
    transient: bool


def send(http: requests.Session, endpoint: str, body: bytes, timeout: float) -> bytes:
    """POST one request; the answer's body, or a Failure saying whether to try again."""
    try:
        response = http.post(
            endpoint,
            data=body,
            timeout=(CONNECT_TIMEOUT, timeout),
            headers={"Content-Type": "application/xml"},
            allow_redirects=False,
        )
    except requests.Timeout:
        raise Failure(f"no answer within {timeout:g} s", transient=True) from None
    except requests.RequestException as error:
        raise Failure(f"cannot reach {endpoint}: {type(error).__name__}", transient=True) from None
    if response.status_code >= 500:
        raise Failure(f"HTTP {response.status_code} from {endpoint}", transient=True)
    if response.status_code != 200:
        reason = response.text[:200].strip()
        raise Failure(
            f"HTTP {response.status_code} from {endpoint}" + (f": {reason}" if reason else ""),
            transient=False,
        )
    return response.content


class Dispatcher:
    """Claims and sends requests; one per worker thread (it holds an HTTP session)."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self.cipher = option_cipher(settings)
        self.http = requests.Session()

    def run_once(self) -> bool:
        """Send one due request, if any; whether there was one."""
        with self.db.session() as session:
            row = session.execute(CLAIM).first()
            if row is None:
                return False
            transaction = Transaction(row.transaction)
            request = session.get(DispatchRequest, row.id)
            policy = RetryPolicy(row.retry_attempts, timedelta(seconds=row.retry_wait_seconds))
            request.attempts = row.attempts + 1
            try:
                body = partner.revealed(row.payload, self.cipher.decrypt)
                answer_body = send(
                    self.http, row.order_endpoint, body, self.settings.dispatch_timeout
                )
                answer = partner.read_answer(transaction, answer_body, str(row.guid))
                if answer.outcome is None and OrderMode(row.order_mode) is OrderMode.SYNC:
                    raise MalformedAnswer(
                        "a sync partner must answer with the outcome, not only an acknowledgement"
                    )
            except MalformedAnswer as error:
                self._failed(
                    session, row, request, transaction, error.message, policy, transient=False
                )
                return True
            except Failure as failure:
                self._failed(
                    session,
                    row,
                    request,
                    transaction,
                    failure.why,
                    policy,
                    transient=failure.transient,
                )
                return True
            po, order = self._locked(session, row)
            apply_answer(session, po, order, transaction, answer)
            request.status = DispatchStatus.DONE
            request.response = answer_body.decode("utf-8", "replace")[:100_000]
            request.completed_at = datetime.now(UTC)
            request.last_error = None
            log.info(
                "%s %s of %s: answered (%s)",
                transaction.value,
                row.request_id,
                po.provider_id,
                answer.outcome or "acknowledged",
            )
        return True

    @staticmethod
    def _locked(session, row) -> tuple[ProviderOrder, Order]:
        po = session.get(ProviderOrder, row.provider_order_id, with_for_update=True)
        return po, session.get(Order, po.order_id)

    def _failed(self, session, row, request, transaction, why, policy, *, transient) -> None:
        request.last_error = why[:2000]
        retry_at = policy.next_attempt(request.attempts) if transient else None
        if retry_at is not None:
            request.next_attempt_at = retry_at
            log.info(
                "%s %s: attempt %d failed (%s); again in %s",
                transaction.value,
                row.request_id,
                request.attempts,
                why,
                policy.wait,
            )
            return
        request.status = DispatchStatus.FAILED
        request.completed_at = datetime.now(UTC)
        po, order = self._locked(session, row)
        tries = f" after {request.attempts} attempts" if transient else ""
        delivery_failed(session, po, order, transaction, why + tries)
        log.warning(
            "%s %s of %s failed%s: %s",
            transaction.value,
            row.request_id,
            po.provider_id,
            tries,
            why,
        )


class Worker:
    """``concurrency`` threads sending requests, woken by NOTIFY when new ones are recorded."""

    def __init__(self, db: Database, settings: Settings, *, concurrency: int | None = None):
        self.db = db
        self.settings = settings
        self.concurrency = concurrency or settings.worker_threads
        self.stopping = threading.Event()
        self.wake = threading.Condition()
        self.database_down = False

    def _loop(self) -> None:
        dispatcher = Dispatcher(self.db, self.settings)
        while not self.stopping.is_set():
            try:
                busy = dispatcher.run_once()
                self._database_is(up=True)
            except DatabaseUnavailable:
                self._database_is(up=False)
                busy = False
                self.stopping.wait(IDLE_POLL)
            except Exception:
                log.exception("dispatch failed; the request stays due and is tried again")
                busy = False
                self.stopping.wait(IDLE_POLL)
            if not busy:
                with self.wake:
                    self.wake.wait(IDLE_POLL)

    def _database_is(self, *, up: bool) -> None:
        """Say so once when the database goes away and once when it is back, not per thread."""
        with self.wake:
            if self.database_down == up:
                self.database_down = not up
                if up:
                    log.info("the database is back; dispatching again")
                else:
                    log.warning("the database is unavailable; waiting for it")

    def _notified(self, _payload: str) -> None:
        with self.wake:
            self.wake.notify_all()

    def _listen(self) -> None:
        listen(self.db.engine, CHANNEL, self._notified, self.stopping, name="worker")

    def start(self, *, listening: bool = True) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._loop, name=f"dispatch-{n}", daemon=True)
            for n in range(self.concurrency)
        ]
        if listening:
            threads.append(
                threading.Thread(target=self._listen, name="dispatch-listen", daemon=True)
            )
        for thread in threads:
            thread.start()
        return threads

    def stop(self, threads: list[threading.Thread], timeout: float = 30.0) -> None:
        self.stopping.set()
        with self.wake:
            self.wake.notify_all()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.1, deadline - time.monotonic()))


def run(settings: Settings) -> None:
    """`clearinghouse worker`: dispatch until SIGINT or SIGTERM."""
    import signal

    from clearinghouse.db import database_url, make_engine

    engine = make_engine(
        database_url(settings), pool_size=settings.worker_threads + 1, max_overflow=2
    )
    worker = Worker(Database(engine), settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    threads = worker.start()
    log.info("broker worker running with %d threads", worker.concurrency)
    stop.wait()
    log.info("stopping: finishing the requests in hand")
    worker.stop(threads)
    engine.dispose()
