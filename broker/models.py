"""Orders, provider orders, line items, options, status history and dispatch requests."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from clearinghouse.accounts.models import Transaction
from clearinghouse.db.base import Base, id_column, now_column, text_enum, touched_column


class ProviderOrderState(enum.Enum):
    """CONTRACT §7.1, exact names."""

    NOT_VALIDATED = "NOT_VALIDATED"
    VALIDATED = "VALIDATED"
    QUOTING = "QUOTING"
    QUOTED = "QUOTED"
    QUOTE_FAILED = "QUOTE_FAILED"
    QUOTE_REJECTED = "QUOTE_REJECTED"
    SUBMITTING = "SUBMITTING"
    PROCESSING = "PROCESSING"
    CANCELLING = "CANCELLING"
    DELETED = "DELETED"
    SUBMIT_FAILED = "SUBMIT_FAILED"
    SUBMIT_REJECTED = "SUBMIT_REJECTED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = id_column()
    # The order's id outside (ECHOOrderID): not guessable, not a count of the broker's orders.
    guid: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), unique=True, server_default=text("gen_random_uuid()")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[str | None] = mapped_column(Text)
    user_information: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()


class ProviderOrder(Base):
    """The part of an order that goes to one partner, and its state."""

    __tablename__ = "provider_orders"
    __table_args__ = (UniqueConstraint("order_id", "provider_id"),)

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.provider_id"), index=True)
    state: Mapped[ProviderOrderState] = mapped_column(
        text_enum(ProviderOrderState, "provider_order_state"),
        server_default=ProviderOrderState.NOT_VALIDATED.value,
    )
    tracking_id: Mapped[str | None] = mapped_column(Text)
    # The partner's quote and acceptance (seed slides 74–75), as the partner gave them.
    total_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    price_details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    quote_expires_at: Mapped[datetime | None]
    quote: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    acceptance: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Where the client fetches the data, as the partner reports it.
    access_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider_order_id: Mapped[int] = mapped_column(
        ForeignKey("provider_orders.id", ondelete="CASCADE"), index=True
    )
    catalog_item_id: Mapped[str] = mapped_column(Text)
    # The collection whose option definitions apply (the item itself, or a granule's).
    collection_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("collections.id", ondelete="SET NULL")
    )
    quantity: Mapped[int] = mapped_column(Integer, server_default="1")
    option_selection: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = now_column()


class OptionDefinition(Base):
    """A partner's option definition tree (seed slides 63–70), for all or one of its collections."""

    __tablename__ = "option_definitions"
    # One definition of a name for all collections (collection_id NULL) and one per collection.
    __table_args__ = (
        UniqueConstraint(
            "provider_id", "collection_id", "name", postgresql_nulls_not_distinct=True
        ),
    )

    id: Mapped[int] = id_column()
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="CASCADE")
    )
    collection_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("collections.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()


class StatusMessage(Base):
    """The timestamped status history of a provider order."""

    __tablename__ = "status_messages"

    id: Mapped[int] = id_column()
    provider_order_id: Mapped[int] = mapped_column(
        ForeignKey("provider_orders.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ProviderOrderState | None] = mapped_column(
        text_enum(ProviderOrderState, "provider_order_state")
    )
    # Who wrote it: the broker, the partner, or the client.
    source: Mapped[str] = mapped_column(Text, server_default="broker")
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()


class DispatchStatus(enum.Enum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class DispatchRequest(Base):
    """A quote, submit or cancel to send to a partner, written with the state change causing it."""

    __tablename__ = "dispatch_requests"
    __table_args__ = (
        Index(
            "ix_dispatch_requests_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # A worker's batch: more due requests of the partner it is sending to.
        Index(
            "ix_dispatch_requests_due_per_provider",
            "provider_id",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = id_column()
    provider_order_id: Mapped[int] = mapped_column(
        ForeignKey("provider_orders.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.provider_id"))
    transaction: Mapped[Transaction] = mapped_column(text_enum(Transaction, "transaction"))
    request_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), unique=True, server_default=text("gen_random_uuid()")
    )
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[DispatchStatus] = mapped_column(
        text_enum(DispatchStatus, "dispatch_status"), server_default=DispatchStatus.PENDING.value
    )
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = now_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
    completed_at: Mapped[datetime | None]
