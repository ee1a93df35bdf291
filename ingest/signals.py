"""Telling schedulers, wherever they run, that a partner's drop box has something new: a NOTIFY on
one channel, the payload the provider id. Sent in the sender's transaction (on commit)."""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

CHANNEL = "clearinghouse_ingest"


def request_scan(bind: Session | Connection, provider_id: str) -> None:
    bind.execute(
        text("SELECT pg_notify(:channel, :provider)"), {"channel": CHANNEL, "provider": provider_id}
    )
