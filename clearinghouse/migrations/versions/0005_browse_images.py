"""Browse: images hosted by us or at a URL of the partner, linked by their ProviderBrowseId from the
records that name them (``browse_ids``) instead of link tables, so that either may arrive first.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:05:21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_granule_browse_browse_id"), table_name="granule_browse")
    op.drop_table("granule_browse")
    op.drop_index(op.f("ix_collection_browse_browse_id"), table_name="collection_browse")
    op.drop_table("collection_browse")
    op.add_column("browse_images", sa.Column("file_url", sa.Text(), nullable=True))
    op.add_column("browse_images", sa.Column("mime_type", sa.Text(), nullable=True))
    op.add_column(
        "browse_images", sa.Column("delete_time", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("browse_images", sa.Column("last_job_id", sa.BigInteger(), nullable=True))
    op.alter_column("browse_images", "file_name", existing_type=sa.TEXT(), nullable=True)
    op.alter_column("browse_images", "file_size", existing_type=sa.BIGINT(), nullable=True)
    op.alter_column("browse_images", "stored_path", existing_type=sa.TEXT(), nullable=True)
    op.add_column(
        "collections",
        sa.Column("browse_ids", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column(
        "granules",
        sa.Column("browse_ids", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("granules", "browse_ids")
    op.drop_column("collections", "browse_ids")
    op.alter_column("browse_images", "stored_path", existing_type=sa.TEXT(), nullable=False)
    op.alter_column("browse_images", "file_size", existing_type=sa.BIGINT(), nullable=False)
    op.alter_column("browse_images", "file_name", existing_type=sa.TEXT(), nullable=False)
    op.drop_column("browse_images", "last_job_id")
    op.drop_column("browse_images", "delete_time")
    op.drop_column("browse_images", "mime_type")
    op.drop_column("browse_images", "file_url")
    op.create_table(
        "collection_browse",
        sa.Column("collection_id", sa.BIGINT(), autoincrement=False, nullable=False),
        sa.Column("browse_id", sa.BIGINT(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["browse_id"],
            ["browse_images.id"],
            name=op.f("fk_collection_browse_browse_id_browse_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_collection_browse_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "browse_id", name=op.f("pk_collection_browse")),
    )
    op.create_index(
        op.f("ix_collection_browse_browse_id"), "collection_browse", ["browse_id"], unique=False
    )
    op.create_table(
        "granule_browse",
        sa.Column("granule_id", sa.BIGINT(), autoincrement=False, nullable=False),
        sa.Column("browse_id", sa.BIGINT(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["browse_id"],
            ["browse_images.id"],
            name=op.f("fk_granule_browse_browse_id_browse_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granule_id"],
            ["granules.id"],
            name=op.f("fk_granule_browse_granule_id_granules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("granule_id", "browse_id", name=op.f("pk_granule_browse")),
    )
    op.create_index(
        op.f("ix_granule_browse_browse_id"), "granule_browse", ["browse_id"], unique=False
    )
