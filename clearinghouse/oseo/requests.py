"""OSEO 1.0 requests, read from their XML into plain data.

:func:`read_request` takes the request element (``Envelope.body``) and returns one of the
dataclasses below, or raises a typed :class:`~clearinghouse.oseo.errors.OseoError` whose locator is
the offending element or attribute. It checks what the broker relies on (service ``OS``, version
``1.0.0``, required parameters, enumerations, the schema's length limits); what the broker alone
can judge (that an order exists, that options fit their definitions) is left to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from lxml import etree

from clearinghouse.oseo.errors import (
    InvalidParameterValue,
    MissingParameterValue,
    NoApplicableCode,
    OperationNotSupported,
    OptionNotSupported,
    VersionNegotiationFailed,
)
from clearinghouse.oseo.names import OSEO, OWS, WSN, qname
from clearinghouse.oseo.specification import (
    Delivery,
    MailAddress,
    OrderItem,
    OrderSpecification,
    ProductId,
    child,
    children,
    choice,
    read_product,
    read_specification,
    text,
)
from clearinghouse.oseo.status import STATUSES

__all__ = [
    "STATUSES",
    "Cancel",
    "Delivery",
    "DescribeResultAccess",
    "GetCapabilities",
    "GetOptions",
    "GetQuotation",
    "GetStatus",
    "MailAddress",
    "OrderItem",
    "OrderSpecification",
    "ProductId",
    "Submit",
    "read_request",
]

VERSION = "1.0.0"
NOTIFICATIONS = ("None", "Final", "All")
SECTIONS = (
    "ServiceIdentification",
    "ServiceProvider",
    "OperationsMetadata",
    "Contents",
    "Languages",
    "Notifications",
    "All",
)
#: OSEO elements a server sends (answers and callbacks), never receives.
_SENT_BY_SERVERS = {
    "GetQuotationResponse",
    "SubmitResponse",
    "CancelResponse",
}


@dataclass
class GetCapabilities:
    sections: list[str] = field(default_factory=list)  # empty: all of them


@dataclass
class GetOptions:
    collection_id: str | None
    products: list[ProductId] = field(default_factory=list)
    #: the first ``identifier`` element (all of them are in ``products``)
    identifier: str | None = None


@dataclass
class GetQuotation:
    spec: OrderSpecification | None
    #: not in the schema for GetQuotation; read when a client sends it anyway
    status_notification: str | None = None
    #: quotation monitoring: the quotation asked for earlier (instead of a specification)
    quotation_id: str | None = None


@dataclass
class Submit:
    spec: OrderSpecification | None  # None: the order is the quotation's
    quotation_id: str | None
    status_notification: str  # "None", "Final" or "All"


@dataclass
class GetStatus:
    order_id: str | None
    last_update: datetime | None = None
    #: a bare date as lastUpdateEnd means the end of that day (the criterion is inclusive)
    last_update_end: datetime | None = None
    order_status: str | None = None  # the first orderStatus criterion
    order_reference: str | None = None
    presentation: str = "brief"  # "brief" or "full"
    #: every orderStatus criterion (the schema allows several; any of them matches)
    order_statuses: list[str] = field(default_factory=list)


@dataclass
class DescribeResultAccess:
    order_id: str
    sub_function: str  # "allReady" or "nextReady"


@dataclass
class Cancel:
    order_id: str
    status_notification: str


Request = (
    GetCapabilities | GetOptions | GetQuotation | Submit | GetStatus | DescribeResultAccess | Cancel
)


def read_request(element: etree._Element) -> Request:
    """The request ``element`` stands for, checked; OperationNotSupported for any other."""
    name = etree.QName(element)
    local = name.localname
    if name.namespace == WSN:
        raise OperationNotSupported(
            f"{local}: this server offers no OSEO notifications (WS-BaseNotification)",
            locator=local,
        )
    if name.namespace != OSEO:
        raise NoApplicableCode(f"not an OSEO request: <{element.tag}>", status=400)
    reader = _READERS.get(local)
    if reader is not None:
        return reader(element)
    if local in _SENT_BY_SERVERS:
        why = f"{local} is a callback an OSEO server sends to its clients; it does not receive it"
    elif local.endswith("Ack") or local.endswith("Response") or local == "Capabilities":
        why = f"{local} is an answer, not a request"
    else:
        why = f"{local} is not an operation of this server"
    raise OperationNotSupported(why, locator=local)


# ------------------------------------------------------------------------------- the header


def _check_header(element: etree._Element, operation: str) -> None:
    _check_service(element, operation)
    version = element.get("version")
    if version is None:
        raise MissingParameterValue(
            f"{operation}: the version attribute is missing; it must be {VERSION}",
            locator="version",
        )
    if version.strip() != VERSION:
        raise InvalidParameterValue(
            f"{operation}: version {version!r} is not supported; this server speaks OSEO {VERSION}",
            locator="version",
        )


def _check_service(element: etree._Element, operation: str) -> None:
    service = element.get("service")
    if service is None:
        raise MissingParameterValue(
            f"{operation}: the service attribute is missing; it must be OS", locator="service"
        )
    if service.strip() != "OS":
        raise InvalidParameterValue(
            f"{operation}: service is {service!r}; this is an ordering service (OS)",
            locator="service",
        )


# ----------------------------------------------------------------------------- the operations


def _get_capabilities(element: etree._Element) -> GetCapabilities:
    _check_service(element, "GetCapabilities")
    accept = element.find(qname(OWS, "AcceptVersions"))
    if accept is not None:
        versions = [(v.text or "").strip() for v in accept.findall(qname(OWS, "Version"))]
        if VERSION not in versions:
            raise VersionNegotiationFailed(
                f"GetCapabilities: none of the versions accepted ({', '.join(versions)}) is"
                f" supported; this server speaks {VERSION}"
            )
    sections = [
        (s.text or "").strip()
        for s in element.findall(f"{qname(OWS, 'Sections')}/{qname(OWS, 'Section')}")
    ]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise InvalidParameterValue(
            f"GetCapabilities: unknown section {unknown[0]!r}; the sections are"
            f" {', '.join(SECTIONS)}",
            locator="Sections",
        )
    return GetCapabilities(sections=sections)


def _get_options(element: etree._Element) -> GetOptions:
    _check_header(element, "GetOptions")
    if child(element, "taskingRequestId") is not None:
        raise OptionNotSupported(
            "GetOptions: programming (tasking) requests are not supported; ask by collectionId"
            " or product identifier",
            locator="taskingRequestId",
        )
    collection = text(element, "collectionId", "GetOptions", max_length=255)
    identifiers = [(e.text or "").strip() for e in children(element, "identifier")]
    identifiers = [identifier for identifier in identifiers if identifier]
    products = [ProductId(identifier) for identifier in identifiers]
    # productId elements are no part of the schema's choice; some clients send them anyway.
    for n, product in enumerate(children(element, "productId"), 1):
        products.append(read_product(product, f"GetOptions/productId[{n}]"))
    if not collection and not products:
        raise MissingParameterValue(
            "GetOptions needs a collectionId or product identifier(s)", locator="collectionId"
        )
    if collection and products:
        raise InvalidParameterValue(
            "GetOptions takes a collectionId or product identifier(s), not both",
            locator="collectionId",
        )
    return GetOptions(
        collection_id=collection,
        products=products,
        identifier=identifiers[0] if identifiers else None,
    )


def _get_quotation(element: etree._Element) -> GetQuotation:
    _check_header(element, "GetQuotation")
    spec = child(element, "orderSpecification")
    if spec is None:
        quotation = text(element, "quotationId", "GetQuotation")
        if quotation is not None:  # monitoring: how far the quotation has got
            return GetQuotation(spec=None, quotation_id=quotation)
        raise MissingParameterValue(
            "GetQuotation/orderSpecification is missing", locator="orderSpecification"
        )
    return GetQuotation(
        spec=read_specification(spec, "GetQuotation/orderSpecification"),
        status_notification=choice(
            element, "statusNotification", "GetQuotation", NOTIFICATIONS, required=False
        ),
    )


def _submit(element: etree._Element) -> Submit:
    _check_header(element, "Submit")
    spec = child(element, "orderSpecification")
    quotation = text(element, "quotationId", "Submit")
    if spec is not None and quotation is not None:
        raise InvalidParameterValue(
            "Submit takes an orderSpecification or a quotationId, not both", locator="quotationId"
        )
    if spec is None and quotation is None:
        raise MissingParameterValue(
            "Submit needs an orderSpecification or a quotationId", locator="orderSpecification"
        )
    return Submit(
        spec=read_specification(spec, "Submit/orderSpecification") if spec is not None else None,
        quotation_id=quotation,
        status_notification=choice(element, "statusNotification", "Submit", NOTIFICATIONS) or "",
    )


def _get_status(element: etree._Element) -> GetStatus:
    _check_header(element, "GetStatus")
    order_id = text(element, "orderId", "GetStatus")
    criteria = child(element, "filteringCriteria")
    presentation = choice(element, "presentation", "GetStatus", ("brief", "full")) or ""
    if order_id is not None and criteria is not None:
        raise InvalidParameterValue(
            "GetStatus takes an orderId or filteringCriteria, not both", locator="filteringCriteria"
        )
    if criteria is None:
        if order_id is None:
            raise MissingParameterValue(
                "GetStatus needs an orderId or filteringCriteria", locator="orderId"
            )
        return GetStatus(order_id=order_id, presentation=presentation)
    path = "GetStatus/filteringCriteria"
    statuses = []
    for status in children(criteria, "orderStatus"):
        value = (status.text or "").strip()
        if value not in STATUSES:
            raise InvalidParameterValue(
                f"{path}/orderStatus {value!r} is not an OSEO status; the statuses are"
                f" {', '.join(STATUSES)}",
                locator="orderStatus",
            )
        statuses.append(value)
    return GetStatus(
        order_id=None,
        last_update=_instant(criteria, "lastUpdate", path, end_of_day=False),
        last_update_end=_instant(criteria, "lastUpdateEnd", path, end_of_day=True),
        order_status=statuses[0] if statuses else None,
        order_reference=text(criteria, "orderReference", path, max_length=30),
        presentation=presentation,
        order_statuses=statuses,
    )


def _instant(element: etree._Element, local: str, path: str, *, end_of_day: bool):
    """An xs:dateTime, or the xs:date the OSEO text documents (its day's start, or its end for
    an upper bound); a zoneless value is UTC."""
    value = text(element, local, path)
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameterValue(
            f"{path}/{local} {value!r} is not an ISO 8601 date or date-time", locator=local
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _describe_result_access(element: etree._Element) -> DescribeResultAccess:
    _check_header(element, "DescribeResultAccess")
    where = "DescribeResultAccess"
    return DescribeResultAccess(
        order_id=text(element, "orderId", where, required=True) or "",
        sub_function=choice(element, "subFunction", where, ("allReady", "nextReady")) or "",
    )


def _cancel(element: etree._Element) -> Cancel:
    _check_header(element, "Cancel")
    return Cancel(
        order_id=text(element, "orderId", "Cancel", required=True) or "",
        status_notification=choice(element, "statusNotification", "Cancel", NOTIFICATIONS) or "",
    )


_READERS = {
    "GetCapabilities": _get_capabilities,
    "GetOptions": _get_options,
    "GetQuotation": _get_quotation,
    "Submit": _submit,
    "GetStatus": _get_status,
    "DescribeResultAccess": _describe_result_access,
    "Cancel": _cancel,
}
