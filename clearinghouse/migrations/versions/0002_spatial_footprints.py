"""Spatial footprints on collections and granules: geography for all, planar geometry for
Cartesian records, lon/lat bounding rectangles as the index prefilter, a global flag, and the orbit
of orbit granules.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:23:38
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2.types import Geography, Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("collections", "granules")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "coordinate_system",
                sa.Enum(
                    "CARTESIAN",
                    "GEODETIC",
                    name="coordinate_system",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            ),
        )
        op.add_column(
            table,
            sa.Column("spatial_geom", Geometry(srid=4326, spatial_index=False), nullable=True),
        )
        op.add_column(
            table,
            sa.Column("spatial_geog", Geography(srid=4326, spatial_index=False), nullable=True),
        )
        op.add_column(
            table,
            sa.Column("spatial_mbr", Geometry(srid=4326, spatial_index=False), nullable=True),
        )
        op.add_column(
            table,
            sa.Column("global_coverage", sa.Boolean(), server_default="false", nullable=False),
        )
        op.add_column(
            table, sa.Column("orbit", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
        )
        op.create_index(
            f"ix_{table}_global_coverage",
            table,
            ["global_coverage"],
            postgresql_where=sa.text("global_coverage"),
        )
        for column in ("spatial_geog", "spatial_geom", "spatial_mbr"):
            op.create_index(f"ix_{table}_{column}", table, [column], postgresql_using="gist")


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_spatial_mbr", table_name=table)
        op.drop_index(f"ix_{table}_spatial_geom", table_name=table)
        op.drop_index(f"ix_{table}_spatial_geog", table_name=table)
        op.drop_index(f"ix_{table}_global_coverage", table_name=table)
        for column in (
            "orbit",
            "global_coverage",
            "spatial_geog",
            "spatial_geom",
            "coordinate_system",
        ):
            op.drop_column(table, column)
