"""Catalog search: result sets.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "result_sets",
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("sort", sa.String(length=20), nullable=False),
        sa.Column("result_format", sa.String(length=10), nullable=False),
        sa.Column("hits", sa.BigInteger(), nullable=False),
        sa.Column("hits_estimated", sa.Boolean(), nullable=False),
        sa.Column("max_results", sa.BigInteger(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_key", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                                name=op.f("fk_result_sets_session_id_sessions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("guid", name=op.f("pk_result_sets")),
    )
    op.create_index(op.f("ix_result_sets_session_id"), "result_sets", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_result_sets_session_id"), table_name="result_sets")
    op.drop_table("result_sets")
