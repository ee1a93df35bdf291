"""What an order placed through OSEO keeps besides the broker's order: the client's own
references, how and where it wants to be told of progress, and what it was last told."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clearinghouse.db.base import Base


class OseoOrder(Base):
    __tablename__ = "oseo_orders"
    __table_args__ = (
        # The notifier's work: orders whose client still waits for news.
        Index("ix_oseo_orders_to_notify", "order_id", postgresql_where=text("notify_pending")),
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    #: "order" (Submit) or "quotation" (GetQuotation, until submitted by its quotationId)
    kind: Mapped[str] = mapped_column(Text)
    order_reference: Mapped[str | None] = mapped_column(Text)
    order_remark: Mapped[str | None] = mapped_column(Text)
    order_type: Mapped[str] = mapped_column(Text, server_default="PRODUCT_ORDER")
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    #: None, Final or All (Submit/Cancel's statusNotification)
    status_notification: Mapped[str] = mapped_column(Text, server_default="None")
    reply_to: Mapped[str | None] = mapped_column(Text)
    soap_version: Mapped[str | None] = mapped_column(Text)
    notify_pending: Mapped[bool] = mapped_column(server_default="false")
    notified_status: Mapped[str | None] = mapped_column(Text)
    notify_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_notify_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: URLs DescribeResultAccess(nextReady) has already given
    described_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")


class OseoItem(Base):
    """The client's itemId of each order item, and its options as the client sent them."""

    __tablename__ = "oseo_items"

    order_item_id: Mapped[int] = mapped_column(
        ForeignKey("order_items.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(Text)
    remark: Mapped[str | None] = mapped_column(Text)
