"""Orders as the broker's messages show them to clients and partners. Encrypted option values are
shown masked, always."""

from __future__ import annotations

from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.models import Order, OrderItem, ProviderOrder, StatusMessage
from broker.options import selection_element
from broker.states import CLOSED
from clearinghouse.api.messages import E, boolean_text

QUOTE_FIELDS = (
    "TotalPrice",
    "DataCost",
    "MediaCost",
    "ShippingCost",
    "HandlingCost",
    "Discount",
    "RecommendedMedia",
    "MediaQuantity",
    "QuoteExpirationDate",
    "additionalInformation",
)
ACCEPTANCE_FIELDS = (
    "TotalPrice",
    "DataCost",
    "MediaCost",
    "ShippingCost",
    "HandlingCost",
    "Discount",
    "MediaQuantity",
    "estimatedShipDate",
    "latestCancelDate",
    "additionalInformation",
)


def _fields(tag: str, values: dict[str, Any] | None, names: tuple[str, ...]):
    if not values:
        return None
    element = etree.Element(tag)
    for name in names:
        if values.get(name) is not None:
            etree.SubElement(element, name).text = str(values[name])
    return element


def provider_order_element(
    session: Session, po: ProviderOrder, order: Order, *, items: bool = True
) -> etree._Element:
    element = E.ProviderOrder(
        E.ProviderId(po.provider_id),
        E.State(po.state.value),
        E.Closed(boolean_text(po.state in CLOSED)),
        E.ProviderTrackingId(po.tracking_id or str(order.guid)),
        E.UpdatedAt(po.updated_at.isoformat()),
    )
    for child in (
        _fields("Quote", po.quote, QUOTE_FIELDS),
        _fields("Acceptance", po.acceptance, ACCEPTANCE_FIELDS),
    ):
        if child is not None:
            element.append(child)
    if po.access_urls:
        element.append(E.OnlineAccessURLs(*(E.URL(url) for url in po.access_urls)))
    if items:
        rows = session.scalars(
            select(OrderItem).where(OrderItem.provider_order_id == po.id).order_by(OrderItem.id)
        )
        element.extend(item_element(row) for row in rows)
    return element


def item_element(row: OrderItem) -> etree._Element:
    element = E.OrderItem(E.CatalogItemId(row.catalog_item_id), E.Quantity(str(row.quantity)))
    if row.option_selection:
        element.append(selection_element(row.option_selection, [], reveal=False))
    return element


def order_element(session: Session, order: Order, cipher=None) -> etree._Element:
    pos = session.scalars(
        select(ProviderOrder)
        .where(ProviderOrder.order_id == order.id)
        .order_by(ProviderOrder.provider_id)
    )
    return E.Order(
        E.OrderId(str(order.guid)),
        E.CreatedAt(order.created_at.isoformat()),
        user_information_element(order.user_information or {}),
        *(provider_order_element(session, po, order) for po in pos),
    )


def user_information_element(information: dict[str, Any]) -> etree._Element:
    element = E.UserInformation(E.UserName(information.get("ECHOUserID", "")))
    if information.get("NetworkAddress"):
        element.append(E.EmailAddress(information["NetworkAddress"]))
    for tag in ("ShippingAddress", "BillingAddress", "ContactAddress"):
        address = information.get(tag)
        if address:
            element.append(E(tag, *(E(k, str(v)) for k, v in address.items())))
    return element


def item_elements(session: Session, order: Order, cipher=None):
    rows = session.execute(
        select(OrderItem, ProviderOrder.provider_id)
        .join(ProviderOrder, ProviderOrder.id == OrderItem.provider_order_id)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.id)
    )
    for row, provider_id in rows:
        element = item_element(row)
        element.insert(1, E.ProviderId(provider_id))
        yield element


def history_element(session: Session, order: Order, provider_id: str | None = None):
    query = (
        select(StatusMessage, ProviderOrder.provider_id)
        .join(ProviderOrder, ProviderOrder.id == StatusMessage.provider_order_id)
        .where(ProviderOrder.order_id == order.id)
        .order_by(StatusMessage.id)
    )
    if provider_id:
        query = query.where(ProviderOrder.provider_id == provider_id)
    for message, owner in session.execute(query):
        yield E.StatusMessage(
            E.ProviderId(owner),
            E.Time(message.created_at.isoformat()),
            E.State(message.state.value if message.state else ""),
            E.Source(message.source),
            E.Message(message.message),
        )
