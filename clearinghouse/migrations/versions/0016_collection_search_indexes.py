"""Catalog search within a collection: its granules in an area from one index (collection and
footprint rectangle in one GiST tree, through btree_gist), and its live granules' ids, deletion
times and insert times in one index, so that pages and hit counts need not visit the table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_index("ix_granules_collection_id_spatial_mbr", "granules",
                    ["collection_id", "spatial_mbr"], postgresql_using="gist")
    op.drop_index("ix_granules_live_collection_id", table_name="granules")
    op.create_index(
        "ix_granules_live_collection_id",
        "granules",
        ["collection_id", "id"],
        postgresql_include=["delete_time", "created_at"],
        postgresql_where=sa.text("deleted_at IS NULL AND visible IS TRUE"),
    )


def downgrade() -> None:
    op.drop_index("ix_granules_live_collection_id", table_name="granules")
    op.create_index("ix_granules_live_collection_id", "granules", ["collection_id", "id"],
                    postgresql_where=sa.text("deleted_at IS NULL"))
    op.drop_index("ix_granules_collection_id_spatial_mbr", table_name="granules")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
