"""OSEO orders on the broker: an orderSpecification becomes a broker order (items, options
checked by the option framework), and broker orders are shown back as OSEO order views,
quotations and result URLs."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker import api as broker
from broker.models import Order, OrderItem, ProviderOrder
from broker.models import ProviderOrderState as S
from broker.options import masked
from clearinghouse.accounts.models import Provider, User
from clearinghouse.accounts.sessions import Caller
from clearinghouse.errors import ClearinghouseError, Forbidden, InvalidValue, NotFound
from clearinghouse.oseo import errors as oseo
from clearinghouse.oseo import status as statuses
from clearinghouse.oseo.models import OseoItem, OseoOrder
from clearinghouse.oseo.requests import Delivery, MailAddress, OrderSpecification, ProductId
from clearinghouse.oseo.responses import (
    ItemView,
    OrderView,
    Price,
    ProviderPrice,
    Quotation,
    ncname,
)

CURRENCY = "USD"


def place(
    session: Session,
    caller: Caller,
    spec: OrderSpecification,
    cipher,
    *,
    kind: str,
    notification: str = "None",
    reply_to: str | None = None,
    soap: str | None = None,
) -> Order:
    """A broker order holding the specification's items, each with its options."""
    if not spec.items:
        raise oseo.MissingParameterValue(
            "an order needs at least one orderItem", locator="orderItem"
        )
    user = session.get(User, caller.effective_user_id)
    order = broker.create_order(session, caller, user)
    seen: set[str] = set()
    new_items = []
    for item in spec.items:
        if item.product is None:
            raise oseo.OptionNotSupported(
                f"orderItem {item.item_id}: only product orders (with a productId) are taken;"
                " subscriptions and tasking are not offered",
                locator="productId",
            )
        if item.item_id in seen:
            raise oseo.InvalidParameterValue(
                f"itemId {item.item_id} is used twice", locator="itemId"
            )
        seen.add(item.item_id)
        identifier = item.product.identifier.strip()
        first = next((i for i, other in new_items if other == identifier), None)
        if first is not None:
            raise oseo.InvalidParameterValue(
                f"orderItem {item.item_id}: product {identifier} is already orderItem"
                f" {first.item_id}",
                locator="identifier",
            )
        new_items.append((item, identifier))
    found = catalog(session, caller, [identifier for _, identifier in new_items])
    new = []
    for item, identifier in new_items:
        definitions = broker.applicable_definitions(
            session, found[identifier].provider_id, found[identifier].collection_id
        )
        selection = _named(
            _merge(spec.options, item.options, item.scene_selection), definitions, item.item_id
        )
        new.append(broker.NewItem(identifier, 1, selection or None))
    try:
        rows = broker.add_items(session, caller, order, new, cipher)
    except ClearinghouseError as error:  # an option refused, a partner taking no orders
        concerned = _concerned(error)
        named = [i.item_id for i, identifier in new_items if identifier in concerned]
        if named:
            error.message = f"orderItem {', '.join(named)}: {error.message}"
        locator = "option" if isinstance(error, InvalidValue) else "productId"
        raise broker_error(error, locator) from None
    for (item, _), row in zip(new_items, rows, strict=True):
        session.add(OseoItem(order_item_id=row.id, item_id=item.item_id, remark=item.remark))
    if spec.delivery is not None:
        _delivery_into(session, order, spec.delivery)
    session.add(
        OseoOrder(
            order_id=order.id,
            kind=kind,
            order_reference=spec.order_reference,
            order_remark=spec.order_remark,
            order_type=spec.order_type,
            delivery=asdict(spec.delivery) if spec.delivery else None,
            status_notification=notification,
            reply_to=reply_to,
            soap_version=soap,
            notify_pending=bool(reply_to) and (notification != "None" or kind == "quotation"),
        )
    )
    session.flush()
    return order


def _concerned(error: ClearinghouseError) -> set[str]:
    """The catalog items a broker refusal is about."""
    if isinstance(error, broker.InvalidOptionSelection):
        return {error.item} if error.item else set()
    return set(getattr(error, "items", ()))


def catalog(session: Session, caller: Caller, ids: list[str]):
    try:
        return broker.catalog_items(session, caller, ids)
    except InvalidValue as error:
        raise oseo.InvalidParameterValue(error.message, locator="identifier") from None
    except NotFound as error:
        raise oseo.ProductUnavailable(error.message, locator="identifier") from None
    except Forbidden as error:
        raise oseo.AuthorizationFailed(error.message, locator="identifier") from None


def _merge(*levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order-level options, then the item's own (which win), then its scene selection."""
    merged: dict[str, dict[str, Any]] = {}
    for level in levels:
        for node in level or []:
            merged[node["name"]] = node
    return list(merged.values())


def _named(nodes: list[dict], definitions: list[dict], item_id: str) -> list[broker.Selection]:
    """The selections ParameterData makes, named (by the option's name, or the NCName GetOptions
    showed for it) as the definitions name them."""
    by_name = {}
    for definition in definitions:
        by_name[definition["name"]] = definition
        by_name.setdefault(ncname(definition["name"]), definition)
    out = []
    for node in nodes:
        definition = by_name.get(node["name"])
        if definition is None:
            known = ", ".join(ncname(d["name"]) for d in definitions) or "none"
            raise oseo.InvalidParameterValue(
                f"orderItem {item_id}: no option {node['name']} for this product (its options:"
                f" {known})",
                locator="option",
            )
        out.append(_renamed(node, definition))
    return out


def _renamed(node: dict, definition: dict | None) -> broker.Selection:
    name = definition["name"] if definition else node["name"]  # unknown: the framework says
    if "children" not in node:
        return broker.Selection(name, values=tuple(node["values"]))
    children = {c["name"]: c for c in (definition or {}).get("children", [])}
    children.update({ncname(c["name"]): c for c in (definition or {}).get("children", [])})
    return broker.Selection(
        name,
        children=tuple(_renamed(child, children.get(child["name"])) for child in node["children"]),
    )


def _delivery_into(session: Session, order: Order, delivery) -> None:
    mail = delivery.mail_address
    if mail is None:
        return
    address = broker.Address(
        first_name=mail.first_name,
        last_name=mail.last_name,
        street=(mail.street,) if mail.street else (),
        city=mail.city,
        state=mail.state,
        postal_code=mail.postal_code,
        country=mail.country,
        phone=mail.telephone,
    )
    broker.ship_to(session, order, address)


# -- finding and showing -------------------------------------------------------------------------


def find(session: Session, caller: Caller, order_id: str, *, lock: bool = False) -> Order:
    try:
        return broker.find_order(session, caller, order_id, lock=lock)
    except (InvalidValue, NotFound):
        raise oseo.InvalidOrderIdentifier(
            f"there is no order {order_id} of yours", locator="orderId"
        ) from None


def view(session: Session, order: Order) -> OrderView:
    extra = session.get(OseoOrder, order.id)
    rows = session.execute(
        select(OrderItem, ProviderOrder, OseoItem)
        .join(ProviderOrder, ProviderOrder.id == OrderItem.provider_order_id)
        .outerjoin(OseoItem, OseoItem.order_item_id == OrderItem.id)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.id)
    ).all()
    items, states, updated = [], [], order.updated_at
    for row, po, oseo_item in rows:
        states.append(po.state)
        updated = max(updated, po.updated_at)
        collection = f"C{row.collection_id}-{po.provider_id}" if row.collection_id else None
        items.append(
            ItemView(
                item_id=oseo_item.item_id if oseo_item else row.catalog_item_id,
                product=ProductId(row.catalog_item_id, collection),
                options=masked(row.option_selection or []),
                remark=oseo_item.remark if oseo_item else None,
                status=statuses.item_status(po.state),
                status_info=statuses.INFO.get(po.state, po.state.value),
            )
        )
    status = statuses.order_status(states)
    delivery = None
    if extra is not None and extra.delivery:
        mail = extra.delivery.get("mail_address")
        delivery = Delivery(
            MailAddress(**mail) if mail else None, extra.delivery.get("online_address")
        )
    return OrderView(
        order_id=str(order.guid),
        order_reference=extra.order_reference if extra else None,
        order_remark=extra.order_remark if extra else None,
        order_type=extra.order_type if extra else "PRODUCT_ORDER",
        delivery=delivery,
        status=status,
        status_info=", ".join(sorted({s.value for s in states})) or None,
        last_update=updated,
        items=items,
    )


def quotation(session: Session, order: Order) -> Quotation:
    """The partners' quotes, grouped per partner, and their sum (None while any is missing)."""
    groups, total, validity, complete = [], Decimal(0), None, True
    for quote in broker.quotes(session, order):
        provider = session.get(Provider, quote.provider_id)
        items = session.execute(
            select(OrderItem, OseoItem)
            .outerjoin(OseoItem, OseoItem.order_item_id == OrderItem.id)
            .where(OrderItem.provider_order_id == quote.provider_order_id)
            .order_by(OrderItem.id)
        ).all()
        price = None
        if quote.price is not None:
            price = Price(quote.price, CURRENCY)
            total += quote.price
            if quote.expires_at and (validity is None or quote.expires_at < validity):
                validity = quote.expires_at
        else:
            complete = False
        groups.append(
            ProviderPrice(
                service_name=f"{quote.provider_id} order desk ({quote.state.value})",
                organization=provider.name or quote.provider_id,
                price=price,
                items=[
                    (o.item_id if o else r.catalog_item_id, ProductId(r.catalog_item_id, None))
                    for r, o in items
                ],
            )
        )
    return Quotation(
        quotation_id=str(order.guid),
        validity=validity,
        price=Price(total, CURRENCY) if complete else None,
        groups=groups,
    )


def quoting(session: Session, order: Order) -> bool:
    return any(po.state is S.QUOTING for po in broker.provider_orders(session, order))


def result_urls(session: Session, order: Order) -> list[tuple[str, str]]:
    """(itemId, URL) for every URL the partners reported: a URL naming an item's catalog id
    goes to that item, the others to the first item of their provider order."""
    out: list[tuple[str, str]] = []
    for po in broker.provider_orders(session, order):
        rows = session.execute(
            select(OrderItem.catalog_item_id, OseoItem.item_id)
            .outerjoin(OseoItem, OseoItem.order_item_id == OrderItem.id)
            .where(OrderItem.provider_order_id == po.id)
            .order_by(OrderItem.id)
        ).all()
        if not rows:
            continue
        for url in po.access_urls:
            owner = next((r for r in rows if r.catalog_item_id in url), rows[0])
            out.append((owner.item_id or owner.catalog_item_id, url))
    return out


def filtered(
    session: Session,
    caller: Caller,
    *,
    last_update: datetime | None,
    last_update_end: datetime | None,
    order_status: str | None,
    order_reference: str | None,
) -> list[Order]:
    query = (
        select(Order)
        .join(OseoOrder, OseoOrder.order_id == Order.id)
        .where(Order.user_id == caller.effective_user_id)
        .order_by(Order.created_at.desc())
        .limit(500)
    )
    if order_reference:
        query = query.where(OseoOrder.order_reference == order_reference)
    found = []
    for order in session.scalars(query):
        shown = view(session, order)
        if last_update and shown.last_update < last_update:
            continue
        if last_update_end and shown.last_update > last_update_end:
            continue
        if order_status and shown.status != order_status:
            continue
        found.append(order)
    return found


def now() -> datetime:
    return datetime.now(UTC)


def broker_error(error: ClearinghouseError, locator: str) -> oseo.OseoError:
    """A broker refusal in OSEO's words."""
    if isinstance(error, oseo.OseoError):
        return error
    if isinstance(error, Forbidden):
        return oseo.AuthorizationFailed(error.message, locator=locator)
    if error.status >= 500:
        return oseo.NoApplicableCode(error.message, status=error.status)
    # Not found, not valid, or not allowed in the order's state (409): the request's values.
    return oseo.InvalidParameterValue(error.message, locator=locator)
