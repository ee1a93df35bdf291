"""Housekeeping, run every hour in the scheduler's process (a job ``clearinghouse.components`` hands
it): ended and long-idle sessions, old login attempts and expired result sets are deleted, so these
tables do not grow without end."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, func, or_

from clearinghouse.accounts.models import ApiSession, LoginAttempt
from clearinghouse.catalog.models import ResultSet
from clearinghouse.config import Settings
from clearinghouse.db import Database

log = logging.getLogger(__name__)

#: Kept this long after they stop mattering (for the audit trail and for questions).
KEEP_SESSIONS = timedelta(days=7)
KEEP_LOGIN_ATTEMPTS = timedelta(days=30)
KEEP_RESULT_SETS = timedelta(hours=2)  # an hour unused ends them; an hour's grace


def tidy(db: Database, settings: Settings) -> dict[str, int]:
    """Delete what is past keeping; how many rows of each kind went."""
    idle = timedelta(seconds=settings.session_timeout)
    with db.session() as session:
        sessions = session.execute(
            delete(ApiSession).where(
                or_(
                    ApiSession.ended_at < func.now() - KEEP_SESSIONS,
                    ApiSession.last_seen_at < func.now() - idle - KEEP_SESSIONS,
                )
            )
        ).rowcount
        attempts = session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < func.now() - KEEP_LOGIN_ATTEMPTS)
        ).rowcount
        result_sets = session.execute(
            delete(ResultSet).where(ResultSet.last_used_at < func.now() - KEEP_RESULT_SETS)
        ).rowcount
    gone = {"sessions": sessions, "login_attempts": attempts, "result_sets": result_sets}
    if any(gone.values()):
        log.info("tidied: %s", ", ".join(f"{n} {what}" for what, n in gone.items()))
    return gone
