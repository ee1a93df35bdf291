"""Orbit granules searchable by backtracking: their ascending crossing and the circular
latitudes they cover in columns, indexed by collection and crossing. Orbit granules keep no footprint (CMR stores none: a swath round the Earth is
no polygon), so the latitude band they were found by until now is cleared.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("orbit_asc_crossing", "orbit_start_clat", "orbit_end_clat")

# spatial.backtrack.granule_clats, for the granules already stored.
BACKFILL = """
WITH o AS (
    SELECT id, (orbit->>'ascending_crossing')::float8 AS lon,
           CASE orbit->>'start_direction' WHEN 'A' THEN (orbit->>'start_lat')::float8
                ELSE 180 - (orbit->>'start_lat')::float8 END AS s,
           CASE orbit->>'end_direction' WHEN 'A' THEN (orbit->>'end_lat')::float8
                ELSE 180 - (orbit->>'end_lat')::float8 END AS e
    FROM granules WHERE orbit IS NOT NULL
), c AS (
    SELECT id, lon, s - 360 * floor(s / 360) AS start,
           CASE WHEN e - s = 360 THEN 360 ELSE (e - s) - 360 * floor((e - s) / 360) END AS span
    FROM o
)
UPDATE granules g SET orbit_asc_crossing = c.lon, orbit_start_clat = c.start,
       orbit_end_clat = c.start + CASE WHEN c.span = 0 THEN 360 ELSE c.span END,
       spatial_geom = NULL, spatial_geog = NULL, spatial_mbr = NULL, global_coverage = false
FROM c WHERE g.id = c.id
"""


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("granules", sa.Column(name, sa.Float(), nullable=True))
    op.execute(BACKFILL)
    op.create_index(
        "ix_granules_collection_id_orbit_asc_crossing",
        "granules",
        ["collection_id", "orbit_asc_crossing"],
        postgresql_where=text("orbit_asc_crossing IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_granules_collection_id_orbit_asc_crossing", table_name="granules")
    for name in COLUMNS:
        op.drop_column("granules", name)
