"""Drop boxes: the folder each job's file came from, reports delivered to reports/, one-time
installation steps (the demo data set).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "ingest_jobs",
        sa.Column(
            "folder",
            sa.Enum("collection", "granule", "browse", "update", name="drop_folder",
                    native_enum=False, create_constraint=True, length=10),
            nullable=True,
        ),
    )
    op.add_column(
        "ingest_reports", sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "installation_steps",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "done_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_installation_steps")),
    )


def downgrade() -> None:
    op.drop_table("installation_steps")
    op.drop_column("ingest_reports", "delivered_at")
    op.drop_column("ingest_jobs", "folder")
