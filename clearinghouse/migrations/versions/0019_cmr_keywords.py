"""CMR's search parameters: a collection's words for ``keyword`` (a full-text vector the database
keeps, GIN-indexed), and granule URs and producer ids indexed lower-cased (CMR ignores their case
by default).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

#: As the model states it (``clearinghouse.catalog.models.KEYWORDS``) on this revision.
KEYWORDS = ("catalog_keywords(ARRAY[short_name, version_id, dataset_id, entry_id, processing_level,"
            " archive_center, provider_id] || platforms || instruments || sensors || campaigns"
            " || spatial_keywords, science_keywords, xml)")

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Names weigh most (A), science keywords next (B), the summary (ECHO 10's Description) least
    # (D). IMMUTABLE as a generated column needs: the result depends on the arguments alone.
    op.execute("""
        CREATE FUNCTION catalog_keywords(names text[], science jsonb, xml text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN setweight(to_tsvector('simple', array_to_string(names, ' ')), 'A')
            || setweight(to_tsvector('simple', coalesce((
                   SELECT string_agg(level.value, ' ')
                   FROM jsonb_array_elements(science) keyword, jsonb_each_text(keyword) level
               ), '')), 'B')
            || setweight(to_tsvector('simple', coalesce(array_to_string(
                   xpath('/Collection/Description/text()', xmlparse(document xml)), ' '), '')), 'D')
    """)
    op.add_column("collections", sa.Column("keywords", TSVECTOR,
                                           sa.Computed(KEYWORDS, persisted=True)))
    op.create_index("ix_collections_keywords", "collections", ["keywords"],
                    postgresql_using="gin")
    op.execute("CREATE INDEX ix_granules_granule_ur_lower ON granules"
               " (lower(granule_ur::text) text_pattern_ops)")
    op.execute("CREATE INDEX ix_granules_producer_granule_id_lower ON granules"
               " (lower(producer_granule_id) text_pattern_ops)")


def downgrade() -> None:
    op.drop_index("ix_granules_producer_granule_id_lower", table_name="granules")
    op.drop_index("ix_granules_granule_ur_lower", table_name="granules")
    op.drop_index("ix_collections_keywords", table_name="collections")
    op.drop_column("collections", "keywords")
    op.execute("DROP FUNCTION catalog_keywords(text[], jsonb, text)")
