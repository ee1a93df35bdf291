"""A client's orders (OrderEntryService): items split per partner, options checked against the
partners' definitions, and the client's quote, submit, cancel and delete, each a state change of
the provider orders it concerns (``broker.events``).

Every mutating call locks its order first, so two calls on one order (two browser tabs, a retried
request) run one after the other and each sees the other's result.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from broker import definitions as option_definitions
from broker.errors import ItemConflict, ItemForbidden, ItemNotFound
from broker.events import move, move_all, moved, note, record
from broker.models import Order, OrderItem, ProviderOrder
from broker.models import ProviderOrderState as S
from broker.options import InvalidOptionSelection, Selection, check_selection
from broker.states import TRANSITIONS, Event
from clearinghouse.accounts.models import AddressKind, Provider, Transaction, User
from clearinghouse.accounts.sessions import Caller
from clearinghouse.catalog import access
from clearinghouse.catalog.conditions import ITEM_ID
from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.catalog.search import live
from clearinghouse.errors import Forbidden, IllegalStateChange, InvalidValue, NotFound

MAX_ITEMS = 2000
MAX_QUANTITY = 10_000


@dataclasses.dataclass
class NewItem:
    """An item to add to an order or change in it: its catalog item id, its quantity (None: 1,
    or unchanged) and its option selection (None: none, or unchanged)."""

    catalog_item_id: str
    quantity: int | None = None
    selection: list[Selection] | None = None


@dataclasses.dataclass(frozen=True)
class CatalogItem:
    catalog_item_id: str
    provider_id: str
    collection_id: int


# -- finding things ------------------------------------------------------------------------------


def order_key(guid: str, *, field: str = "OrderId") -> uuid.UUID:
    """An order id as given (by the field named ``field``), or InvalidValue."""
    try:
        return uuid.UUID(guid)
    except ValueError:
        raise InvalidValue(f"{field}: {guid!r} is not an order id") from None


def find_order(session: Session, caller: Caller, guid: str, *, lock: bool = False) -> Order:
    """The caller's order ``guid`` (an administrator's: anyone's). Someone else's order is as
    absent as one that does not exist."""
    query = select(Order).where(Order.guid == order_key(guid))
    if not (caller.is_admin and caller.acting_user_id is None):
        query = query.where(Order.user_id == caller.effective_user_id)
    if lock:
        query = query.with_for_update()
    order = session.scalar(query)
    if order is None:
        raise NotFound(f"there is no order {guid}")
    return order


def provider_orders(session: Session, order: Order, *, lock: bool = False) -> list[ProviderOrder]:
    # Locked in id order, as the dispatcher locks them: no two lockers wait on each other.
    query = (
        select(ProviderOrder).where(ProviderOrder.order_id == order.id).order_by(ProviderOrder.id)
    )
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def catalog_items(session: Session, caller: Caller, ids: list[str]) -> dict[str, CatalogItem]:
    """The catalog items named, each visible to the caller and orderable by it (404 or 403)."""
    wanted: dict[str, tuple[str, int, str]] = {}
    for value in ids:
        match = ITEM_ID.fullmatch(value.strip())
        if match is None:
            raise InvalidValue(
                f"CatalogItemId: {value!r} is not a catalog item id like G1200000001-PROVIDER"
                " or C1200000001-PROVIDER"
            )
        wanted[value.strip()] = (match.group(1), int(match.group(2)), match.group(3))
    found: dict[str, CatalogItem] = {}
    for kind, model in (("C", Collection), ("G", Granule)):
        numbers = {number for k, number, _ in wanted.values() if k == kind}
        if not numbers:
            continue
        collection_id = Collection.id if kind == "C" else Granule.collection_id
        query = select(
            model.id,
            model.provider_id,
            collection_id,
            access.orderable(caller).label("orderable"),
            and_(Collection.orderable, model.orderable).label("ordering_on"),
        ).where(model.id.in_(numbers), *live(model), *live(Collection), access.readable(caller))
        if kind == "G":
            query = query.join(Collection, Collection.id == Granule.collection_id)
        for row in session.execute(query):
            item_id = f"{kind}{row.id}-{row.provider_id}"
            if item_id not in wanted:
                continue  # the number exists under another provider
            if not row.orderable:
                raise ItemForbidden(f"{item_id} is not orderable by this user", items=[item_id])
            if not row.ordering_on:
                raise ItemForbidden(
                    f"{item_id} is not orderable: its partner does not take orders for it",
                    items=[item_id],
                )
            found[item_id] = CatalogItem(item_id, row.provider_id, row[2])
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise ItemNotFound(f"no such catalog item: {', '.join(missing)}", items=missing)
    return found


def _ordering_provider(session: Session, provider_id: str) -> Provider:
    provider = session.get(Provider, provider_id)
    if not provider.active or not provider.order_endpoint:
        raise Forbidden(f"provider {provider_id} does not take orders (no order endpoint)")
    return provider


# -- the client's transactions -------------------------------------------------------------------


def create_order(session: Session, caller: Caller, user: User) -> Order:
    order = Order(
        user_id=user.id, client_id=caller.client_id, user_information=default_user_information(user)
    )
    session.add(order)
    session.flush()
    return order


def add_items(
    session: Session, caller: Caller, order: Order, items: list[NewItem], cipher
) -> list[OrderItem]:
    """The items added, in the order given."""
    existing = {
        i.catalog_item_id
        for i in session.scalars(select(OrderItem).where(OrderItem.order_id == order.id))
    }
    if len(existing) + len(items) > MAX_ITEMS:
        raise InvalidValue(f"an order holds at most {MAX_ITEMS} items")
    names = [item.catalog_item_id.strip() for item in items]
    twice = sorted({n for n in names if names.count(n) > 1} | (set(names) & existing))
    if twice:
        raise ItemConflict(
            f"already in the order: {', '.join(twice)} (use UpdateOrderItems)", items=twice
        )
    found = catalog_items(session, caller, names)
    by_provider = {po.provider_id: po for po in provider_orders(session, order, lock=True)}
    added = []
    for item, name in zip(items, names, strict=True):
        catalog = found[name]
        po = by_provider.get(catalog.provider_id)
        if po is None:
            _ordering_provider(session, catalog.provider_id)
            po = ProviderOrder(
                order_id=order.id,
                provider_id=catalog.provider_id,
                state=S.NOT_VALIDATED,
                tracking_id=str(order.guid),  # the first request's (seed slide 73)
            )
            session.add(po)
            session.flush()
            by_provider[catalog.provider_id] = po
            note(session, po, "created")
        else:
            move(session, po, Event.EDIT, order=order, message=f"{name} added", source="client")
        row = OrderItem(
            order_id=order.id,
            provider_order_id=po.id,
            catalog_item_id=name,
            collection_id=catalog.collection_id,
            quantity=_quantity(item.quantity),
            option_selection=_selection(session, catalog, item.selection, name, cipher),
        )
        session.add(row)
        added.append(row)
    session.flush()
    return added


def update_items(
    session: Session, caller: Caller, order: Order, items: list[NewItem], cipher
) -> None:
    by_id = {po.id: po for po in provider_orders(session, order, lock=True)}
    for item in items:
        row = _item(session, order, item.catalog_item_id)
        po = by_id[row.provider_order_id]
        move(
            session,
            po,
            Event.EDIT,
            order=order,
            source="client",
            message=f"{row.catalog_item_id} changed",
        )
        if item.quantity is not None:
            row.quantity = _quantity(item.quantity)
        if item.selection is not None:
            catalog = CatalogItem(row.catalog_item_id, po.provider_id, row.collection_id)
            row.option_selection = _selection(
                session, catalog, item.selection, row.catalog_item_id, cipher
            )
    session.flush()


def remove_items(session: Session, order: Order, catalog_item_ids: list[str]) -> None:
    by_id = {po.id: po for po in provider_orders(session, order, lock=True)}
    touched = set()
    for name in catalog_item_ids:
        row = _item(session, order, name)
        po = by_id[row.provider_order_id]
        move(session, po, Event.EDIT, order=order, message=f"{name} removed", source="client")
        session.delete(row)
        touched.add(po.id)
    session.flush()
    for po_id in touched:  # a provider order left without items was never sent: it goes
        left = session.scalar(
            select(OrderItem.id).where(OrderItem.provider_order_id == po_id).limit(1)
        )
        if left is None:
            session.delete(by_id[po_id])
    session.flush()


def set_user_information(
    session: Session, order: Order, user: User, addresses: dict[str, str | None]
) -> None:
    """Use the user's named addresses (AddressId) for shipping, billing and contact."""
    own = {a.name: a for a in user.addresses}
    information = default_user_information(user, choose=False)
    for tag, name in addresses.items():
        if name is None:
            continue
        if name not in own:
            raise NotFound(f"{tag}: the user has no address {name}")
        information[tag] = address_fields(user, own[name])
    pos = provider_orders(session, order, lock=True)
    move_all(session, pos, Event.EDIT, order=order, message="addresses changed", source="client")
    order.user_information = information
    session.flush()


@dataclasses.dataclass
class Problems:
    """What keeps each provider order from being valid, by provider."""

    by_provider: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def add(self, provider_id: str, problem: str) -> None:
        self.by_provider.setdefault(provider_id, []).append(problem)


def validate_order(
    session: Session, caller: Caller, order: Order, cipher, pos: list[ProviderOrder] | None = None
) -> Problems:
    """Check each open, editable provider order again (items still visible and orderable, options
    still valid against the definitions as they are now, partner still taking orders); each goes
    to VALIDATED, or back to NOT_VALIDATED with its problems."""
    problems = Problems()
    pos = provider_orders(session, order, lock=True) if pos is None else pos
    done = []
    definitions: dict[tuple[str, int], list[dict]] = {}  # items of one collection share them
    for po in pos:
        if (po.state, Event.VALIDATE) not in TRANSITIONS:
            continue
        rows = list(
            session.scalars(
                select(OrderItem).where(OrderItem.provider_order_id == po.id).order_by(OrderItem.id)
            )
        )
        found: list[str] = []
        try:
            _ordering_provider(session, po.provider_id)
            catalog = catalog_items(session, caller, [r.catalog_item_id for r in rows])
        except (Forbidden, NotFound) as error:
            found.append(error.message)
            catalog = {}
        for row in rows:
            item = catalog.get(row.catalog_item_id)
            if item is None:
                continue
            scope = (po.provider_id, item.collection_id)
            if scope not in definitions:
                definitions[scope] = option_definitions.applicable(session, *scope)
            try:
                option_definitions.recheck(row.option_selection or [], definitions[scope], cipher)
            except InvalidValue as error:
                found.append(f"{row.catalog_item_id}: {error.message}")
        if found:
            for problem in found:
                problems.add(po.provider_id, problem)
            if po.state is not S.NOT_VALIDATED:
                invalid = moved(po, Event.INVALIDATE, order=order, message="; ".join(found))
                done.append((po, invalid))
        elif po.state is S.NOT_VALIDATED:
            done.append((po, moved(po, Event.VALIDATE, order=order)))
    if done:
        record(session, done)
    session.flush()
    return problems


def quote_order(session: Session, caller: Caller, order: Order, cipher) -> list[str]:
    """Ask every partner that quotes for a quote; the notes say which did not."""
    pos = provider_orders(session, order, lock=True)
    _must_be_valid(validate_order(session, caller, order, cipher, pos))
    notes, asked = [], 0
    for po in pos:
        if po.state not in (S.VALIDATED, S.QUOTE_FAILED, S.QUOTED):
            continue
        if Transaction.QUOTE.value not in _provider(session, po).supported_transactions:
            notes.append(f"{po.provider_id} does not give quotes; submit without one")
            note(session, po, "the partner does not give quotes")
            continue
        move(session, po, Event.QUOTE, order=order, source="client")
        asked += 1
    if not asked:
        _nothing_to_do(pos, "quote", notes)
    return notes


def submit_order(session: Session, caller: Caller, order: Order, cipher) -> list[str]:
    """Submit every provider order at once, or none (409 naming the one that cannot go)."""
    pos = provider_orders(session, order, lock=True)
    if not pos:
        raise IllegalStateChange("the order has no items to submit")
    _must_be_valid(validate_order(session, caller, order, cipher, pos))
    now = datetime.now(UTC)
    for po in pos:
        if (po.state, Event.SUBMIT) not in TRANSITIONS:
            raise IllegalStateChange(
                f"SubmitOrder is not allowed: the provider order of {po.provider_id} is"
                f" {po.state.value}"
            )
        if po.state is S.QUOTED and po.quote_expires_at and po.quote_expires_at < now:
            raise IllegalStateChange(
                f"the quote of {po.provider_id} expired at {po.quote_expires_at.isoformat()};"
                " ask for a new one (QuoteOrder)"
            )
    move_all(session, pos, Event.SUBMIT, order=order, source="client")
    return []


def cancel_order(session: Session, order: Order, provider_id: str | None = None) -> list[str]:
    """Ask the partners processing the order to cancel it. A partner that does not take
    cancellations goes on processing (its status history says so); naming it alone is a 409."""
    pos = [
        po
        for po in provider_orders(session, order, lock=True)
        if provider_id is None or po.provider_id == provider_id
    ]
    if provider_id is not None and not pos:
        raise NotFound(f"order {order.guid} has nothing from provider {provider_id}")
    notes, asked = [], 0
    for po in pos:
        if po.state is not S.PROCESSING:
            if provider_id is not None:
                move(session, po, Event.CANCEL, order=order)  # raises the 409 naming the state
            continue
        if Transaction.CANCEL.value not in _provider(session, po).supported_transactions:
            text = f"{po.provider_id} does not take cancellations; its order goes on"
            if provider_id is not None:
                raise IllegalStateChange(text)
            notes.append(text)
            note(
                session,
                po,
                "cancellation requested, but the partner does not take"
                " cancellations: it goes on processing",
                source="client",
            )
            continue
        move(session, po, Event.CANCEL, order=order, source="client")
        asked += 1
    if not asked and not notes:
        _nothing_to_do(pos, "cancel", notes)
    return notes


def delete_order(session: Session, order: Order) -> None:
    pos = provider_orders(session, order, lock=True)
    for po in pos:
        if (po.state, Event.DELETE) not in TRANSITIONS:
            raise IllegalStateChange(
                f"DeleteOrder is not allowed: the provider order of {po.provider_id} is"
                f" {po.state.value} (cancel it instead)"
            )
    move_all(session, pos, Event.DELETE, order=order, source="client")


# -- helpers -------------------------------------------------------------------------------------


def _provider(session: Session, po: ProviderOrder) -> Provider:
    return session.get(Provider, po.provider_id)


def _must_be_valid(problems: Problems) -> None:
    if problems.by_provider:
        raise IllegalStateChange(
            "the order is not valid: "
            + "; ".join(
                f"{provider}: {', '.join(found)}"
                for provider, found in problems.by_provider.items()
            )
        )


def _nothing_to_do(pos: list[ProviderOrder], what: str, notes: list[str]) -> None:
    states = ", ".join(f"{po.provider_id} {po.state.value}" for po in pos) or "no items"
    raise IllegalStateChange(f"nothing to {what}: " + "; ".join([*notes, states]))


def _item(session: Session, order: Order, name: str) -> OrderItem:
    row = session.scalar(
        select(OrderItem).where(
            OrderItem.order_id == order.id, OrderItem.catalog_item_id == name.strip()
        )
    )
    if row is None:
        raise NotFound(f"{name} is not in order {order.guid}")
    return row


def _quantity(value: int | None) -> int:
    if value is None:
        return 1
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidValue(f"Quantity: {value} is not from 1 to {MAX_QUANTITY}")
    return value


def _selection(
    session: Session, item: CatalogItem, selection: list[Selection] | None, name: str, cipher
) -> list[dict[str, Any]]:
    definitions = option_definitions.applicable(session, item.provider_id, item.collection_id)
    try:
        return check_selection(selection, definitions, cipher)
    except InvalidOptionSelection as error:
        raise error.about(name) from None


@dataclasses.dataclass(frozen=True)
class Address:
    """A postal address as the partner gets it (at most five street lines; empty fields left
    out)."""

    first_name: str | None = None
    last_name: str | None = None
    street: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"FirstName": self.first_name, "LastName": self.last_name}
        for n, street in enumerate(self.street[:5], start=1):
            fields[f"Street{n}"] = street
        fields.update(
            City=self.city,
            State=self.state,
            Zip=self.postal_code,
            Country=self.country,
            Phone=self.phone,
        )
        return {k: v for k, v in fields.items() if v}


def address_fields(user: User, address) -> dict[str, Any]:
    """One of the user's own addresses, with the user's name and first phone."""
    return Address(
        first_name=user.first_name,
        last_name=user.last_name,
        street=tuple(address.street),
        city=address.city,
        state=address.state,
        postal_code=address.postal_code,
        country=address.country,
        phone=user.phones[0].number if user.phones else None,
    ).fields()


def ship_to(session: Session, order: Order, address: Address) -> None:
    """Ship the order to ``address`` instead of the user's shipping address. A provider order
    already validated (or quoted) must be validated again."""
    information = dict(order.user_information or {})
    information["ShippingAddress"] = address.fields()
    for po in provider_orders(session, order, lock=True):
        if po.state is not S.NOT_VALIDATED:
            move(session, po, Event.EDIT, order=order, message="addresses changed", source="client")
    order.user_information = information
    session.flush()


@dataclasses.dataclass(frozen=True)
class Quote:
    """Where one partner's part of an order stands on price: ``price`` and ``expires_at`` are
    the partner's quote while the part is QUOTED, None otherwise."""

    provider_id: str
    provider_order_id: int
    state: S
    price: Decimal | None
    expires_at: datetime | None


def quotes(session: Session, order: Order) -> list[Quote]:
    """Each partner's quote for its part of the order, in the order the parts were made."""
    return [
        Quote(
            po.provider_id,
            po.id,
            po.state,
            po.total_price if quoted else None,
            po.quote_expires_at if quoted else None,
        )
        for po in provider_orders(session, order)
        for quoted in [po.state is S.QUOTED and po.total_price is not None]
    ]


def default_user_information(user: User, *, choose: bool = True) -> dict[str, Any]:
    """What the partner learns of the user: name, e-mail, and the addresses the user marked for
    shipping, billing and contact (a snapshot: later edits of the account do not change it)."""
    information: dict[str, Any] = {"ECHOUserID": user.username}
    if user.email:
        information["NetworkAddress"] = user.email
    if choose:
        for kind, tag in (
            (AddressKind.SHIPPING, "ShippingAddress"),
            (AddressKind.BILLING, "BillingAddress"),
            (AddressKind.CONTACT, "ContactAddress"),
        ):
            address = next((a for a in user.addresses if a.kind is kind), None)
            if address is not None:
                information[tag] = address_fields(user, address)
    return information


def user_orders(session: Session, caller: Caller, guids: list[str], states: list[S]):
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(500)
    if not (caller.is_admin and caller.acting_user_id is None):
        query = query.where(Order.user_id == caller.effective_user_id)
    if guids:
        query = query.where(Order.guid.in_([order_key(guid) for guid in guids]))
    if states:
        query = query.where(
            select(ProviderOrder.id)
            .where(ProviderOrder.order_id == Order.id, ProviderOrder.state.in_(states))
            .exists()
        )
    return list(session.scalars(query))
