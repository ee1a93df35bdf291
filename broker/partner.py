"""The messages between the broker and a partner (CONTRACT §7.2; dtd/PartnerRequest.dtd and
dtd/PartnerAnswer.dtd): building the request the broker sends, reading the partner's answer.

The request is built when it is recorded, so what is retried is exactly what was first sent. An
encrypted option value stays encrypted in the stored request (``<Value encrypted="TOKEN"/>``) and
is decrypted only on its way out (:func:`revealed`).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree
from lxml.builder import E

import dtd
from clearinghouse import xmlsafe
from clearinghouse.accounts.models import Transaction
from clearinghouse.errors import ClearinghouseError
from clearinghouse.inputs import whole_number
from clearinghouse.times import parse_instant

REQUESTS = {
    Transaction.QUOTE: "QuoteProviderOrderRequest",
    Transaction.SUBMIT: "SubmitProviderOrderRequest",
    Transaction.CANCEL: "CancelProviderOrderRequest",
}
ANSWERS = {t: name.replace("Request", "Response") for t, name in REQUESTS.items()}
#: A partner's answer is small; a bigger one is not an answer.
ANSWER_LIMIT = 1024 * 1024

ADDRESS_FIELDS = (
    "FirstName",
    "LastName",
    "Street1",
    "Street2",
    "Street3",
    "Street4",
    "Street5",
    "City",
    "State",
    "Zip",
    "Country",
    "Phone",
)


class MalformedAnswer(ClearinghouseError):
    """The partner answered with something that is not an answer (never retried)."""

    code = "MalformedPartnerAnswer"


# -- the request ---------------------------------------------------------------------------------


def selection_for_partner(stored: list[dict[str, Any]]) -> etree._Element:
    """A stored option selection as the partner gets it, encrypted values still sealed."""

    def nodes(selections):
        for node in selections:
            if "children" in node:
                yield E.ComplexOptionSelection(
                    E.OptionName(node["name"]), E.ComplexValue(*nodes(node["children"]))
                )
            else:
                values = []
                for value in node["values"]:
                    if isinstance(value, dict):
                        values.append(E.Value(encrypted=value["encrypted"]))
                    else:
                        values.append(E.Value(value))
                yield E.SimpleOptionSelection(E.OptionName(node["name"]), *values)

    return E.OptionSelection(*nodes(stored))


def address_element(tag: str, address: dict[str, Any] | None) -> etree._Element | None:
    if not address:
        return None
    element = etree.Element(tag)
    for field in ADDRESS_FIELDS:
        value = address.get(field)
        if value:
            etree.SubElement(element, field).text = str(value)
    return element


def build_request(
    transaction: Transaction,
    *,
    request_id: str,
    provider_id: str,
    order_guid: str,
    tracking_id: str,
    user: dict[str, Any],
    items: list[tuple[str, int, list[dict[str, Any]] | None]],
) -> str:
    """The document for one quote, submit or cancel: ``user`` holds ECHOUserID, the addresses
    (``ShippingAddress``, ``BillingAddress``, ``ContactAddress`` as dicts of ADDRESS_FIELDS) and
    NetworkAddress; ``items`` are (catalog item id, quantity, stored option selection)."""
    info = E.UserInformation(E.ECHOUserID(user["ECHOUserID"]))
    for tag in ("ShippingAddress", "BillingAddress", "ContactAddress"):
        element = address_element(tag, user.get(tag))
        if element is not None:
            info.append(element)
    if user.get("NetworkAddress"):
        info.append(E.NetworkAddress(user["NetworkAddress"]))
    order = E.Order(
        E.ProviderID(provider_id),
        E.ECHOOrderID(order_guid),
        E.ProviderTrackingID(tracking_id),
        info,
    )
    for catalog_item_id, quantity, selection in items:
        line = E.OrderLineItem(E.CatalogItemID(catalog_item_id), E.quantity(str(quantity)))
        if selection:
            line.append(selection_for_partner(selection))
        order.append(line)
    document = etree.Element(REQUESTS[transaction])
    document.extend([E.RequestId(request_id), order])
    return etree.tostring(document, encoding="unicode")


_SEALED = re.compile(r'<Value encrypted="([^"]*)"/>')


def revealed(payload: str, decrypt) -> bytes:
    """The stored request as sent: sealed values decrypted (``decrypt``: token -> text)."""
    if 'encrypted="' not in payload:
        return payload.encode()

    def open_value(match: re.Match) -> str:
        value = etree.Element("Value")
        value.text = decrypt(match.group(1))
        return etree.tostring(value, encoding="unicode")

    return _SEALED.sub(open_value, payload).encode()


# -- the answer ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    """What a partner said. ``outcome`` is None for an async acknowledgement."""

    tracking_id: str | None
    outcome: str | None = None  # the outcome element's tag
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    reason: str | None = None
    messages: list[str] = dataclasses.field(default_factory=list)

    @property
    def total_price(self) -> Decimal | None:
        value = self.details.get("TotalPrice")
        return None if value is None else Decimal(value)


PRICES = ("TotalPrice", "DataCost", "MediaCost", "ShippingCost", "HandlingCost", "Discount")
DATES = ("QuoteExpirationDate", "latestCancelDate", "estimatedShipDate")
OUTCOMES = {
    Transaction.QUOTE: ("ProviderQuote", "QuoteRejection"),
    Transaction.SUBMIT: ("ProviderOrderAcceptance", "SubmissionRejection"),
    Transaction.CANCEL: ("CancellationAcceptance", "CancellationRejection"),
}


def read_answer(transaction: Transaction, body: bytes, order_guid: str) -> Answer:
    """The partner's answer to ``transaction``; MalformedAnswer when it is not one."""
    try:
        root = xmlsafe.parse(body, max_bytes=ANSWER_LIMIT)
    except ClearinghouseError as error:
        raise MalformedAnswer(f"the answer is not XML: {error}") from None
    expected = ANSWERS[transaction]
    if root.tag != expected:
        raise MalformedAnswer(f"the answer is a {root.tag}, not a {expected}")
    errors = dtd.validate("PartnerAnswer.dtd", root)
    if errors:
        # The DTD takes any outcome in any answer; the partner is told the ones that answer its
        # request.
        others = {name for names in OUTCOMES.values() for name in names}
        error = errors[0].without(others - set(OUTCOMES[transaction]))
        raise MalformedAnswer(f"{error} (PartnerAnswer.dtd)")
    order = root.find("Order")
    if (order.findtext("ECHOOrderID") or "").strip() != order_guid:
        raise MalformedAnswer(f"the answer is about another order, not {order_guid}")
    tracking = (order.findtext("ProviderTrackingID") or "").strip() or None
    answer = Answer(
        tracking,
        messages=[m.text.strip() for m in order.iter("StatusMessage") if m.text and m.text.strip()],
    )
    outcome = next(
        (
            child
            for child in order
            if child.tag not in ("ECHOOrderID", "ProviderTrackingID", "StatusMessage")
        ),
        None,
    )
    if outcome is None:
        return answer
    if outcome.tag not in OUTCOMES[transaction]:
        raise MalformedAnswer(
            f"a {outcome.tag} does not answer a {REQUESTS[transaction]}:"
            f" expected {' or '.join(OUTCOMES[transaction])}"
        )
    answer.outcome = outcome.tag
    answer.details = read_details(outcome)
    answer.reason = answer.details.pop("Reason", None)
    return answer


def read_details(element: etree._Element) -> dict[str, Any]:
    """A quote's or acceptance's fields, checked: prices are decimals, dates ISO 8601."""
    details: dict[str, Any] = {}
    for child in element:
        value = (child.text or "").strip()
        if not value:
            continue
        if child.tag in PRICES:
            details[child.tag] = str(decimal(value, child.tag))
        elif child.tag in DATES:
            details[child.tag] = timestamp(value, child.tag).isoformat()
        elif child.tag == "MediaQuantity":
            details[child.tag] = whole_number(
                value, 0, 2**31 - 1, where=child.tag, error=MalformedAnswer
            )
        else:
            details[child.tag] = value[:4000]
    return details


def decimal(value: str, where: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise MalformedAnswer(f"{where}: {value!r} is not a price")
    return number


def timestamp(value: str, where: str) -> datetime:
    try:
        return parse_instant(value)
    except ValueError:
        raise MalformedAnswer(f"{where}: {value!r} is not an ISO 8601 date") from None
