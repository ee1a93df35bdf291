"""Catalog search: casts that give NULL instead of failing, for typed additional attributes (a
partner's value that is not a date simply does not match a date search).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = {
    "try_numeric": "numeric",
    "try_timestamptz": "timestamptz",
    "try_time": "time",
}


def upgrade() -> None:
    for name, kind in FUNCTIONS.items():
        op.execute(f"""
            CREATE FUNCTION {name}(value text) RETURNS {kind}
            LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
            BEGIN
                RETURN value::{kind};
            EXCEPTION WHEN others THEN
                RETURN NULL;
            END $$
        """)


def downgrade() -> None:
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}(text)")
