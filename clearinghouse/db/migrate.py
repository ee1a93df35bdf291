"""Schema migrations with Alembic, configured in code (no alembic.ini to keep in step)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, pool, text

from clearinghouse.errors import DatabaseSetupError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(url: str, revision: str = "head") -> None:
    require_postgis(url)
    command.upgrade(alembic_config(url=url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url=url), revision)


def current(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def require_postgis(url: str, extension: str = "postgis") -> None:
    """Fail with one clear line when the server cannot provide PostGIS."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = :name"),
                {"name": extension},
            ).first()
            server = conn.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()
    if available is None:
        major = str(server).split(".")[0]
        raise DatabaseSetupError(
            f"{extension} is not installed on the database server (PostgreSQL {server}): "
            f"install postgresql-{major}-postgis-3 there (make run does so for the managed "
            "database)"
        )
