"""Order broker: order guids, dispatch requests by partner, partners' quotes and acceptances, access URLs, the item's collection,
status message sources, one option definition per name and scope.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "orders",
        sa.Column("guid", postgresql.UUID(as_uuid=True),
                  server_default=sa.text("gen_random_uuid()"), nullable=False),
    )
    op.create_unique_constraint(op.f("uq_orders_guid"), "orders", ["guid"])
    op.add_column("provider_orders", sa.Column("quote", postgresql.JSONB(), nullable=True))
    op.add_column("provider_orders", sa.Column("acceptance", postgresql.JSONB(), nullable=True))
    op.add_column(
        "provider_orders",
        sa.Column("access_urls", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column("order_items", sa.Column("collection_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_order_items_collection_id_collections"),
        "order_items", "collections", ["collection_id"], ["id"], ondelete="SET NULL",
    )
    op.add_column(
        "status_messages",
        sa.Column("source", sa.Text(), server_default="broker", nullable=False),
    )
    op.drop_constraint(
        "uq_option_definitions_provider_id_collection_id_name", "option_definitions"
    )
    op.create_unique_constraint(
        op.f("uq_option_definitions_provider_id_collection_id_name"),
        "option_definitions",
        ["provider_id", "collection_id", "name"],
        postgresql_nulls_not_distinct=True,
    )
    op.create_index("ix_orders_user_id_created_at", "orders", ["user_id", "created_at"])
    op.add_column("dispatch_requests", sa.Column("provider_id", sa.String(40), nullable=True))
    op.execute("""UPDATE dispatch_requests d SET provider_id = po.provider_id
                  FROM provider_orders po WHERE po.id = d.provider_order_id""")
    op.alter_column("dispatch_requests", "provider_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_dispatch_requests_provider_id_providers"),
        "dispatch_requests", "providers", ["provider_id"], ["provider_id"],
    )
    op.create_index(
        "ix_dispatch_requests_due_per_provider",
        "dispatch_requests",
        ["provider_id", "next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_dispatch_requests_due_per_provider", "dispatch_requests")
    op.drop_constraint("fk_dispatch_requests_provider_id_providers", "dispatch_requests")
    op.drop_column("dispatch_requests", "provider_id")
    op.drop_index("ix_orders_user_id_created_at", "orders")
    op.drop_constraint(
        "uq_option_definitions_provider_id_collection_id_name", "option_definitions"
    )
    op.create_unique_constraint(
        "uq_option_definitions_provider_id_collection_id_name",
        "option_definitions",
        ["provider_id", "collection_id", "name"],
    )
    op.drop_column("status_messages", "source")
    op.drop_constraint("fk_order_items_collection_id_collections", "order_items")
    op.drop_column("order_items", "collection_id")
    op.drop_column("provider_orders", "access_urls")
    op.drop_column("provider_orders", "acceptance")
    op.drop_column("provider_orders", "quote")
    op.drop_constraint("uq_orders_guid", "orders")
    op.drop_column("orders", "guid")
