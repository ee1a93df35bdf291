"""OSEO 1.0 answers and callbacks, built from plain data as lxml elements valid against the
official oseo.xsd (tests/test_oseo_xml.py checks each builder against it).

Values the schema bounds (orderReference: 30 characters, additionalStatusInfo: 4000...) are
clipped rather than let through into an invalid document; option values come as the caller gives
them (masked: an encrypted value still in its stored ``{"encrypted": ...}`` form is shown as
``********`` anyway). The Capabilities and GetOptions builders live in
:mod:`clearinghouse.oseo.capabilities` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from lxml import etree

from clearinghouse.oseo.capabilities import (
    capabilities,
    get_options_response,
    options_response,
    order_options,
)
from clearinghouse.oseo.names import E_OSEO, OSEO, qname
from clearinghouse.oseo.options import ncname, option_name, parameter_data
from clearinghouse.oseo.requests import STATUSES, VERSION
from clearinghouse.oseo.specification import (
    ORDER_TYPES,
    PROTOCOLS,
    Delivery,
    MailAddress,
    ProductId,
)

__all__ = [
    "ItemView",
    "OrderView",
    "Price",
    "ProviderPrice",
    "Quotation",
    "cancel_ack",
    "cancel_response",
    "capabilities",
    "describe_result_access_response",
    "get_options_response",
    "get_quotation_response",
    "get_status_response",
    "ncname",
    "option_name",
    "options_response",
    "order_monitor_specification",
    "order_options",
    "quotation_ack",
    "quotation_pending_ack",
    "submit_ack",
    "submit_response",
]

#: The currency of a provider group that has no price yet (the schema makes the price mandatory;
#: the answer's status is then "partial" and its errorMessage names the providers).
UNPRICED = "N/A"


@dataclass
class ItemView:
    item_id: str
    product: ProductId
    options: list  # the stored selection shape, encrypted values already masked
    remark: str | None
    status: str  # one of the nine OSEO statuses
    status_info: str | None = None


@dataclass
class OrderView:
    order_id: str
    order_reference: str | None
    order_remark: str | None
    order_type: str
    delivery: Delivery | None
    status: str
    status_info: str | None
    last_update: datetime  # shown as orderDateTime
    items: list[ItemView] = field(default_factory=list)


@dataclass
class Price:
    value: Decimal
    currency: str


@dataclass
class ProviderPrice:
    service_name: str
    organization: str
    price: Price | None  # None: the provider has not priced its items (yet)
    items: list[tuple[str, ProductId]] = field(default_factory=list)  # (itemId, product)


@dataclass
class Quotation:
    quotation_id: str
    validity: datetime | None
    price: Price | None  # the whole order's; None for free or quota-paid products
    groups: list[ProviderPrice] = field(default_factory=list)


# ---------------------------------------------------------------------------------- helpers


def _root(local: str, *children: etree._Element, request: bool = False) -> etree._Element:
    """A document element; callbacks (``request``) carry OSEO's service and version attributes."""
    root = etree.Element(qname(OSEO, local), nsmap={None: OSEO})
    if request:
        root.set("service", "OS")
        root.set("version", VERSION)
    root.extend(children)
    return root


def _clip(value: str | None, most: int) -> str | None:
    """The value cut to the schema's length, or None when empty (most bounded fields must not
    be empty either)."""
    if value is None:
        return None
    value = str(value).strip()
    return value[:most] if value else None


def _optional(local: str, value: str | None, most: int) -> list[etree._Element]:
    clipped = _clip(value, most)
    return [] if clipped is None else [_leaf(local, clipped)]


def _leaf(local: str, value: str) -> etree._Element:
    element = etree.Element(qname(OSEO, local))
    element.text = value
    return element


def _instant(moment: datetime) -> str:
    """xs:dateTime; a zoneless datetime is UTC (the broker keeps UTC)."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).isoformat()


def _status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"{status!r} is not an OSEO status ({', '.join(STATUSES)})")
    return status


def _product(product: ProductId) -> etree._Element:
    element = E_OSEO.productId(E_OSEO.identifier(product.identifier))
    element.extend(_optional("collectionId", product.collection_id, 255))
    return element


def _price(local: str, price: Price) -> etree._Element:
    value = format(Decimal(str(price.value)), "f")  # plain digits: a valid xs:double
    return E_OSEO(local, E_OSEO.value(value), E_OSEO.currency(_clip(price.currency, 10) or ""))


def _status_info(local: str, status: str, info: str | None) -> etree._Element:
    element = E_OSEO(local, E_OSEO.status(_status(status)))
    element.extend(_optional("additionalStatusInfo", info, 4000))
    return element


# -------------------------------------------------------------------------------- quotations


def _quotation(quotation: Quotation) -> etree._Element:
    if not quotation.groups:
        raise ValueError("a quotation needs at least one provider group")
    element = E_OSEO.quotation(E_OSEO.quotationId(quotation.quotation_id))
    if quotation.validity is not None:
        element.append(E_OSEO.validityTime(_instant(quotation.validity)))
    if quotation.price is not None:
        element.append(_price("price", quotation.price))
    element.extend(_group(group) for group in quotation.groups)
    return element


def _group(group: ProviderPrice) -> etree._Element:
    if not group.items:
        raise ValueError(f"the price group of {group.service_name} has no items")
    provider = E_OSEO.provider(
        E_OSEO.serviceName(_clip(group.service_name, 40) or ""),
        E_OSEO.organization(_clip(group.organization, 40) or ""),
    )
    price = group.price or Price(Decimal(0), UNPRICED)
    element = E_OSEO.orderItemGroupPrice(provider, _price("price", price))
    for item_id, product in group.items:
        element.append(
            E_OSEO.orderItemPrice(E_OSEO.itemId(_clip(item_id, 80) or ""), _product(product))
        )
    return element


def _outcome(quotation: Quotation) -> list[etree._Element]:
    """status (and errorMessage): "partial" while some provider has not priced its items."""
    unpriced = [g.service_name for g in quotation.groups if g.price is None]
    if not unpriced:
        return [E_OSEO.status("success")]
    message = f"no price yet from {', '.join(unpriced)}"
    return [E_OSEO.status("partial"), E_OSEO.errorMessage(message[:255])]


def quotation_ack(quotation: Quotation) -> etree._Element:
    """GetQuotationAck holding the quotation (synchronous quotation)."""
    return _root("GetQuotationAck", *_outcome(quotation), _quotation(quotation))


def quotation_pending_ack(quotation_id: str) -> etree._Element:
    """GetQuotationAck of an asynchronous quotation: only its id; the quotation follows in a
    GetQuotationResponse callback."""
    return _root("GetQuotationAck", E_OSEO.status("success"), E_OSEO.quotationId(quotation_id))


def get_quotation_response(quotation: Quotation) -> etree._Element:
    """The GetQuotationResponse callback sent to the client's ReplyTo."""
    return _root("GetQuotationResponse", *_outcome(quotation), _quotation(quotation), request=True)


# ------------------------------------------------------------------------------------ orders


def submit_ack(order_id: str, order_reference: str | None = None) -> etree._Element:
    root = _root("SubmitAck", E_OSEO.status("success"), E_OSEO.orderId(order_id))
    root.extend(_optional("orderReference", order_reference, 30))
    return root


def order_monitor_specification(order: OrderView, full: bool) -> etree._Element:
    """An order as GetStatus shows it; ``full`` adds its items (a brief one has none)."""
    element = E_OSEO.orderMonitorSpecification()
    element.extend(_optional("orderReference", order.order_reference, 30))
    element.extend(_optional("orderRemark", order.order_remark, 4000))
    delivery = _delivery(order.delivery)
    if delivery is not None:
        element.append(delivery)
    order_type = order.order_type if order.order_type in ORDER_TYPES else "PRODUCT_ORDER"
    element.append(E_OSEO.orderType(order_type))
    element.append(E_OSEO.orderId(order.order_id))
    element.append(_status_info("orderStatusInfo", order.status, order.status_info))
    element.append(E_OSEO.orderDateTime(_instant(order.last_update)))
    if full:
        element.extend(_item(item) for item in order.items)
    return element


def _item(item: ItemView) -> etree._Element:
    element = E_OSEO.orderItem(E_OSEO.itemId(_clip(item.item_id, 80) or ""))
    element.extend(_optional("orderItemRemark", item.remark, 4000))
    if item.options:
        element.append(E_OSEO.option(parameter_data(item.options)))
    element.append(_product(item.product))
    element.append(_status_info("orderItemStatusInfo", item.status, item.status_info))
    return element


def _delivery(delivery: Delivery | None) -> etree._Element | None:
    if delivery is None:
        return None
    parts = []
    online = _online_address(delivery.online_address)
    if online is not None:
        parts.append(online)
    if delivery.mail_address is not None:
        parts.append(_mail_address(delivery.mail_address))
    return E_OSEO.deliveryInformation(*parts) if parts else None


def _online_address(url: str | None) -> etree._Element | None:
    """An onlineAddress from ``protocol://[user@]server[/path]``; None if the URL's scheme is no
    OSEO protocol."""
    if not url:
        return None
    parts = urlsplit(url)
    protocol = next((p for p in PROTOCOLS if p.lower() == parts.scheme.lower()), None)
    server = parts.hostname or ""
    if protocol is None or not server:
        return None
    if parts.port:
        server = f"{server}:{parts.port}"
    element = E_OSEO.onlineAddress(E_OSEO.protocol(protocol), E_OSEO.serverAddress(server[:255]))
    if parts.username and len(parts.username) <= 8:
        element.append(E_OSEO.userName(parts.username))
    element.extend(_optional("path", parts.path, 1024))
    return element


def _mail_address(mail: MailAddress) -> etree._Element:
    element = E_OSEO.mailAddress()
    element.extend(_optional("firstName", mail.first_name, 40))
    element.extend(_optional("lastName", mail.last_name, 40))
    element.extend(_optional("companyRef", mail.company, 40))
    postal = (mail.street, mail.city, mail.state, mail.postal_code, mail.country, mail.post_box)
    if any(postal):
        # streetAddress to country are mandatory in a postalAddress (and may be empty).
        element.append(
            E_OSEO.postalAddress(
                E_OSEO.streetAddress(_clip(mail.street, 40) or ""),
                E_OSEO.city(_clip(mail.city, 40) or ""),
                E_OSEO.state(_clip(mail.state, 40) or ""),
                E_OSEO.postalCode(_clip(mail.postal_code, 12) or ""),
                E_OSEO.country(_clip(mail.country, 40) or ""),
                *_optional("postBox", mail.post_box, 12),
            )
        )
    element.extend(_optional("telephoneNumber", mail.telephone, 18))
    element.extend(_optional("facsimileTelephoneNumber", mail.facsimile, 18))
    return element


def get_status_response(orders: list[OrderView], full: bool) -> etree._Element:
    """GetStatusResponse; orders sorted by orderDateTime as the OSEO text asks."""
    ordered = sorted(orders, key=lambda order: _instant(order.last_update))
    return _root(
        "GetStatusResponse",
        E_OSEO.status("success"),
        *(order_monitor_specification(order, full) for order in ordered),
    )


def submit_response(order: OrderView, timestamp: datetime) -> etree._Element:
    """The SubmitResponse callback: the order's full status."""
    return _notification("SubmitResponse", order, timestamp)


def cancel_response(order: OrderView, timestamp: datetime) -> etree._Element:
    """The CancelResponse callback: the order's full status once the cancellation is settled."""
    return _notification("CancelResponse", order, timestamp)


def _notification(local: str, order: OrderView, timestamp: datetime) -> etree._Element:
    return _root(
        local,
        E_OSEO.timeStamp(_instant(timestamp)),
        order_monitor_specification(order, full=True),
        request=True,
    )


def cancel_ack() -> etree._Element:
    return _root("CancelAck", E_OSEO.status("success"))


def describe_result_access_response(urls: list[tuple[str, str]]) -> etree._Element:
    """DescribeResultAccessResponse: one URLs element per (itemId, URL); none when nothing is
    ready yet."""
    root = _root("DescribeResultAccessResponse", E_OSEO.status("success"))
    for item_id, url in urls:
        address = E_OSEO.itemAddress(E_OSEO.ResourceAddress(E_OSEO.URL(url)))
        root.append(E_OSEO.URLs(E_OSEO.itemId(_clip(item_id, 80) or ""), address))
    return root
