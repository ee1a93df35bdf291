"""ProviderOrderManagementService: a partner reports what became of the broker's requests (async
mode) and moves its own provider orders on (CONTRACT §7.2). Only for a user acting for the
provider, and only for that provider's orders."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select

from broker.events import note
from broker.models import Order, ProviderOrder
from broker.models import ProviderOrderState as S
from broker.outcomes import partner_event, track
from broker.partner import MalformedAnswer, read_details
from broker.provider_orders import add_access_urls, find_provider_order
from broker.states import Event, update_event
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.api.services.order_views import provider_order_element
from clearinghouse.errors import InvalidValue

SERVICE = "ProviderOrderManagementService"
STATES = [state.value for state in S]


def _target(call: Call, fields: Fields) -> tuple[ProviderOrder, Order]:
    """The caller's provider's part of the order named, locked."""
    po, order = find_provider_order(
        call.session,
        call.provider().provider_id,
        fields.required("ECHOOrderID", max_length=80),
        field=f"{fields.path}/ECHOOrderID",
    )
    track(call.session, po, fields.text("ProviderTrackingID", max_length=200))
    return po, order


def _details(fields: Fields, tag: str) -> dict:
    try:
        return read_details(fields.element.find(tag))
    except MalformedAnswer as error:
        raise InvalidValue(f"{fields.path}/{tag}/{error.message}") from None


def _respond(call: Call, request: etree._Element, po: ProviderOrder, order: Order):
    call.session.flush()
    tag = request.tag.replace("Request", "Response")
    return E(
        tag,
        E.ECHOOrderID(str(order.guid)),
        provider_order_element(call.session, po, order, items=False),
    )


def _simple(event: Event, detail_tag: str | None = None):
    """A transaction that applies one partner event."""

    def handler(call: Call, request: etree._Element) -> etree._Element:
        fields = Fields(request)
        po, order = _target(call, fields)
        partner_event(
            call.session,
            po,
            event,
            order=order,
            details=_details(fields, detail_tag) if detail_tag else None,
            reason=fields.text("Reason", max_length=4000),
            message=fields.text("StatusMessage", max_length=4000),
        )
        _access_urls(call, fields, po)
        return _respond(call, request, po, order)

    return handler


def _access_urls(call: Call, fields: Fields, po: ProviderOrder) -> None:
    urls = fields.child("OnlineAccessURLs")
    if urls is not None:
        add_access_urls(call.session, po, urls.texts("URL"), field=f"{urls.path}/URL")


for name, event, detail in (
    ("SupplyProviderQuoteRequest", Event.SUPPLY_QUOTE, "ProviderQuote"),
    ("RejectProviderQuoteRequest", Event.REJECT_QUOTE, None),
    ("AcceptProviderOrderSubmissionRequest", Event.ACCEPT_SUBMISSION, "ProviderOrderAcceptance"),
    ("RejectProviderOrderSubmissionRequest", Event.REJECT_SUBMISSION, None),
    ("AcceptProviderOrderCancellationRequest", Event.ACCEPT_CANCELLATION, None),
    ("RejectProviderOrderCancellationRequest", Event.REJECT_CANCELLATION, None),
    ("CloseProviderOrderRequest", Event.CLOSE, None),
):
    REGISTRY.transaction(SERVICE, name, who=Who.PROVIDER)(_simple(event, detail))


@REGISTRY.transaction(SERVICE, "UpdateProviderOrderStateRequest", who=Who.PROVIDER)
def update_state(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    target = fields.choice("State", STATES)
    po, order = _target(call, fields)
    event = update_event(po.state, S(target), order=f"the provider order of {po.provider_id}")
    partner_event(
        call.session, po, event, order=order, message=fields.text("StatusMessage", max_length=4000)
    )
    return _respond(call, request, po, order)


@REGISTRY.transaction(SERVICE, "AddStatusMessageRequest", who=Who.PROVIDER)
def add_status_message(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    po, order = _target(call, fields)
    note(call.session, po, fields.required("StatusMessage", max_length=4000), source="partner")
    _access_urls(call, fields, po)
    return _respond(call, request, po, order)


@REGISTRY.transaction(SERVICE, "GetProviderOrdersRequest", who=Who.PROVIDER)
def get_provider_orders(call: Call, request: etree._Element) -> etree._Element:
    provider = call.provider()
    states = [S(state) for state in Fields(request).choices("State", STATES)]
    query = (
        select(ProviderOrder, Order)
        .join(Order, Order.id == ProviderOrder.order_id)
        .where(ProviderOrder.provider_id == provider.provider_id)
        .order_by(ProviderOrder.updated_at.desc())
        .limit(1000)
    )
    if states:
        query = query.where(ProviderOrder.state.in_(states))
    response = E.GetProviderOrdersResponse()
    for po, order in call.session.execute(query):
        element = provider_order_element(call.session, po, order)
        element.insert(0, E.ECHOOrderID(str(order.guid)))
        response.append(element)
    return response
