"""Telling OSEO clients what became of their orders: GetQuotationResponse once the partners have
quoted, SubmitResponse (or CancelResponse, after a Cancel) at every change of the order's status
(statusNotification All) or at its end (Final), sent to the client's wsa:ReplyTo. Runs in the
broker worker; rows are claimed with SKIP LOCKED, so any number of workers send each message once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import urllib3
from sqlalchemy import func, select

from broker.models import Order
from clearinghouse import outbound
from clearinghouse.db import Database
from clearinghouse.errors import DestinationNotAllowed
from clearinghouse.oseo import orders as oseo_orders
from clearinghouse.oseo import responses
from clearinghouse.oseo.envelope import write_callback
from clearinghouse.oseo.models import OseoOrder
from clearinghouse.oseo.status import FINAL

log = logging.getLogger(__name__)

BATCH = 20
LOOK_AGAIN = timedelta(seconds=1)
GIVE_UP_AFTER = 10
TIMEOUT = urllib3.Timeout(connect=5, read=10)


class Notifier:
    def __init__(self, db: Database, policy: outbound.Policy):
        self.db = db
        self.policy = policy
        self.http = urllib3.PoolManager()

    def run_once(self) -> int:
        """Look at the orders whose clients wait for news; how many messages went out."""
        sent = 0
        with self.db.session() as session:
            due = session.scalars(
                select(OseoOrder)
                .where(
                    OseoOrder.notify_pending,
                    (OseoOrder.next_notify_at.is_(None))
                    | (OseoOrder.next_notify_at <= func.clock_timestamp()),
                )
                .order_by(OseoOrder.next_notify_at.nulls_first())
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            for extra in due:
                sent += self._one(session, extra)
        return sent

    def _one(self, session, extra: OseoOrder) -> int:
        order = session.get(Order, extra.order_id)
        later = func.clock_timestamp() + LOOK_AGAIN
        if extra.kind == "quotation":
            if oseo_orders.quoting(session, order):
                extra.next_notify_at = later
                return 0
            status, message = (
                "quoted",
                responses.get_quotation_response(oseo_orders.quotation(session, order)),
            )
            final = True
        else:
            view = oseo_orders.view(session, order)
            status, final = view.status, view.status in FINAL
            if status == extra.notified_status or (
                extra.status_notification == "Final" and not final
            ):
                extra.next_notify_at = later
                return 0
            build = (
                responses.cancel_response if extra.kind == "cancel" else responses.submit_response
            )
            message = build(view, oseo_orders.now())
        if not self._send(extra, message):
            return 0
        extra.notified_status = status
        extra.notify_attempts = 0
        extra.last_error = None
        extra.notify_pending = not final
        extra.next_notify_at = later
        return 1

    def _send(self, extra: OseoOrder, message) -> bool:
        body, content_type = write_callback(
            message, extra.soap_version, extra.reply_to, f"urn:uuid:{uuid.uuid4()}"
        )
        try:
            response = outbound.post(
                self.http,
                extra.reply_to,
                self.policy,
                body,
                headers={"Content-Type": content_type},
                timeout=TIMEOUT,
            )
            if 200 <= response.status < 300:
                log.info("told %s about order %s", extra.reply_to, extra.order_id)
                return True
            why = f"HTTP {response.status}"
        except DestinationNotAllowed as error:  # checked when the order came; not allowed now
            why = error.message.removeprefix(f"{extra.reply_to}: ")  # the URL comes first anyway
        except (urllib3.exceptions.HTTPError, OSError) as error:
            why = type(error).__name__
        extra.notify_attempts += 1
        extra.last_error = f"{extra.reply_to}: {why}"
        if extra.notify_attempts >= GIVE_UP_AFTER:
            extra.notify_pending = False
            log.warning(
                "gave up telling %s about order %s: %s", extra.reply_to, extra.order_id, why
            )
        else:
            wait = min(60, 2**extra.notify_attempts)
            extra.next_notify_at = func.clock_timestamp() + timedelta(seconds=wait)
        return False
