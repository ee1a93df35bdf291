"""OrderEntryService: a logged-in user's orders (``broker.api`` does the work)."""

from __future__ import annotations

from lxml import etree

from broker import api as broker
from broker import definitions as option_definitions
from broker.models import ProviderOrderState
from broker.options import definition_element
from broker.secrets import option_cipher
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.option_selection import selections
from clearinghouse.api.registry import REGISTRY
from clearinghouse.api.services.order_views import (
    history_element,
    item_elements,
    order_element,
)

SERVICE = "OrderEntryService"
STATES = [state.value for state in ProviderOrderState]


def _items(request: etree._Element) -> list[broker.NewItem]:
    items = []
    for item in Fields(request).children("OrderItem"):
        items.append(
            broker.NewItem(
                catalog_item_id=item.required("CatalogItemId", max_length=80),
                quantity=item.integer("Quantity", minimum=1, maximum=broker.MAX_QUANTITY),
                selection=selections(item.element.find("OptionSelection")),
            )
        )
    return items


def _order(call: Call, request: etree._Element, *, lock: bool = True):
    guid = Fields(request).required("OrderId", max_length=80)
    return broker.find_order(call.session, call.caller, guid, lock=lock)


def _answer(call: Call, tag: str, order, notes: list[str] | None = None) -> etree._Element:
    call.session.flush()
    response = etree.Element(tag)
    response.append(order_element(call.session, order, option_cipher(call.settings)))
    for text in notes or []:
        response.append(E.Note(text))
    return response


@REGISTRY.transaction(SERVICE, "CreateOrderRequest")
def create_order(call: Call, request: etree._Element) -> etree._Element:
    order = broker.create_order(call.session, call.caller, call.user())
    items = _items(request)
    if items:
        broker.add_items(call.session, call.caller, order, items, option_cipher(call.settings))
    return _answer(call, "CreateOrderResponse", order)


@REGISTRY.transaction(SERVICE, "AddOrderItemsRequest")
def add_items(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    broker.add_items(
        call.session, call.caller, order, _items(request), option_cipher(call.settings)
    )
    return _answer(call, "AddOrderItemsResponse", order)


@REGISTRY.transaction(SERVICE, "UpdateOrderItemsRequest")
def update_items(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    broker.update_items(
        call.session, call.caller, order, _items(request), option_cipher(call.settings)
    )
    return _answer(call, "UpdateOrderItemsResponse", order)


@REGISTRY.transaction(SERVICE, "RemoveOrderItemsRequest")
def remove_items(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    broker.remove_items(call.session, order, Fields(request).texts("CatalogItemId"))
    return _answer(call, "RemoveOrderItemsResponse", order)


@REGISTRY.transaction(SERVICE, "SetUserInformationForOrderRequest")
def set_user_information(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    order = _order(call, request)
    addresses = {
        tag: fields.text(f"{tag}Id", max_length=100)
        for tag in ("ShippingAddress", "BillingAddress", "ContactAddress")
    }
    broker.set_user_information(call.session, order, call.user(), addresses)
    return _answer(call, "SetUserInformationForOrderResponse", order)


@REGISTRY.transaction(SERVICE, "ValidateOrderRequest")
def validate_order(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    problems = broker.validate_order(call.session, call.caller, order, option_cipher(call.settings))
    response = _answer(call, "ValidateOrderResponse", order)
    for provider_id, found in problems.by_provider.items():
        for problem in found:
            response.append(E.Problem(problem, provider=provider_id))
    return response


@REGISTRY.transaction(SERVICE, "QuoteOrderRequest")
def quote_order(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    notes = broker.quote_order(call.session, call.caller, order, option_cipher(call.settings))
    return _answer(call, "QuoteOrderResponse", order, notes)


@REGISTRY.transaction(SERVICE, "SubmitOrderRequest")
def submit_order(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    notes = broker.submit_order(call.session, call.caller, order, option_cipher(call.settings))
    return _answer(call, "SubmitOrderResponse", order, notes)


@REGISTRY.transaction(SERVICE, "CancelOrderRequest")
def cancel_order(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    notes = broker.cancel_order(call.session, order)
    return _answer(call, "CancelOrderResponse", order, notes)


@REGISTRY.transaction(SERVICE, "CancelProviderOrderRequest")
def cancel_provider_order(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    provider_id = Fields(request).required("ProviderId", max_length=40)
    notes = broker.cancel_order(call.session, order, provider_id)
    return _answer(call, "CancelProviderOrderResponse", order, notes)


@REGISTRY.transaction(SERVICE, "DeleteOrderRequest")
def delete_order(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request)
    broker.delete_order(call.session, order)
    return _answer(call, "DeleteOrderResponse", order)


@REGISTRY.transaction(SERVICE, "GetOrdersRequest")
def get_orders(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    states = [ProviderOrderState(s) for s in fields.choices("State", STATES)]
    found = broker.user_orders(call.session, call.caller, fields.texts("OrderId"), states)
    cipher = option_cipher(call.settings)
    return E.GetOrdersResponse(*(order_element(call.session, o, cipher) for o in found))


@REGISTRY.transaction(SERVICE, "GetOrderItemsRequest")
def get_order_items(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request, lock=False)
    return E.GetOrderItemsResponse(
        *item_elements(call.session, order, option_cipher(call.settings))
    )


@REGISTRY.transaction(SERVICE, "GetStatusHistoryRequest")
def get_status_history(call: Call, request: etree._Element) -> etree._Element:
    order = _order(call, request, lock=False)
    provider_id = Fields(request).text("ProviderId", max_length=40)
    return E.GetStatusHistoryResponse(*history_element(call.session, order, provider_id))


@REGISTRY.transaction(SERVICE, "GetOptionDefinitionsRequest")
def get_option_definitions(call: Call, request: etree._Element) -> etree._Element:
    ids = Fields(request).texts("CatalogItemId")
    found = broker.catalog_items(call.session, call.caller, ids)
    response = E.GetOptionDefinitionsResponse()
    for name in ids:
        item = found[name.strip()]
        definitions = option_definitions.applicable(
            call.session, item.provider_id, item.collection_id
        )
        response.append(
            E.CatalogItem(
                E.CatalogItemId(item.catalog_item_id), *(definition_element(d) for d in definitions)
            )
        )
    return response
