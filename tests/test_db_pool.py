"""Pooled connections: one in steady use goes straight to work (no ping, a round trip per request
saved); one that sat unused is checked first, so that a database restart costs no request."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from clearinghouse.db import PING_AFTER, make_engine

LAST_QUERY = "SELECT state, query FROM pg_stat_activity WHERE pid = :pid"


@pytest.fixture
def pooled(database_url):
    """A pool of one connection that has just been used and returned, its backend's pid, and an
    engine of its own to watch or end that backend with."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    observer = create_engine(database_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            conn.commit()
        yield engine, observer, pid
    finally:
        engine.dispose()
        observer.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pooled):
    engine, observer, pid = pooled
    with engine.connect() as conn:  # checked out again at once
        with observer.connect() as watch:
            _, query = watch.execute(text(LAST_QUERY), {"pid": pid}).one()
        # The backend's last statement is still ours: nothing was sent at checkout.
        assert query == "COMMIT"
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == pid


def test_a_connection_whose_backend_went_away_while_unused_is_replaced(pooled):
    engine, observer, pid = pooled
    with observer.connect() as watch:  # as a database restart does to every connection
        assert watch.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    time.sleep(PING_AFTER + 0.1)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
