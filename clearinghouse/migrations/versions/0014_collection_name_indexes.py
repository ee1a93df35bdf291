"""Catalog search: collections indexed by their lower-cased platforms, instruments and sensors, as
granules are (a granule search by platform looks up its collections first).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("platforms", "instruments", "sensors")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(f"ix_collections_{column}", "collections",
                        [sa.text(f"lower_array({column})")], postgresql_using="gin")


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_collections_{column}", table_name="collections")
