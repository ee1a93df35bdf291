"""Heartbeats of the parts that answer no request (the ingest scheduler, the broker worker), one
row per running instance, for the operators' page (``clearinghouse.db.heartbeats``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 22:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "heartbeats",
        sa.Column("component", sa.String(40), nullable=False),
        sa.Column("instance", sa.String(300), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pass_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("component", "instance", name="pk_heartbeats"),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
