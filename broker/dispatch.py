"""Sending the recorded quote, submit and cancel requests to the partners: `clearinghouse worker`.

Any number of workers, on any machines, share the work through the database. A worker claims due
requests with ``SELECT … FOR UPDATE SKIP LOCKED`` and keeps them locked while it talks to the
partner, then records the outcomes and lets go, in one transaction. So no two workers ever hold
the same request, and a worker that dies mid-request releases it with its connection: another
sends it again, with the same RequestId, which lets the partner drop the duplicate.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import urllib3
from sqlalchemy import text

from broker import announce, changes, outcomes, partner
from broker.changes import CHANNEL, json_rows
from broker.crypto import OptionKeyError
from broker.models import ProviderOrderState as S
from broker.partner import MalformedAnswer
from broker.secrets import option_cipher
from clearinghouse import outbound
from clearinghouse.accounts.models import OrderMode, Transaction
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.db.errors import log_failure
from clearinghouse.db.heartbeats import Beating
from clearinghouse.db.listen import listen
from clearinghouse.errors import DatabaseUnavailable, DestinationNotAllowed

log = logging.getLogger(__name__)

# Locking statements touch dispatch_requests alone: a locking scan through a join re-evaluates the
# join for every row another worker changed meanwhile, which made claims cost hundreds of ms.
CLAIM_FIRST = text("""
    SELECT id, provider_id FROM dispatch_requests
    WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()
    ORDER BY next_attempt_at LIMIT 1
    FOR UPDATE SKIP LOCKED
""")
#: More due requests for the partner of the first: a batch waits for its slowest answer, so a slow
#: partner holds up only its own requests.
CLAIM_MORE = text("""
    SELECT id FROM dispatch_requests
    WHERE status = 'pending' AND provider_id = :provider_id AND id <> :first
      AND next_attempt_at <= clock_timestamp()
    ORDER BY next_attempt_at LIMIT :limit
    FOR UPDATE SKIP LOCKED
""")
CLAIMED = text("""
    SELECT d.id, d.transaction, d.request_id, d.payload, d.attempts, d.provider_order_id,
           d.provider_id, p.order_endpoint, p.order_mode, p.retry_attempts,
           p.retry_wait_seconds, o.guid, po.order_id
    FROM dispatch_requests d
    JOIN providers p ON p.provider_id = d.provider_id
    JOIN provider_orders po ON po.id = d.provider_order_id
    JOIN orders o ON o.id = po.order_id
    WHERE d.id = ANY(:ids)
    ORDER BY d.next_attempt_at
""")

LOCK_ORDERS = text("""
    SELECT id, state, tracking_id FROM provider_orders WHERE id = ANY(:ids) ORDER BY id FOR UPDATE
""")
RECORD_REQUESTS = text("""
    UPDATE dispatch_requests AS d
    SET status = v.status, attempts = v.attempts, last_error = v.last_error,
        response = v.response,
        next_attempt_at = CASE WHEN v.status = 'pending'
                               THEN clock_timestamp() + make_interval(secs => v.wait)
                               ELSE d.next_attempt_at END,
        completed_at = CASE WHEN v.status = 'pending' THEN NULL ELSE clock_timestamp() END
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(id bigint, status text, attempts int,
         last_error text, response text, wait float8)
    WHERE d.id = v.id
""")
#: How long a worker with nothing to do waits before looking again (a NOTIFY wakes it sooner).
IDLE_POLL = 1.0
#: What the worker's heartbeats are recorded as (``clearinghouse.db.heartbeats``).
COMPONENT = "broker worker"
SIDE_POLL = 0.5
CONNECT_TIMEOUT = 5.0
RESPONSE_KEPT = 100_000


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """The one retry policy (CONTRACT §7.2): no answer, a connection error or a 5xx is tried
    again after the partner's wait, up to its number of retries; anything else is final."""

    retries: int
    wait: float  # seconds

    def retry(self, failure: Failure, attempts_made: int) -> bool:
        return failure.transient and attempts_made <= self.retries


@dataclasses.dataclass
class Failure(Exception):
    why: str
    transient: bool


def send(
    http: urllib3.PoolManager, endpoint: str, body: bytes, timeout: float, policy: outbound.Policy
) -> bytes:
    """POST one request, if the endpoint is still one the server may send to; the answer's body,
    or a Failure saying whether to try again."""
    try:
        response = outbound.post(
            http,
            endpoint,
            policy,
            body,
            headers={"Content-Type": "application/xml"},
            timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=timeout),
        )
    except outbound.HostUnresolvable as error:
        raise Failure(error.message, transient=True) from None
    except DestinationNotAllowed as error:  # allowed once, not now (its DNS or the setting)
        raise Failure(error.message, transient=False) from None
    except urllib3.exceptions.TimeoutError:
        raise Failure(f"no answer within {timeout:g} s", transient=True) from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise Failure(f"cannot reach {endpoint}: {type(error).__name__}", transient=True) from None
    if response.status >= 500:
        raise Failure(f"HTTP {response.status} from {endpoint}", transient=True)
    if response.status != 200:
        reason = response.data[:200].decode("utf-8", "replace").strip()
        raise Failure(
            f"HTTP {response.status} from {endpoint}" + (f": {reason}" if reason else ""),
            transient=False,
        )
    return response.data


@dataclasses.dataclass
class Sent:
    """One claimed request and what became of it."""

    row: Any
    answer: partner.Answer | None = None
    body: bytes | None = None
    failure: Failure | None = None


class Dispatcher:
    """Claims a batch of due requests of one partner, sends them at once, and records what
    became of them in the same transaction: a few statements per batch, not per request."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self.batch = settings.dispatch_batch
        self.cipher = option_cipher(settings)
        self.http = urllib3.PoolManager(num_pools=64, maxsize=self.batch)
        self.senders = ThreadPoolExecutor(self.batch, thread_name_prefix="send")

    def run_once(self) -> int:
        """Send the due requests of one partner, if any; how many there were."""
        with self.db.session() as session:
            first = session.execute(CLAIM_FIRST).first()
            if first is None:
                return 0
            ids = [first.id]
            if self.batch > 1:
                more = {
                    "limit": self.batch - 1,
                    "first": first.id,
                    "provider_id": first.provider_id,
                }
                ids += session.execute(CLAIM_MORE, more).scalars().all()
            rows = session.execute(CLAIMED, {"ids": ids}).all()
            sent = list(self.senders.map(self._send, rows))
            self._record(session, sent)
        return len(rows)

    def _send(self, row) -> Sent:
        transaction = Transaction(row.transaction)
        done = Sent(row)
        try:
            body = partner.revealed(row.payload, self.cipher.decrypt)
            done.body = send(
                self.http,
                row.order_endpoint,
                body,
                self.settings.dispatch_timeout,
                self.settings.outbound,
            )
            done.answer = partner.read_answer(transaction, done.body, str(row.guid))
            if done.answer.outcome is None and OrderMode(row.order_mode) is OrderMode.SYNC:
                raise MalformedAnswer(
                    "a sync partner must answer with the outcome, not only an acknowledgement"
                )
        except MalformedAnswer as error:
            done.answer, done.failure = None, Failure(error.message, transient=False)
        except Failure as failure:
            done.failure = failure
        except OptionKeyError as error:  # retried: an operator may put the right key back
            done.failure = Failure(
                f"the order's encrypted options: {error.message}", transient=True
            )
        return done

    def _record(self, session, sent: list[Sent]) -> None:
        ids = sorted({s.row.provider_order_id for s in sent})
        orders = {r.id: r for r in session.execute(LOCK_ORDERS, {"ids": ids})}
        state = {i: S(orders[i].state) for i in ids}
        tracking = {i: orders[i].tracking_id for i in ids}
        requests, changed = [], []
        for done in sent:
            row, po_id = done.row, done.row.provider_order_id
            transaction = Transaction(row.transaction)
            attempts = row.attempts + 1
            policy = RetryPolicy(row.retry_attempts, row.retry_wait_seconds)
            record = {"id": row.id, "attempts": attempts, "wait": policy.wait}
            if done.failure is None:
                change = outcomes.answered(state[po_id], tracking[po_id], transaction, done.answer)
                record.update(
                    status="done", response=done.body.decode("utf-8", "replace")[:RESPONSE_KEPT]
                )
                log.info(
                    "%s %s of %s: %s",
                    transaction.value,
                    row.request_id,
                    row.provider_id,
                    done.answer.outcome or "acknowledged",
                )
            elif policy.retry(done.failure, attempts):
                record.update(status="pending", last_error=done.failure.why[:2000])
                log.info(
                    "%s %s of %s: attempt %d failed (%s); again in %g s",
                    transaction.value,
                    row.request_id,
                    row.provider_id,
                    attempts,
                    done.failure.why,
                    policy.wait,
                )
                requests.append(record)
                continue
            else:
                tries = f" after {attempts} attempts" if done.failure.transient else ""
                change = outcomes.failed(state[po_id], transaction, done.failure.why + tries)
                record.update(status="failed", last_error=done.failure.why[:2000])
                log.warning(
                    "%s %s of %s failed%s: %s",
                    transaction.value,
                    row.request_id,
                    row.provider_id,
                    tries,
                    done.failure.why,
                )
            requests.append(record)
            state[po_id] = change.state
            tracking[po_id] = change.columns.get("tracking_id", tracking[po_id])
            change.provider_order_id, change.order_id = po_id, row.order_id
            changed.append(change)
        session.execute(RECORD_REQUESTS, {"rows": json_rows(requests)})
        if changed:
            changes.apply(session, changed)


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
                busy = dispatcher.run_once() > 0
                self._database_is(up=True)
            except DatabaseUnavailable:
                self._database_is(up=False)
                busy = False
                self.stopping.wait(IDLE_POLL)
            except Exception:
                log_failure(log, "dispatch failed; the request stays due and is tried again")
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

    def _side_loop(self, job) -> None:
        """A job of the worker's besides dispatch (a door's, ``broker.announce``): run it until it
        has nothing to do, then wait a little."""
        while not self.stopping.is_set():
            try:
                busy = job() > 0
            except DatabaseUnavailable:
                self._database_is(up=False)
                busy = False
            except Exception:
                log_failure(
                    log, "%s failed; it runs again shortly", getattr(job, "__qualname__", job)
                )
                busy = False
            if not busy:
                self.stopping.wait(SIDE_POLL)

    def start(self, *, listening: bool = True, side_jobs=()) -> list[threading.Thread]:
        detail = f"{self.concurrency} dispatch threads"
        heartbeat = Beating(self.db, COMPONENT, self.stopping, detail=detail)
        threads = [heartbeat.thread()]
        threads += [
            threading.Thread(target=self._loop, name=f"dispatch-{n}", daemon=True)
            for n in range(self.concurrency)
        ]
        threads += [
            threading.Thread(target=self._side_loop, args=(job,), name=f"side-{n}", daemon=True)
            for n, job in enumerate(side_jobs)
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
    threads = worker.start(side_jobs=announce.worker_jobs(worker.db, settings))
    log.info("broker worker running with %d threads", worker.concurrency)
    stop.wait()
    log.info("stopping: finishing the requests in hand")
    worker.stop(threads)
    engine.dispose()
