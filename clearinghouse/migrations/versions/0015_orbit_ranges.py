"""Granules keep the orbits they span as ranges (StartOrbitNumber to StopOrbitNumber as well as
OrbitNumber), replacing the list of single orbit numbers.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "granules",
        sa.Column("orbit_ranges", postgresql.INT4MULTIRANGE(), server_default="{}",
                  nullable=False),
    )
    op.execute("""
        UPDATE granules SET orbit_ranges = (
            SELECT coalesce(range_agg(int4range(n, n, '[]')), '{}') FROM unnest(orbit_numbers) n)
        WHERE orbit_numbers <> '{}'
    """)
    op.drop_column("granules", "orbit_numbers")


def downgrade() -> None:
    op.add_column(
        "granules",
        sa.Column("orbit_numbers", postgresql.ARRAY(sa.Integer()), server_default="{}",
                  nullable=False),
    )
    op.execute("""
        UPDATE granules SET orbit_numbers = ARRAY(
            SELECT generate_series(lower(r), upper(r) - 1) FROM unnest(orbit_ranges) r)
        WHERE orbit_ranges <> '{}'
    """)
    op.drop_column("granules", "orbit_ranges")
