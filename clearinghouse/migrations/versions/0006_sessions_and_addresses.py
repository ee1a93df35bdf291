"""Client API: named addresses, login attempts for throttling, sessions found by user.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("addresses", sa.Column("name", sa.String(length=100), nullable=False))
    op.add_column(
        "addresses", sa.Column("us_format", sa.Boolean(), server_default="true", nullable=False)
    )
    op.alter_column("addresses", "kind", existing_type=sa.VARCHAR(length=8), nullable=True)
    op.create_unique_constraint(
        op.f("uq_addresses_user_id_name"), "addresses", ["user_id", "name"]
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("remote_address", sa.Text(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_remote_address_at",
        "login_attempts",
        ["remote_address", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_login_attempts_remote_address_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_constraint(op.f("uq_addresses_user_id_name"), "addresses", type_="unique")
    op.alter_column("addresses", "kind", existing_type=sa.VARCHAR(length=8), nullable=False)
    op.drop_column("addresses", "us_format")
    op.drop_column("addresses", "name")
