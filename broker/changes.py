"""The one applier of a provider order's state change, whoever causes it: a client's transaction,
a partner's callback (both through ``broker.events``) or the worker recording a batch of answers.
What a change records — the provider order's columns, its status messages, the partner request it
sends, the announcement to the doors — is written here, in a few set-based statements per call, in
the caller's transaction (CONTRACT §7.2: a request is never recorded without its state change).
The rule deciding the new state is ``broker.states.next_state``; callers decide, this records.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from broker import announce, partner
from broker.models import Order, OrderItem, ProviderOrder
from broker.models import ProviderOrderState as S
from clearinghouse.accounts.models import Transaction

#: Workers LISTEN here; the payload is unused (any worker may take any request).
CHANNEL = "clearinghouse_dispatch"
MESSAGE_KEPT = 4000
MAX_ACCESS_URLS = 1000

RECORD_ORDERS = text("""
    UPDATE provider_orders AS p
    SET state = coalesce(v.state, p.state), tracking_id = coalesce(v.tracking_id, p.tracking_id),
        quote = coalesce(v.quote, p.quote), acceptance = coalesce(v.acceptance, p.acceptance),
        total_price = coalesce(v.total_price, p.total_price),
        quote_expires_at = coalesce(v.quote_expires_at, p.quote_expires_at),
        access_urls = coalesce(v.access_urls, p.access_urls), updated_at = now()
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(id bigint, state text, tracking_id text,
         quote jsonb, acceptance jsonb, total_price numeric, quote_expires_at timestamptz,
         access_urls text[])
    WHERE p.id = v.id
    RETURNING p.id, p.updated_at
""")
RECORD_MESSAGES = text("""
    INSERT INTO status_messages (provider_order_id, state, source, message)
    SELECT v.id, v.state, v.source, v.message
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(id bigint, state text, source text,
         message text)
""")
RECORD_REQUESTS = text("""
    INSERT INTO dispatch_requests (provider_order_id, provider_id, transaction, request_id,
                                   payload)
    SELECT v.id, v.provider_id, v.transaction, v.request_id, v.payload
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(id bigint, provider_id text,
         transaction text, request_id uuid, payload text)
""")
COLUMNS = ("tracking_id", "quote", "acceptance", "total_price", "quote_expires_at", "access_urls")


@dataclasses.dataclass
class Change:
    """What happens to one provider order: its new state (None: unchanged), columns to set (of
    ``COLUMNS``), status messages as (source, state after, text), the request to send the partner.
    """

    state: S | None
    columns: dict[str, Any] = dataclasses.field(default_factory=dict)
    messages: list[tuple[str, S, str]] = dataclasses.field(default_factory=list)
    request: Transaction | None = None
    provider_order_id: int | None = None
    order_id: int | None = None

    def say(self, source: str, text: str, state: S | None = None) -> None:
        self.messages.append((source, state or self.state, text[:MESSAGE_KEPT]))


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What the database made of the changed provider orders: when each was last updated."""

    updated_at: dict[int, Any]


def apply(session: Session, changes: list[Change]) -> Recorded:
    """Record ``changes`` (several of one provider order: in turn, the last state wins)."""
    session.flush()  # the ORM's pending rows first: the statements below refer to them
    orders: dict[int, dict[str, Any]] = {}
    messages, wanted = [], []
    for change in changes:
        po_id = change.provider_order_id
        if change.state is not None or change.columns:
            row = orders.setdefault(po_id, {"id": po_id})
            row.update(change.columns)
            if change.state is not None:
                row["state"] = change.state.value
        messages += [
            {"id": po_id, "state": state.value, "source": source, "message": text[:MESSAGE_KEPT]}
            for source, state, text in change.messages
        ]
        if change.request is not None:
            wanted.append((po_id, change.request))
    updated = {}
    if orders:
        rows = json_rows(list(orders.values()))
        updated = dict(session.execute(RECORD_ORDERS, {"rows": rows}).all())
    if messages:
        session.execute(RECORD_MESSAGES, {"rows": json_rows(messages)})
    if wanted:
        _enqueue(session, wanted)
    moved = [c for c in changes if c.state is not None]
    announce.announce(
        session,
        announce.Changed(
            order_ids=frozenset(c.order_id for c in moved if c.order_id is not None),
            provider_order_ids=frozenset(c.provider_order_id for c in moved),
        ),
    )
    return Recorded(updated)


def _enqueue(session: Session, wanted: list[tuple[int, Transaction]]) -> None:
    ids = sorted({po_id for po_id, _ in wanted})
    heads = {
        row.id: row
        for row in session.execute(
            select(
                ProviderOrder.id,
                ProviderOrder.provider_id,
                ProviderOrder.tracking_id,
                Order.guid,
                Order.user_information,
            )
            .join(Order, Order.id == ProviderOrder.order_id)
            .where(ProviderOrder.id.in_(ids))
        )
    }
    items: dict[int, list[tuple]] = {po_id: [] for po_id in ids}
    for row in session.execute(
        select(
            OrderItem.provider_order_id,
            OrderItem.catalog_item_id,
            OrderItem.quantity,
            OrderItem.option_selection,
        )
        .where(OrderItem.provider_order_id.in_(ids))
        .order_by(OrderItem.id)
    ):
        items[row.provider_order_id].append((row[1], row[2], row[3]))
    rows = []
    for po_id, transaction in wanted:
        head, request_id = heads[po_id], str(uuid.uuid4())
        payload = partner.build_request(
            transaction,
            request_id=request_id,
            provider_id=head.provider_id,
            order_guid=str(head.guid),
            tracking_id=head.tracking_id or str(head.guid),
            user=dict(head.user_information or {}),
            items=items[po_id],
        )
        rows.append(
            {
                "id": po_id,
                "provider_id": head.provider_id,
                "transaction": transaction.value,
                "request_id": request_id,
                "payload": payload,
            }
        )
    session.execute(RECORD_REQUESTS, {"rows": json_rows(rows)})
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def json_rows(rows: list[dict]) -> str:
    """The rows as one JSON parameter. A partner's words (an HTTP reason, an answer kept) may hold
    NUL, which PostgreSQL text cannot: it is written as the four characters \\x00."""
    clean = [
        {k: v.replace("\x00", "\\x00") if isinstance(v, str) else v for k, v in row.items()}
        for row in rows
    ]
    return json.dumps(clean, default=str)
