"""OrderEntryService: a user's orders, end to end.

::

    order = session.orders.create()
    order.add("G12-PODAAC", quantity=1, options={"MediaType": {"CD": {"Copies": 2}}})
    order.set_addresses(shipping="home")
    order.quote()
    order.wait_for("QUOTED")
    order.submit()
    order.wait_for("CLOSED")

The broker splits an order into one provider order per partner (``order.provider_orders``) and
moves each through the states of CONTRACT §7.1; the partners answer in their own time, so
:meth:`Order.wait_for` polls.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from clearinghouse_client.errors import ClearinghouseError, InvalidValue, NotFound
from clearinghouse_client.services.base import Service, required
from clearinghouse_client.values import (
    OptionDefinition,
    OrderItem,
    ProviderOrder,
    Selection,
    StatusMessage,
)
from clearinghouse_client.xml import E, child, text, texts

STATES = (
    "NOT_VALIDATED",
    "VALIDATED",
    "QUOTING",
    "QUOTED",
    "QUOTE_FAILED",
    "QUOTE_REJECTED",
    "SUBMITTING",
    "PROCESSING",
    "CANCELLING",
    "DELETED",
    "SUBMIT_FAILED",
    "SUBMIT_REJECTED",
    "CANCELLED",
    "CLOSED",
)
#: States a provider order does not leave by waiting: waiting for another one is hopeless.
SETTLED = frozenset(
    {
        "QUOTE_FAILED",
        "QUOTE_REJECTED",
        "DELETED",
        "SUBMIT_FAILED",
        "SUBMIT_REJECTED",
        "CANCELLED",
        "CLOSED",
    }
)
MAX_QUANTITY = 10_000


class WaitFailed(ClearinghouseError):
    """An order did not reach the state waited for: a provider order settled elsewhere, or the
    time ran out. The toolkit's own; ``states`` holds the provider orders' states then."""

    code = "WaitFailed"

    def __init__(self, message: str, states: dict[str, str]):
        super().__init__(message)
        self.states = states


def _state(state: str) -> str:
    if state.upper() not in STATES:
        raise InvalidValue(f"State: {state!r} is not one of {', '.join(STATES)}")
    return state.upper()


def _item(item: OrderItem, request: str) -> etree._Element:
    """The item's element, refused as the server would refuse it."""
    where = f"{request}/OrderItem"
    required(f"{where}/CatalogItemId", item.catalog_item_id)
    if not 1 <= item.quantity <= MAX_QUANTITY:
        raise InvalidValue(
            f"{where}/Quantity: '{item.quantity}' is not a whole number from 1 to {MAX_QUANTITY}"
        )
    return item.to_xml()


@dataclass
class Order:
    """An order and what the server last said of it. Its methods run the order's transactions
    and bring these fields up to date."""

    order_id: str
    created_at: str | None = None
    user_name: str | None = None
    email: str | None = None
    #: The order's addresses as the partners see them (copies of the user's, by field).
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    provider_orders: list[ProviderOrder] = field(default_factory=list)
    #: Notes the last transaction came with (a partner that takes no cancellations…).
    notes: list[str] = field(default_factory=list)
    _service: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_xml(cls, element: etree._Element, service=None, notes=()) -> Order:
        """From an ``<Order>``."""
        info = element.find("UserInformation")
        addresses = {}
        for tag in ("ShippingAddress", "BillingAddress", "ContactAddress"):
            found = info.find(tag) if info is not None else None
            if found is not None:
                addresses[tag.removesuffix("Address").lower()] = {
                    c.tag: (c.text or "") for c in found
                }
        order_id = text(element, "OrderId")
        return cls(
            order_id=order_id,
            created_at=text(element, "CreatedAt"),
            user_name=text(info, "UserName"),
            email=text(info, "EmailAddress"),
            addresses=addresses,
            provider_orders=[
                ProviderOrder.from_xml(po, order_id) for po in element.findall("ProviderOrder")
            ],
            notes=list(notes),
            _service=service,
        )

    @property
    def states(self) -> dict[str, str]:
        """Each provider order's state, by provider id."""
        return {po.provider_id: po.state for po in self.provider_orders}

    @property
    def items(self) -> list[OrderItem]:
        """The order's items, across its provider orders."""
        return [
            dataclasses.replace(item, provider_id=po.provider_id)
            for po in self.provider_orders
            for item in po.items
        ]

    def _update(self, tag: str, *parts: etree._Element) -> Order:
        answer = self._service._perform(E(tag, E.OrderId(self.order_id), *parts))
        fresh = Order.from_xml(child(answer, "Order"), self._service, texts(answer, "Note"))
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(fresh, f.name))
        return self

    def refresh(self) -> Order:
        """Read the order again (GetOrders)."""
        fresh = self._service.get(self.order_id)
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(fresh, f.name))
        return self

    def add(self, catalog_item_id: str, quantity: int = 1, options: Selection | None = None):
        """Add an item: a catalog item id (``G<n>-<PROVIDER>`` or ``C<n>-<PROVIDER>``), how
        many, and the options selected as a plain dict (checked by the server against the
        partner's definitions:
        :class:`~clearinghouse_client.errors.InvalidOptionSelection` names the option at
        fault)."""
        item = OrderItem(catalog_item_id, quantity, options)
        return self._update("AddOrderItemsRequest", _item(item, "AddOrderItemsRequest"))

    def update(self, catalog_item_id: str, quantity: int = 1, options: Selection | None = None):
        """Change an item's quantity and options."""
        item = OrderItem(catalog_item_id, quantity, options)
        return self._update("UpdateOrderItemsRequest", _item(item, "UpdateOrderItemsRequest"))

    def remove(self, *catalog_item_ids: str) -> Order:
        """Remove items."""
        return self._update(
            "RemoveOrderItemsRequest", *(E.CatalogItemId(i) for i in catalog_item_ids)
        )

    def set_addresses(
        self,
        shipping: str | None = None,
        billing: str | None = None,
        contact: str | None = None,
    ) -> Order:
        """Which of the user's addresses (by id) the order ships to, bills and contacts."""
        parts = [
            E(f"{tag}AddressId", value)
            for tag, value in (("Shipping", shipping), ("Billing", billing), ("Contact", contact))
            if value is not None
        ]
        return self._update("SetUserInformationForOrderRequest", *parts)

    def validate(self) -> list[tuple[str, str]]:
        """Check the order with each partner's rules; the problems found, as (provider id,
        problem) pairs (none: ready to quote or submit)."""
        answer = self._service._perform(E.ValidateOrderRequest(E.OrderId(self.order_id)))
        fresh = Order.from_xml(child(answer, "Order"), self._service)
        self.provider_orders = fresh.provider_orders
        return [(p.get("provider"), (p.text or "").strip()) for p in answer.iterfind("Problem")]

    def quote(self) -> Order:
        """Ask each partner for a quote (they answer in their own time: :meth:`wait_for`)."""
        return self._update("QuoteOrderRequest")

    def submit(self) -> Order:
        """Submit the order to each partner."""
        return self._update("SubmitOrderRequest")

    def cancel(self, provider_id: str | None = None) -> Order:
        """Cancel the order (or only the provider order of ``provider_id``)."""
        if provider_id is None:
            return self._update("CancelOrderRequest")
        return self._update("CancelProviderOrderRequest", E.ProviderId(provider_id))

    def delete(self) -> Order:
        """Delete an order not yet submitted."""
        return self._update("DeleteOrderRequest")

    def history(self, provider_id: str | None = None) -> list[StatusMessage]:
        """The order's status messages, oldest first (only those of ``provider_id``)."""
        parts = [E.ProviderId(provider_id)] if provider_id else []
        answer = self._service._perform(E.GetStatusHistoryRequest(E.OrderId(self.order_id), *parts))
        return [StatusMessage.from_xml(m) for m in answer.iterfind("StatusMessage")]

    def wait_for(self, *states: str, timeout: float = 60.0, interval: float = 0.25) -> Order:
        """Poll until every provider order is in one of ``states``; raises :class:`WaitFailed`
        as soon as one has settled in another state (QUOTE_REJECTED when QUOTED was wanted…),
        or when ``timeout`` seconds pass."""
        wanted = {_state(s) for s in states}
        deadline = time.monotonic() + timeout
        while True:
            self.refresh()
            found = self.states
            if found and all(state in wanted for state in found.values()):
                return self
            stuck = {p: s for p, s in found.items() if s in SETTLED and s not in wanted}
            if stuck:
                raise WaitFailed(
                    f"order {self.order_id}: {_listing(stuck)} will not become"
                    f" {' or '.join(sorted(wanted))}",
                    found,
                )
            if time.monotonic() >= deadline:
                raise WaitFailed(
                    f"order {self.order_id}: still {_listing(found)} after {timeout:g} s", found
                )
            time.sleep(interval)


def _listing(states: dict[str, str]) -> str:
    return ", ".join(f"{provider} {state}" for provider, state in sorted(states.items()))


class OrderService(Service):
    """The logged-in user's orders."""

    name = "OrderEntryService"

    def create(self, *items: OrderItem) -> Order:
        """A new order, empty or with these items."""
        parts = [_item(i, "CreateOrderRequest") for i in items]
        answer = self._perform(E.CreateOrderRequest(*parts))
        return Order.from_xml(child(answer, "Order"), self)

    def get(self, order_id: str) -> Order:
        """One order, by id."""
        answer = self._perform(E.GetOrdersRequest(E.OrderId(required("OrderId", order_id))))
        found = answer.find("Order")
        if found is None:  # GetOrders lists what it finds of those named: none
            raise NotFound(f"the user has no order {order_id}")
        return Order.from_xml(found, self)

    def list(self, *states: str) -> list[Order]:
        """The user's orders, newest first; only those with a provider order in one of
        ``states`` when given."""
        answer = self._perform(E.GetOrdersRequest(*(E.State(_state(s)) for s in states)))
        return [Order.from_xml(o, self) for o in answer.iterfind("Order")]

    def items(self, order_id: str) -> list[OrderItem]:
        """An order's items, each with its provider (GetOrderItems)."""
        answer = self._perform(E.GetOrderItemsRequest(E.OrderId(order_id)))
        return [OrderItem.from_xml(i) for i in answer.iterfind("OrderItem")]

    def option_definitions(self, *catalog_item_ids: str) -> dict[str, list[OptionDefinition]]:
        """The option definitions that apply to each item, by catalog item id."""
        answer = self._perform(
            E.GetOptionDefinitionsRequest(*(E.CatalogItemId(i) for i in catalog_item_ids))
        )
        return {
            text(item, "CatalogItemId"): [
                OptionDefinition.from_xml(d) for d in item.iterfind("OptionDefinition")
            ]
            for item in answer.iterfind("CatalogItem")
        }
