"""Catalog search: the fields the last AQL conditions need (temporal keywords and 2-D coordinate
systems of collections; PGE, production date, 2-D coordinates and equator crossings of granules).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXTS = postgresql.ARRAY(sa.Text())


def upgrade() -> None:
    for column in ("temporal_keywords", "two_d_systems"):
        op.add_column("collections", sa.Column(column, _TEXTS, server_default="{}", nullable=False))
    op.add_column("granules", sa.Column("pge_name", sa.Text(), nullable=True))
    op.add_column("granules", sa.Column("pge_version", sa.Text(), nullable=True))
    op.add_column("granules", sa.Column("production_date", sa.DateTime(timezone=True)))
    op.add_column("granules", sa.Column("two_d_system", sa.Text(), nullable=True))
    for column in ("two_d_coordinate1", "two_d_coordinate2"):
        op.add_column("granules", sa.Column(column, postgresql.NUMRANGE(), nullable=True))
    op.add_column(
        "granules",
        sa.Column("equator_crossing_longitudes", postgresql.ARRAY(sa.Float()),
                  server_default="{}", nullable=False),
    )
    op.add_column(
        "granules",
        sa.Column("equator_crossing_dates", postgresql.ARRAY(sa.DateTime(timezone=True)),
                  server_default="{}", nullable=False),
    )


def downgrade() -> None:
    for column in ("equator_crossing_dates", "equator_crossing_longitudes", "two_d_coordinate2",
                   "two_d_coordinate1", "two_d_system", "production_date", "pge_version",
                   "pge_name"):
        op.drop_column("granules", column)
    for column in ("two_d_systems", "temporal_keywords"):
        op.drop_column("collections", column)
