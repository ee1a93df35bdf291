"""Alembic environment: run by clearinghouse.db.migrate with a URL or an open connection."""

from alembic import context

from clearinghouse.db.base import Base
from clearinghouse.migrations.schema import __all__ as _all_models  # noqa: F401  (every table)

config = context.config
target_metadata = Base.metadata

# Tables that extensions own (PostGIS): never ours to create, alter or drop.
EXTENSION_TABLES = {"spatial_ref_sys", "geography_columns", "geometry_columns"}


def include_name(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name in EXTENSION_TABLES)


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        include_name=include_name,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from sqlalchemy import create_engine, pool

    engine = create_engine(config.attributes["url"], poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_migrations(conn)
        conn.commit()
    engine.dispose()
