"""The OSEO operations (pygeoapi-style: a parsed request in, a response element out), on the
broker's own functions. Everything but GetCapabilities needs a WS-Security UsernameToken."""

from __future__ import annotations

import time

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker import api as broker
from broker import definitions as option_definitions
from broker.secrets import option_cipher
from clearinghouse import outbound
from clearinghouse.accounts.models import Provider
from clearinghouse.accounts.sessions import Caller, authenticate
from clearinghouse.catalog import access
from clearinghouse.catalog.conditions import ITEM_ID
from clearinghouse.catalog.models import Collection
from clearinghouse.catalog.search import live
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.errors import ClearinghouseError, DatabaseUnavailable, DestinationNotAllowed
from clearinghouse.oseo import errors as oseo
from clearinghouse.oseo import orders as oseo_orders
from clearinghouse.oseo import requests as r
from clearinghouse.oseo import responses
from clearinghouse.oseo.capabilities import OPERATIONS
from clearinghouse.oseo.envelope import Envelope
from clearinghouse.oseo.models import OseoOrder

#: How often a synchronous GetQuotation looks whether the partners have answered.
QUOTE_POLL = 0.1


def handle(
    db: Database, settings: Settings, envelope: Envelope, *, url: str, address: str | None
) -> etree._Element:
    request = r.read_request(envelope.body)
    if isinstance(request, r.GetCapabilities):
        with db.session() as session:
            return responses.capabilities(url, _collections(session), list(OPERATIONS))
    caller = _caller(db, envelope, address)
    if envelope.reply_to and isinstance(request, r.GetQuotation | r.Submit | r.Cancel):
        _check_reply_to(envelope.reply_to, settings)
    cipher = option_cipher(settings)
    if isinstance(request, r.GetQuotation):
        return _quotation(db, settings, caller, envelope, request, cipher)
    with db.session() as session:
        if isinstance(request, r.GetOptions):
            return _options(session, caller, request)
        if isinstance(request, r.Submit):
            return _submit(session, caller, envelope, request, cipher)
        if isinstance(request, r.GetStatus):
            return _status(session, caller, request)
        if isinstance(request, r.DescribeResultAccess):
            return _results(session, caller, request)
        if isinstance(request, r.Cancel):
            return _cancel(session, caller, envelope, request)
    raise oseo.OperationNotSupported(
        f"{type(request).__name__} is not offered", locator=type(request).__name__
    )


def _caller(db: Database, envelope: Envelope, address: str | None) -> Caller:
    if not envelope.username or envelope.password is None:
        raise oseo.AuthenticationFailed(
            "this operation needs a WS-Security UsernameToken (user name and password) in the"
            " SOAP header",
            locator="identity_token",
        )
    try:
        return authenticate(
            db, envelope.username, envelope.password, address=address, client_id="oseo"
        )
    except DatabaseUnavailable:
        raise
    except ClearinghouseError as error:
        raise oseo.AuthenticationFailed(error.message, locator="identity_token") from None


def _check_reply_to(reply_to: str, settings: Settings) -> None:
    """Callbacks go only where the operator allows (checked again when each is sent)."""
    try:
        outbound.check(reply_to, settings.outbound)
    except DestinationNotAllowed as error:
        message = f"wsa:ReplyTo {error.message}"
        raise oseo.InvalidParameterValue(message, locator="ReplyTo") from None


def _collections(session: Session) -> list[tuple[str, str]]:
    """The collections a guest sees whose partners take orders."""
    rows = session.execute(
        select(Collection.id, Collection.provider_id, Collection.dataset_id)
        .join(Provider, Provider.provider_id == Collection.provider_id)
        .where(
            Provider.order_endpoint.is_not(None),
            Provider.active,
            Collection.orderable,
            *live(Collection),
            access.readable(Caller()),
        )
        .order_by(Collection.provider_id, Collection.id)
        .limit(1000)
    )
    return [(f"C{row.id}-{row.provider_id}", row.dataset_id) for row in rows]


def _collection_of(session: Session, caller: Caller, request: r.GetOptions) -> tuple[str, str, int]:
    """(collection item id, provider, collection id) the options are asked for."""
    if request.collection_id:
        match = ITEM_ID.fullmatch(request.collection_id.strip())
        if match is None or match.group(1) != "C":
            raise oseo.UnsupportedCollection(
                f"{request.collection_id!r} is not one of this server's collections (ids like"
                " C1200000001-PROVIDER, as GetCapabilities lists them)",
                locator="collectionId",
            )
        row = session.execute(
            select(Collection.id, Collection.provider_id).where(
                Collection.id == int(match.group(2)),
                Collection.provider_id == match.group(3),
                *live(Collection),
                access.readable(caller),
            )
        ).first()
        if row is None:
            raise oseo.UnsupportedCollection(
                f"there is no collection {request.collection_id}", locator="collectionId"
            )
        return request.collection_id.strip(), row.provider_id, row.id
    identifiers = [p.identifier for p in request.products] or [request.identifier]
    found = oseo_orders.catalog(session, caller, [i for i in identifiers if i])
    first = found[identifiers[0]]
    return f"C{first.collection_id}-{first.provider_id}", first.provider_id, first.collection_id


def _options(session: Session, caller: Caller, request: r.GetOptions) -> etree._Element:
    collection, provider_id, collection_id = _collection_of(session, caller, request)
    definitions = option_definitions.applicable(session, provider_id, collection_id)
    return responses.get_options_response(collection, definitions)


def _quotation(db, settings, caller, envelope, request: r.GetQuotation, cipher):
    if request.quotation_id is not None:  # monitoring: the quotation as far as it has got
        with db.session() as session:
            order = oseo_orders.find(session, caller, request.quotation_id)
            return responses.quotation_ack(oseo_orders.quotation(session, order))
    with db.session() as session:
        order = oseo_orders.place(
            session,
            caller,
            request.spec,
            cipher,
            kind="quotation",
            reply_to=envelope.reply_to,
            soap=envelope.soap,
        )
        try:
            broker.quote_order(session, caller, order, cipher)
        except ClearinghouseError as error:
            raise oseo_orders.broker_error(error, "orderSpecification") from None
        guid = str(order.guid)
    if envelope.reply_to:  # asynchronous: the quotation follows as GetQuotationResponse
        with db.session() as session:
            order = oseo_orders.find(session, caller, guid)
            return responses.quotation_ack(oseo_orders.quotation(session, order))
    deadline = time.monotonic() + settings.dispatch_timeout + 5
    while True:
        with db.session() as session:
            order = oseo_orders.find(session, caller, guid)
            if not oseo_orders.quoting(session, order) or time.monotonic() > deadline:
                return responses.quotation_ack(oseo_orders.quotation(session, order))
        time.sleep(QUOTE_POLL)


def _submit(session, caller, envelope, request: r.Submit, cipher) -> etree._Element:
    if request.status_notification != "None" and not envelope.reply_to:
        raise oseo.InvalidNotificationValue(
            f"statusNotification {request.status_notification} needs a wsa:ReplyTo address to"
            " send the SubmitResponse messages to"
        )
    if request.spec is not None:
        order = oseo_orders.place(
            session,
            caller,
            request.spec,
            cipher,
            kind="order",
            notification=request.status_notification,
            reply_to=envelope.reply_to,
            soap=envelope.soap,
        )
    else:
        order = oseo_orders.find(session, caller, request.quotation_id, lock=True)
        extra = session.get(OseoOrder, order.id)
        extra.kind = "order"
        extra.status_notification = request.status_notification
        extra.reply_to = envelope.reply_to
        extra.soap_version = envelope.soap
        extra.notify_pending = bool(envelope.reply_to) and request.status_notification != "None"
        extra.notified_status = None
    try:
        broker.submit_order(session, caller, order, cipher)
    except ClearinghouseError as error:
        raise oseo_orders.broker_error(error, "orderSpecification") from None
    extra = session.get(OseoOrder, order.id)
    return responses.submit_ack(str(order.guid), extra.order_reference if extra else None)


def _status(session, caller, request: r.GetStatus) -> etree._Element:
    if request.order_id:
        found = [oseo_orders.find(session, caller, request.order_id)]
    else:
        found = oseo_orders.filtered(
            session,
            caller,
            last_update=request.last_update,
            last_update_end=request.last_update_end,
            order_status=request.order_status,
            order_reference=request.order_reference,
        )
    views = [oseo_orders.view(session, order) for order in found]
    return responses.get_status_response(views, full=request.presentation == "full")


def _results(session, caller, request: r.DescribeResultAccess) -> etree._Element:
    order = oseo_orders.find(session, caller, request.order_id, lock=True)
    urls = oseo_orders.result_urls(session, order)
    extra = session.get(OseoOrder, order.id)
    if request.sub_function == "nextReady" and extra is not None:
        told = set(extra.described_urls)
        urls = [(item, url) for item, url in urls if url not in told]
        extra.described_urls = [*extra.described_urls, *(url for _, url in urls)]
    return responses.describe_result_access_response(urls)


def _cancel(session, caller, envelope, request: r.Cancel) -> etree._Element:
    order = oseo_orders.find(session, caller, request.order_id, lock=True)
    try:
        broker.cancel_order(session, order)
    except ClearinghouseError as error:
        raise oseo_orders.broker_error(error, "orderId") from None
    extra = session.get(OseoOrder, order.id)
    if extra is not None and request.status_notification != "None":
        if not envelope.reply_to and not extra.reply_to:
            raise oseo.InvalidNotificationValue(
                "statusNotification needs a wsa:ReplyTo address for the CancelResponse"
            )
        extra.kind = "cancel"
        extra.status_notification = request.status_notification
        extra.reply_to = envelope.reply_to or extra.reply_to
        extra.soap_version = envelope.soap or extra.soap_version
        extra.notify_pending = True
        extra.notified_status = None
    return responses.cancel_ack()
