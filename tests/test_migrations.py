"""The migrations build exactly the schema the models describe, and can be undone."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool, text
from sqlalchemy.engine import make_url

from clearinghouse.db import migrate
from clearinghouse.errors import DatabaseSetupError
from clearinghouse.migrations.schema import Base


@pytest.fixture
def empty_database(pg_cluster):
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield pg_cluster.url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(url):
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_to_head_matches_the_models(empty_database):
    assert migrate.current(empty_database) is None
    migrate.upgrade(empty_database)
    assert migrate.current(empty_database) == migrate.head()

    engine = create_engine(empty_database, poolclass=pool.NullPool)
    with engine.connect() as conn:
        postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar()
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": lambda name, kind, _: (
                    not (kind == "table" and name == "spatial_ref_sys")
                ),
            },
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert postgis.startswith("3.")
    assert differences == []
    assert _tables(empty_database) == set(Base.metadata.tables) | {"alembic_version"}


def test_downgrade_to_base_and_upgrade_again(empty_database):
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    assert migrate.current(empty_database) is None
    assert _tables(empty_database) <= {"alembic_version"}
    migrate.upgrade(empty_database)
    assert migrate.current(empty_database) == migrate.head()


def test_upgrade_is_idempotent(empty_database):
    migrate.upgrade(empty_database)
    migrate.upgrade(empty_database)
    assert migrate.current(empty_database) == migrate.head()


def test_a_server_without_postgis_gets_one_clear_line(empty_database):
    # The machine has PostGIS; ask for an extension no server has to walk the refusal path.
    with pytest.raises(DatabaseSetupError) as info:
        migrate.require_postgis(empty_database, extension="postgis_not_installed_here")
    message = str(info.value)
    assert "postgis_not_installed_here is not installed on the database server" in message
    assert "install postgresql-15-postgis-3" in message
    assert make_url(empty_database).password not in message
