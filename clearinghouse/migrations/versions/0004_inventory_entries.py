"""Ingest: the references an inventory lists, kept until the inventory ends.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_inventory_entries",
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("inventory", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["ingest_jobs.id"],
            name=op.f("fk_ingest_inventory_entries_job_id_ingest_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "job_id", "inventory", "key", name=op.f("pk_ingest_inventory_entries")
        ),
    )


def downgrade() -> None:
    op.drop_table("ingest_inventory_entries")
