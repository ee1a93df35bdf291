"""The test harness: a throwaway PostGIS per test process, migrated once with Alembic; each test
runs inside a transaction (its sessions in savepoints) that is rolled back afterwards."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from clearinghouse.config import Address, Settings
from clearinghouse.db import Database, make_engine, migrate
from clearinghouse.db.cluster import ManagedCluster
from clearinghouse.outbound import Policy, parse_allow

SHARED = Path(__file__).resolve().parents[2] / "shared"
# Partners' simulators and OSEO clients' listeners run on loopback here: the tests' settings allow
# it explicitly (the default allows public addresses only).
OUTBOUND_ALLOW = "127.0.0.1"
OUTBOUND = Policy(allowed=parse_allow(OUTBOUND_ALLOW))
# Throwaway clusters trade durability for speed.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def ephemeral_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_dir(prefix: str) -> Path:
    """A folder the postgres user can reach too (pytest's tmp_path is closed to other users),
    removed when the test process ends (atexit: tests import this module under a second name)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    atexit.register(shutil.rmtree, path, True)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[ManagedCluster]:
    root = scratch_dir("clearinghouse-test-")
    cluster = ManagedCluster(root / "pg", port=ephemeral_port(), settings=FAST)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(pg_cluster: ManagedCluster) -> str:
    url = pg_cluster.url()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def db(connection: Connection) -> Database:
    return Database(connection)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session inside the test's transaction; whatever it did is rolled back afterwards."""
    session = db.new_session()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        http=Address("127.0.0.1", ephemeral_port()),
        outbound_allow=OUTBOUND.allowed,
    )


@pytest.fixture
def app(db: Database, settings: Settings):
    from clearinghouse.web import create_app

    return create_app({"SETTINGS": settings, "DATABASE": db, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running `clearinghouse` as a real process with a home of its own."""
    home = scratch_dir("clearinghouse-home-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(
        CLEARINGHOUSE_HOME=str(home),
        CLEARINGHOUSE_PG_PORT=str(ephemeral_port()),
        CLEARINGHOUSE_HTTP=f"127.0.0.1:{ephemeral_port()}",
        CLEARINGHOUSE_FTP=f"127.0.0.1:{ephemeral_port()}",
        CLEARINGHOUSE_HTTP_WORKERS="1",
        CLEARINGHOUSE_OUTBOUND_ALLOW=OUTBOUND_ALLOW,
    )
    yield env
    cluster = ManagedCluster(home / "pg")
    cluster.destroy()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def catalog(db, session, tmp_path):
    """A small catalog to search: the real samples (PODAAC) and made-up records (MADEUP)."""
    from tests.catalog_support import load_catalog

    return load_catalog(db, session, tmp_path)


@pytest.fixture
def shop(database_url, tmp_path):
    """Committed partners and a buyer, the API over HTTP, worker processes (tests/shop_support)."""
    from tests.shop_support import Shop

    shop = Shop(database_url, tmp_path / "home")
    try:
        yield shop
    finally:
        shop.close()


@pytest.fixture
def sim():
    """Simulated partners on loopback."""
    from partner_sim import PartnerSimulator

    with PartnerSimulator() as simulator:
        yield simulator


@pytest.fixture
def live(db, settings):
    """The API served over real HTTP on the test's database: its base URL (the client toolkit's
    tests talk to it)."""
    from tests.server_support import served

    with served(db, settings) as url:
        yield url
