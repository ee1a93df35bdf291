"""Database access: the engine, sessions, and where the URL comes from."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from clearinghouse.config import Settings
from clearinghouse.db.cluster import ManagedCluster
from clearinghouse.db.errors import translated


def managed_cluster(settings: Settings) -> ManagedCluster:
    return ManagedCluster(settings.pg_dir, port=settings.pg_port)


def database_url(settings: Settings) -> str:
    """The external URL when one is configured, the managed cluster's otherwise."""
    if settings.database_url:
        return settings.database_url
    return managed_cluster(settings).url()


#: Seconds a pooled connection may sit unused before it is pinged at its next checkout.
PING_AFTER = 1.0


def make_engine(url: str, **options) -> Engine:
    engine = create_engine(
        url,
        connect_args={"connect_timeout": 3, "application_name": "clearinghouse"},
        **options,
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """A restarted database is picked up again without restarting the process: a connection that
    sat unused is pinged before use and replaced if the database has gone away meanwhile. One in
    steady use is not (pool_pre_ping pings every checkout: a round trip to the database, a fifth
    of a trivial request's); if the database goes away between two uses, that request fails and
    the pool is renewed, as it would be after a ping."""

    @event.listens_for(engine.pool, "checkin")
    def returned(dbapi_connection, record) -> None:
        record.info["clearinghouse.returned"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def taken(dbapi_connection, record, proxy) -> None:
        returned_at = record.info.get("clearinghouse.returned")
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER:
            return  # just connected, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise sa_exc.DisconnectionError() from error  # the pool connects anew
            raise


class Database:
    """Hands out sessions. Bound to an engine, or, in tests, to one connection inside a transaction
    whose sessions each work in a savepoint."""

    def __init__(self, bind: Engine | Connection):
        self.bind = bind
        self.engine = bind if isinstance(bind, Engine) else bind.engine
        options = (
            {"join_transaction_mode": "create_savepoint"} if isinstance(bind, Connection) else {}
        )
        self._sessions = sessionmaker(bind=bind, expire_on_commit=False, **options)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with translated(), self._sessions() as session, session.begin():
            yield session

    def new_session(self) -> Session:
        """A session whose transaction the caller ends (commit or rollback)."""
        return self._sessions()

    def ping(self) -> dict:
        """The database's state for /health; DatabaseUnavailable when it cannot be reached."""
        with translated(), self._connection() as conn:
            version, postgis, migrated = conn.execute(
                text(
                    "SELECT current_setting('server_version'),"
                    " (SELECT extversion FROM pg_extension WHERE extname = 'postgis'),"
                    " to_regclass('alembic_version') IS NOT NULL"
                )
            ).one()
            schema = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if migrated
                else None
            )
        return {"state": "up", "server_version": version, "postgis": postgis, "schema": schema}

    def _connection(self) -> contextlib.AbstractContextManager[Connection]:
        if isinstance(self.bind, Engine):
            return self.bind.connect()
        return contextlib.nullcontext(self.bind)
