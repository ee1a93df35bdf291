"""The OSEO door's subscriptions to the broker's announcements (``broker.announce``)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from broker import announce
from clearinghouse.config import Settings
from clearinghouse.db import Database

# A client waiting for news of a changed order hears it at the notifier's next look, not a poll
# later; one whose callbacks are failing keeps its back-off.
WAKE = text("""
    UPDATE oseo_orders SET next_notify_at = NULL
    WHERE order_id = ANY(:ids) AND notify_pending AND notify_attempts = 0
""")


def wake_notifier(session: Session, changed: announce.Changed) -> None:
    session.execute(WAKE, {"ids": sorted(changed.order_ids)})


def notifier(db: Database, settings: Settings):
    from clearinghouse.oseo.notifier import Notifier

    return Notifier(db, settings.outbound).run_once


def subscribe() -> None:
    announce.subscribe(wake_notifier)
    announce.run_in_worker(notifier)
