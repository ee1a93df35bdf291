"""The per-address login throttle holds under concurrency: attempts from one address are counted
and recorded in one step, so a burst of wrong logins gets no more password checks than the limit.
"""

from __future__ import annotations

import http.client
import random
import threading
import urllib.parse

import pytest
from sqlalchemy import delete

from clearinghouse.accounts.models import LoginAttempt
from clearinghouse.accounts.sessions import ADDRESS_LIMIT
from clearinghouse.db import Database, make_engine
from tests.server_support import served

BURST = 48


@pytest.fixture
def committed(database_url):
    engine = make_engine(database_url, pool_size=10, max_overflow=BURST)
    yield Database(engine)
    engine.dispose()


def _wrong_login(url: str, source: str, start: threading.Barrier, statuses: list[int]) -> None:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=120, source_address=(source, 0)
    )
    body = "<Login><UserName>nobody-here</UserName><Password>wrong guess</Password></Login>"
    start.wait()
    try:
        connection.request("POST", "/echo/login", body=body)
        statuses.append(connection.getresponse().status)
    finally:
        connection.close()


def test_concurrent_wrong_logins_from_one_address_get_exactly_the_limit_of_checks(
    committed, settings
):
    # An address of its own (any 127/8 address is loopback), so no other test's attempts count.
    source = f"127.{random.randrange(1, 255)}.{random.randrange(1, 255)}.{random.randrange(2, 255)}"
    statuses: list[int] = []
    start = threading.Barrier(BURST)
    try:
        with served(committed, settings) as url:
            threads = [
                threading.Thread(target=_wrong_login, args=(url, source, start, statuses))
                for _ in range(BURST)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert len(statuses) == BURST
        assert statuses.count(401) == ADDRESS_LIMIT  # checked (and wrong)
        assert statuses.count(429) == BURST - ADDRESS_LIMIT  # refused before any check
    finally:
        with committed.session() as session:
            session.execute(delete(LoginAttempt).where(LoginAttempt.remote_address == source))
