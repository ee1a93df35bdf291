"""The records that name a browse image, found by its id: serving an image asks whether the caller
may read one of them. Partial: most granules name no browse, and an index of them costs ingest.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:10:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("collections", "granules")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_browse_ids", table, ["browse_ids"], postgresql_using="gin",
                        postgresql_where=text("browse_ids <> '{}'"))


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_browse_ids", table_name=table)
