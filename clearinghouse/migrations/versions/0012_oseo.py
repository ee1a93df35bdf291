"""OSEO: the client's references, notification wishes and item ids of orders placed through OSEO.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oseo_orders",
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("order_reference", sa.Text(), nullable=True),
        sa.Column("order_remark", sa.Text(), nullable=True),
        sa.Column("order_type", sa.Text(), server_default="PRODUCT_ORDER", nullable=False),
        sa.Column("delivery", postgresql.JSONB(), nullable=True),
        sa.Column("status_notification", sa.Text(), server_default="None", nullable=False),
        sa.Column("reply_to", sa.Text(), nullable=True),
        sa.Column("soap_version", sa.Text(), nullable=True),
        sa.Column("notify_pending", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("notified_status", sa.Text(), nullable=True),
        sa.Column("notify_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_notify_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "described_urls", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_oseo_orders_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_oseo_orders")),
    )
    op.create_index(
        "ix_oseo_orders_to_notify",
        "oseo_orders",
        ["order_id"],
        postgresql_where=sa.text("notify_pending"),
    )
    op.create_table(
        "oseo_items",
        sa.Column("order_item_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_oseo_items_order_item_id_order_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_item_id", name=op.f("pk_oseo_items")),
    )


def downgrade() -> None:
    op.drop_table("oseo_items")
    op.drop_index("ix_oseo_orders_to_notify", "oseo_orders")
    op.drop_table("oseo_orders")
