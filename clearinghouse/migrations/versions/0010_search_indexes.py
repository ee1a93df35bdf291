"""Catalog search: indexes for granule UR prefixes, granules' own platforms/instruments/sensors,
and cloud cover within a collection.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_granules_granule_ur_pattern",
        "granules",
        ["granule_ur"],
        postgresql_ops={"granule_ur": "text_pattern_ops"},
    )
    # Names match case-insensitively by default: the index holds them lower-cased.
    op.execute("""
        CREATE FUNCTION lower_array(names text[]) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN coalesce((SELECT array_agg(lower(name)) FROM unnest(names) name), '{}')
    """)
    for column in ("platforms", "instruments", "sensors"):
        op.create_index(f"ix_granules_{column}", "granules", [sa.text(f"lower_array({column})")],
                        postgresql_using="gin")
    op.create_index(
        "ix_granules_collection_id_cloud_cover", "granules", ["collection_id", "cloud_cover"]
    )


def downgrade() -> None:
    op.drop_index("ix_granules_collection_id_cloud_cover", table_name="granules")
    for column in ("platforms", "instruments", "sensors"):
        op.drop_index(f"ix_granules_{column}", table_name="granules")
    op.execute("DROP FUNCTION lower_array(text[])")
    op.drop_index("ix_granules_granule_ur_pattern", table_name="granules")
