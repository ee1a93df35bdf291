"""Ingest: every time a record covers as a multirange, its periodic patterns, and the ingest job
that last wrote it (a second copy of a record in the same file is a duplicate).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:53:40
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("collections", "granules")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("temporal", postgresql.TSTZMULTIRANGE(), nullable=True))
        op.add_column(
            table,
            sa.Column(
                "temporal_periodic", postgresql.JSONB(astext_type=sa.Text()), nullable=True
            ),
        )
        op.add_column(table, sa.Column("last_job_id", sa.BigInteger(), nullable=True))
        op.create_index(f"ix_{table}_temporal", table, ["temporal"], postgresql_using="gist")


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_temporal", table_name=table, postgresql_using="gist")
        op.drop_column(table, "last_job_id")
        op.drop_column(table, "temporal_periodic")
        op.drop_column(table, "temporal")
