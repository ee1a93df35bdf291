"""Sixteen clients at once against a real `clearinghouse serve` (gunicorn, threaded workers), as
threads of this process and of two others, for a bounded time: invalid and valid messages,
logins, searches and orders mixed. No answer may be a 500; every answer must be the asker's own
(an invalid message's error names the asker's element, a search finds the asker's granule, an
order holds the asker's item); the login throttle and the account lock must hold exactly."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from sqlalchemy import create_engine, text

from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.accounts.sessions import ADDRESS_LIMIT, LOCK_AFTER
from clearinghouse.db import Database
from ingest.pipeline import ingest_file
from tests.concurrency_support import PASSWORD, Spec, run, run_group
from tests.conftest import OUTBOUND, ephemeral_port
from tests.ingest_support import collection, granule, wrap, write

SECONDS = 12.0
USERS = 10


@pytest.fixture
def server(database_url, tmp_path):
    """The API as `clearinghouse serve` runs it, with users and a catalog of their own."""
    tag = uuid.uuid4().hex[:6].upper()
    provider = f"CONC_{tag}"
    usernames = [f"conc-{tag.lower()}-{n}" for n in range(USERS)]
    victim = f"victim-{tag.lower()}"
    engine = create_engine(database_url)
    db = Database(engine)
    with db.session() as session:
        # Orders are only created and read: the endpoint is never called.
        add_provider(
            session,
            provider,
            email="ops@example.org",
            ftp_password="ftp pw 1",
            endpoint="http://127.0.0.1:9/orders",
            outbound=OUTBOUND,
        )
        for name in [*usernames, victim]:
            add_user(session, name, password=PASSWORD, email=f"{name}@example.org")
    urs = [f"{provider}.G{n}" for n in range(USERS)]
    for name, root, section, records in [
        ("c.xml", "CollectionMetaDataFile", "Collections", [collection(dataset=provider)]),
        ("g.xml", "GranuleMetaDataFile", "Granules", [granule(ur, dataset=provider) for ur in urs]),
    ]:
        ingest_file(db, write(tmp_path, name, wrap(root, {section: records})), provider)
    with engine.connect() as conn:
        ids = dict(
            conn.execute(
                text("SELECT granule_ur, id FROM granules WHERE provider_id = :p"), {"p": provider}
            ).all()
        )
    port = ephemeral_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(
        CLEARINGHOUSE_DATABASE_URL=database_url,
        CLEARINGHOUSE_HOME=str(tmp_path / "home"),
        CLEARINGHOUSE_HTTP=f"127.0.0.1:{port}",
        CLEARINGHOUSE_HTTP_WORKERS="2",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "clearinghouse", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield {
            "port": port,
            "users": [
                (name, f"G{ids[ur]}-{provider}", ur)
                for name, ur in zip(usernames, urs, strict=True)
            ],
            "victim": victim,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
        with engine.begin() as conn:
            names = [*usernames, victim]
            conn.execute(
                text(
                    "DELETE FROM orders WHERE user_id IN (SELECT id FROM users"
                    " WHERE username = ANY(:u))"
                ),
                {"u": names},
            )
            conn.execute(text("DELETE FROM users WHERE username = ANY(:u)"), {"u": names})
            conn.execute(text("DELETE FROM providers WHERE provider_id = :p"), {"p": provider})
        engine.dispose()


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _address() -> str:
    """A loopback address no other test uses (the throttle remembers addresses for minutes)."""
    return f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def test_sixteen_clients_mixed_get_their_own_answers_and_the_limits_hold(server):
    shared = _address()  # the throttled clients' one address
    specs = [
        Spec(
            "user", n, _address(), server["port"], SECONDS, username=name, item=item, granule_ur=ur
        )
        for n, (name, item, ur) in enumerate(server["users"])
    ]
    specs += [Spec("throttled", USERS + n, shared, server["port"], SECONDS) for n in range(4)]
    specs += [
        Spec(
            "lockout", USERS + 4 + n, _address(), server["port"], SECONDS, username=server["victim"]
        )
        for n in range(2)
    ]
    assert len(specs) == 16
    # Two processes of four clients each (users and throttled ones mixed), eight threads here.
    in_processes = [specs[0:3] + specs[10:11], specs[3:6] + specs[11:12]]
    here = specs[6:10] + specs[12:16]
    context = multiprocessing.get_context("spawn")
    with (
        concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as processes,
        concurrent.futures.ThreadPoolExecutor(len(here)) as threads,
    ):
        remote = [processes.submit(run_group, group) for group in in_processes]
        local = list(threads.map(run, here))
        tallies = local + [tally for future in remote for tally in future.result()]
    assert len(tallies) == 16

    problems = [problem for tally in tallies for problem in tally.problems]
    assert problems == [], "\n".join(problems[:40]) + f"\n({len(problems)} problems)"
    for tally in tallies:
        assert tally.statuses[500] == 0
        if tally.kind == "user":  # every kind of call was made and answered right
            for outcome in ("invalid answered", "information", "searches", "orders", "logins"):
                assert tally.outcomes[outcome] > 0, (tally.number, outcome, tally.outcomes)

    def total(kind: str, outcome: str) -> int:
        return sum(t.outcomes[outcome] for t in tallies if t.kind == kind)

    # From the shared address, exactly ADDRESS_LIMIT wrong logins were checked; then 429s.
    assert total("throttled", "checked") == ADDRESS_LIMIT
    assert total("throttled", "throttled") > 0
    # The victim's account: LOCK_AFTER wrong passwords checked (the last one locks it), no more.
    assert total("lockout", "checked") == LOCK_AFTER
    assert total("lockout", "locked now") == 1
    assert total("lockout", "refused, locked") > 0
