"""ISO 8601 instants as clients and partners write them."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """``2026-11-23``, ``2026-11-23T16:00:00Z`` or with an offset; no offset means UTC.
    ValueError when it is none of these."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
