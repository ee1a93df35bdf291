"""The console's one door to the services behind /echo/perform: every order, option, partner and
administration call goes through here, as the message API's own transactions (so the console can
do nothing the API would refuse), and comes back as plain values for the templates.

The broker's API is being made typed; when it is, only this module changes.
"""

from __future__ import annotations

from lxml import etree

from clearinghouse.api import functions
from clearinghouse.api.functions import Context

ORDERS = "OrderEntryService"
PARTNER = "ProviderOrderManagementService"
PROFILE = "ProviderProfileService"
ADMIN = "AdministrationService"
ACCOUNT = "UserAccountService"


def _el(tag: str, *children, text: str | None = None) -> etree._Element:
    element = etree.Element(tag)
    if text is not None:
        element.text = text
    element.extend(c for c in children if c is not None)
    return element


def _perform(ctx: Context, service: str, request: etree._Element) -> etree._Element:
    message = etree.tostring(_el(service, request))
    return functions.perform(ctx, message)[0]


def _fields(element: etree._Element | None) -> dict[str, str]:
    if element is None:
        return {}
    return {child.tag: (child.text or "") for child in element if len(child) == 0}


# Sessions ----------------------------------------------------------------------------------------


def login(ctx: Context, username: str, password: str) -> str:
    return functions.login(ctx, username, password, "console")


def logout(ctx: Context) -> None:
    functions.logout(ctx)


def act_for(ctx: Context, provider_id: str | None) -> None:
    functions.set_provider_context(ctx, provider_id or None)


# Orders ------------------------------------------------------------------------------------------


def _item(catalog_item_id: str, selection: etree._Element | None = None) -> etree._Element:
    return _el("OrderItem", _el("CatalogItemId", text=catalog_item_id), selection)


Items = dict[str, etree._Element | None]  # catalog item id: its <OptionSelection>, if any


def create_order(ctx: Context, items: Items) -> str:
    answer = _perform(
        ctx, ORDERS, _el("CreateOrderRequest", *(_item(i, s) for i, s in items.items()))
    )
    return answer.findtext("Order/OrderId")


def add_items(ctx: Context, guid: str, items: Items) -> None:
    _perform(
        ctx,
        ORDERS,
        _el(
            "AddOrderItemsRequest",
            _el("OrderId", text=guid),
            *(_item(i, s) for i, s in items.items()),
        ),
    )


def set_options(ctx: Context, guid: str, item_id: str, selection: etree._Element) -> None:
    """The item's option selection (an ``<OptionSelection>``); refused with every problem as
    ``path: problem`` (``broker.option_selections.InvalidOptionSelection.problems``)."""
    _perform(
        ctx,
        ORDERS,
        _el("UpdateOrderItemsRequest", _el("OrderId", text=guid), _item(item_id, selection)),
    )


def remove_item(ctx: Context, guid: str, item_id: str) -> None:
    _perform(
        ctx,
        ORDERS,
        _el(
            "RemoveOrderItemsRequest", _el("OrderId", text=guid), _el("CatalogItemId", text=item_id)
        ),
    )


def set_addresses(ctx: Context, guid: str, addresses: dict[str, str]) -> None:
    wanted = [
        _el(tag, text=addresses[tag])
        for tag in ("ShippingAddressId", "BillingAddressId", "ContactAddressId")
        if addresses.get(tag)
    ]
    _perform(
        ctx, ORDERS, _el("SetUserInformationForOrderRequest", _el("OrderId", text=guid), *wanted)
    )


def order_step(ctx: Context, guid: str, step: str) -> None:
    """Validate, Quote, Submit, Cancel or Delete the order."""
    _perform(ctx, ORDERS, _el(f"{step}OrderRequest", _el("OrderId", text=guid)))


def orders(ctx: Context, guid: str | None = None) -> list[dict]:
    request = _el("GetOrdersRequest", *([_el("OrderId", text=guid)] if guid else []))
    found = []
    for order in _perform(ctx, ORDERS, request).iter("Order"):
        found.append(
            {
                "id": order.findtext("OrderId"),
                "created": order.findtext("CreatedAt"),
                "user": _fields(order.find("UserInformation")),
                "provider_orders": [_provider_order(po) for po in order.iter("ProviderOrder")],
            }
        )
    return found


def _provider_order(po: etree._Element) -> dict:
    return {
        **_fields(po),
        "quote": _fields(po.find("Quote")),
        "urls": [url.text for url in po.iterfind("OnlineAccessURLs/URL")],
        "items": [item.findtext("CatalogItemId") for item in po.iterfind("OrderItem")],
    }


def history(ctx: Context, guid: str) -> list[dict[str, str]]:
    answer = _perform(ctx, ORDERS, _el("GetStatusHistoryRequest", _el("OrderId", text=guid)))
    return [_fields(message) for message in answer]


def option_definitions(ctx: Context, item_ids: list[str]) -> dict[str, list[etree._Element]]:
    """Each catalog item's option definitions (``<OptionDefinition>`` elements)."""
    if not item_ids:
        return {}
    request = _el("GetOptionDefinitionsRequest", *(_el("CatalogItemId", text=i) for i in item_ids))
    return {
        item.findtext("CatalogItemId"): item.findall("OptionDefinition")
        for item in _perform(ctx, ORDERS, request)
    }


#: An address's fields as the form names them (AddressInformation's own tags), in the DTD's order.
ADDRESS_FIELDS = ("AddressId", "Usage", "Street1", "Street2", "City", "State", "Zip", "Country")
#: Sent even when empty, for the service to name them ("…/Street1: must not be empty") where the
#: DTD would only say the element is missing.
ADDRESS_REQUIRED = ("AddressId", "Street1")


def add_address(ctx: Context, values) -> str:
    """A new address of the user's (UserAccountService AddAddress); refused with the path of the
    field at fault (``…/AddressInformation/Street1: …``), or a Conflict for a name in use."""
    fields = [
        _el(tag, text=(values.get(tag) or "").strip())
        for tag in ADDRESS_FIELDS
        if tag in ADDRESS_REQUIRED or (values.get(tag) or "").strip()
    ]
    answer = _perform(ctx, ACCOUNT, _el("AddAddressRequest", _el("AddressInformation", *fields)))
    return answer.findtext("AddressId")


def addresses(ctx: Context) -> list[dict[str, str]]:
    answer = _perform(ctx, ACCOUNT, _el("GetUserInformationRequest"))
    return [_fields(a) for a in answer.iter("AddressInformation")]


# Partners ----------------------------------------------------------------------------------------


def provider_orders(ctx: Context) -> list[dict]:
    answer = _perform(ctx, PARTNER, _el("GetProviderOrdersRequest"))
    return [
        {**_fields(po), "order": po.findtext("ECHOOrderID") or po.findtext("OrderId")}
        for po in answer
    ]


def provider_definitions(ctx: Context) -> list[etree._Element]:
    return list(_perform(ctx, PROFILE, _el("GetOptionDefinitionsRequest")).iter("OptionDefinition"))


# Operators ---------------------------------------------------------------------------------------


def providers(ctx: Context) -> list[dict[str, str]]:
    return [_fields(p) for p in _perform(ctx, ADMIN, _el("GetProvidersRequest"))]


def set_ingest_paused(ctx: Context, provider_id: str, paused: bool) -> None:
    _perform(
        ctx,
        ADMIN,
        _el(
            "UpdateProviderRequest",
            _el("ProviderId", text=provider_id),
            _el("IngestPaused", text="true" if paused else "false"),
        ),
    )


def users(ctx: Context) -> list[dict]:
    found = []
    for user in _perform(ctx, ADMIN, _el("GetUsersRequest")):
        found.append(
            {**_fields(user), "roles": [p.text for p in user.iterfind("ProviderRoles/ProviderId")]}
        )
    return found


def update_user(
    ctx: Context, username: str, *, unlock: bool = False, roles: list[str] | None = None
) -> None:
    request = _el("UpdateUserRequest", _el("UserName", text=username))
    if unlock:
        request.append(_el("Unlock"))
    if roles is not None:
        request.append(_el("ProviderRoles", *(_el("ProviderId", text=r) for r in roles)))
    _perform(ctx, ADMIN, request)
