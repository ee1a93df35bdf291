"""What a simulated partner reads and writes: the broker's requests (``dtd/PartnerRequest.dtd``),
its answers (``dtd/PartnerAnswer.dtd``) and its callbacks
(``dtd/ProviderOrderManagementService.dtd``), each document it builds checked against its DTD
before it leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

import dtd
from clearinghouse.errors import InvalidValue
from clearinghouse.inputs import whole_number

#: The transactions a partner handles, by the root element of the broker's request.
TRANSACTIONS = {
    "QuoteProviderOrderRequest": "QUOTE",
    "SubmitProviderOrderRequest": "SUBMIT",
    "CancelProviderOrderRequest": "CANCEL",
}
RESPONSES = {
    "QUOTE": "QuoteProviderOrderResponse",
    "SUBMIT": "SubmitProviderOrderResponse",
    "CANCEL": "CancelProviderOrderResponse",
}
#: Largest request accepted from the broker (and answer read from it).
MAX_REQUEST_BYTES = 1024 * 1024
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


def iso(instant: datetime) -> str:
    """ISO 8601 in UTC to the second: ``2026-11-24T16:00:00Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount: Decimal) -> str:
    return format(amount, "f")


@dataclass(frozen=True)
class LineItem:
    catalog_item_id: str
    quantity: int
    #: The OptionSelection element as received (XML text), or None.
    option_selection: str | None = None


@dataclass
class Outcome:
    operation: str  # the ProviderOrderManagementService transaction reporting it
    element: str  # the PartnerAnswer element
    reason: str | None = None  # of a rejection
    message: str | None = None  # StatusMessage
    prices: list[tuple[str, str]] = field(default_factory=list)
    starts_processing: bool = False

    def build(self) -> etree._Element:
        element = etree.Element(self.element)
        for name, value in self.prices:
            etree.SubElement(element, name).text = value
        if self.reason:
            etree.SubElement(element, "Reason").text = self.reason
        return element


def read_line_items(order: etree._Element) -> tuple[LineItem, ...] | str:
    """The order's line items, or what is wrong with them."""
    items = []
    for element in order.iterfind("OrderLineItem"):
        item_id = (element.findtext("CatalogItemID") or "").strip()
        text = (element.findtext("quantity") or "").strip()
        try:
            quantity = whole_number(text, 1, 2**31 - 1, where=f"quantity of {item_id}")
        except InvalidValue as error:
            return error.message
        if not item_id:
            return "a CatalogItemID is empty"
        selection = element.find("OptionSelection")
        raw = (
            etree.tostring(selection, encoding="unicode", with_tail=False)
            if selection is not None
            else None
        )
        items.append(LineItem(item_id, quantity, raw))
    return tuple(items)


def response_document(
    transaction: str, echo_order_id: str, tracking_id: str, outcome: Outcome | None
) -> etree._Element:
    """The partner's answer: the outcome (sync) or only the acknowledgement (outcome None)."""
    root = etree.Element(RESPONSES[transaction])
    order = etree.SubElement(root, "Order")
    etree.SubElement(order, "ECHOOrderID").text = echo_order_id
    etree.SubElement(order, "ProviderTrackingID").text = tracking_id
    if outcome is not None:
        order.append(outcome.build())
        if outcome.message:
            etree.SubElement(order, "StatusMessage").text = outcome.message
    check_built(root, "PartnerAnswer.dtd")
    return root


def callback_document(echo_order_id: str, tracking_id: str, outcome: Outcome) -> etree._Element:
    """The ProviderOrderManagementService message reporting an async outcome."""
    root = etree.Element("ProviderOrderManagementService")
    request = etree.SubElement(root, f"{outcome.operation}Request")
    etree.SubElement(request, "ECHOOrderID").text = echo_order_id
    if "Cancellation" not in outcome.operation:  # those carry no tracking id
        etree.SubElement(request, "ProviderTrackingID").text = tracking_id
    if outcome.element in ("ProviderQuote", "ProviderOrderAcceptance"):
        request.append(outcome.build())
    if outcome.reason:
        etree.SubElement(request, "Reason").text = outcome.reason
    if outcome.message:
        etree.SubElement(request, "StatusMessage").text = outcome.message
    check_built(root, "ProviderOrderManagementService.dtd")
    return root


def close_document(echo_order_id: str, urls: list[str]) -> etree._Element:
    root = etree.Element("ProviderOrderManagementService")
    request = etree.SubElement(root, "CloseProviderOrderRequest")
    etree.SubElement(request, "ECHOOrderID").text = echo_order_id
    etree.SubElement(request, "StatusMessage").text = "processed by the simulator"
    access = etree.SubElement(request, "OnlineAccessURLs")
    for url in urls:
        etree.SubElement(access, "URL").text = url
    check_built(root, "ProviderOrderManagementService.dtd")
    return root


def check_built(element: etree._Element, dtd_name: str) -> None:
    errors = dtd.validate(dtd_name, element)
    if errors:  # a bug of ours: never send it
        raise AssertionError(
            f"the simulator built a document not valid against {dtd_name}: {errors[0]}"
        )
