"""Granules' orbit ranges as numeric ranges: ECHO 10's StartOrbitNumber and StopOrbitNumber are
decimals (fractions of an orbit) and its OrbitNumber an integer of any size.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _convert(kind: sa.types.TypeEngine, rebuild: str) -> None:
    """orbit_ranges rebuilt range by range (ALTER … USING takes no subquery)."""
    op.add_column("granules", sa.Column("orbit_spans", kind, server_default="{}", nullable=False))
    op.execute(f"""
        UPDATE granules SET orbit_spans = (
            SELECT coalesce(range_agg({rebuild}), '{{}}') FROM unnest(orbit_ranges) r)
        WHERE NOT isempty(orbit_ranges)
    """)
    op.drop_column("granules", "orbit_ranges")
    op.alter_column("granules", "orbit_spans", new_column_name="orbit_ranges")


def upgrade() -> None:
    _convert(postgresql.NUMMULTIRANGE(), "numrange(lower(r), upper(r) - 1, '[]')")


def downgrade() -> None:
    _convert(postgresql.INT4MULTIRANGE(),
             "int4range(floor(lower(r))::int, ceil(upper(r))::int, '[]')")
