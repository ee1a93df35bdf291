"""The Capabilities and GetOptionsResponse documents (re-exported by
:mod:`clearinghouse.oseo.responses`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from clearinghouse.oseo.names import E_OSEO, E_OWS, OSEO, OWS, SWE, XLINK, qname
from clearinghouse.oseo.options import option_descriptor

VERSION = "1.0.0"
#: The operations a Capabilities document may list, in the order the OSEO text gives them.
OPERATIONS = (
    "GetCapabilities",
    "GetOptions",
    "GetQuotation",
    "Submit",
    "GetStatus",
    "DescribeResultAccess",
    "Cancel",
)


def capabilities(
    url: str,
    collections: list[tuple[str, str]],
    operations: list[str],
    *,
    sections: Iterable[str] | None = None,
    title: str = "Clearinghouse ordering service",
    provider_name: str = "Clearinghouse",
) -> etree._Element:
    """Capabilities: ServiceIdentification, ServiceProvider, OperationsMetadata (each operation
    POSTed to ``url``) and OSEO Contents (product orders of the ``(collectionId, title)`` pairs:
    the schema has no place for the title). ``sections`` as GetCapabilities asked (none or
    ``All``: every one)."""
    wanted = set(sections or ()) or {"All"}

    def shown(section: str) -> bool:
        return "All" in wanted or section in wanted

    root = etree.Element(
        qname(OSEO, "Capabilities"), nsmap={None: OSEO, "ows": OWS, "xlink": XLINK}
    )
    root.set("version", VERSION)
    if shown("ServiceIdentification"):
        root.append(
            E_OWS.ServiceIdentification(
                E_OWS.Title(title), E_OWS.ServiceType("OS"), E_OWS.ServiceTypeVersion(VERSION)
            )
        )
    if shown("ServiceProvider"):
        contact = E_OWS.ServiceContact()
        root.append(E_OWS.ServiceProvider(E_OWS.ProviderName(provider_name), contact))
    # GetCapabilities is offered by definition: it is what is being answered.
    offered = [o for o in OPERATIONS if o in operations or o == "GetCapabilities"]
    if shown("OperationsMetadata") and len(offered) >= 2:  # the schema wants two at least
        root.append(E_OWS.OperationsMetadata(*(_operation(name, url) for name in offered)))
    if shown("Contents"):
        root.append(_contents([c for c, _ in collections], set(offered)))
    return root


def _operation(name: str, url: str) -> etree._Element:
    post = E_OWS.Post()
    post.set(qname(XLINK, "href"), url)
    return E_OWS.Operation(E_OWS.DCP(E_OWS.HTTP(post)), name=name)


def _flags(**flags: bool) -> dict[str, str]:
    return {name.replace("_", "-"): "true" if on else "false" for name, on in flags.items()}


_QUOTATION = _flags(
    supported=True, synchronous=True, asynchronous=True, monitoring=False, off_line=False
)
_NO_QUOTATION = {name: "false" for name in _QUOTATION}
# Options per item and for the whole order; delivery is per item (onlineDataAccess).
_SUBMIT = _flags(
    asynchronous=True,
    globalDeliveryOptions=False,
    localDeliveryOptions=True,
    globalOrderOptions=True,
    localOrderOptions=True,
)


def _contents(collections: list[str], offered: set[str]) -> etree._Element:
    """What the broker does: product orders (no subscriptions, no programming), quotations
    synchronous and by callback, asynchronous submission with per-item options, status search
    and retrieval, result access and cancellation (as offered)."""
    quotes = "GetQuotation" in offered
    access = "DescribeResultAccess" in offered
    cancel = "Cancel" in offered
    contents = E_OSEO.Contents(
        E_OSEO.ProductOrders(supported="true"),
        E_OSEO.SubscriptionOrders(supported="false"),
        E_OSEO.ProgrammingOrders(supported="false"),
        E_OSEO.GetQuotationCapabilities(_QUOTATION if quotes else _NO_QUOTATION),
        E_OSEO.SubmitCapabilities(_SUBMIT),
        E_OSEO.GetStatusCapabilities(_flags(orderSearch=True, orderRetrieve=True, full=True)),
        E_OSEO.DescribeResultAccessCapabilities(supported="true" if access else "false"),
        E_OSEO.CancelCapabilities(_flags(supported=cancel, asynchronous=cancel)),
    )
    for collection in collections:
        contents.append(
            E_OSEO.SupportedCollection(
                E_OSEO.collectionId(collection[:255]),
                E_OSEO.ProductOrders(supported="true"),
                E_OSEO.SubscriptionOrders(supported="false"),
            )
        )
    contents.append(E_OSEO.ContentsType(E_OSEO.supportedEncoding("XMLEncoding")))
    return contents


# ------------------------------------------------------------------------------- GetOptions


def order_options(
    collection_id: str,
    definitions: list[dict[str, Any]],
    *,
    identifier: str | None = None,
    options_id: str | None = None,
    description: str | None = None,
    delivery_protocols: Iterable[str] = ("ftp", "http", "https"),
) -> etree._Element:
    """One ``orderOptions``: an ``option`` (SWE DataRecord) per definition, and online data
    access as the delivery (DescribeResultAccess gives the URLs)."""
    element = E_OSEO.orderOptions(
        E_OSEO.productOrderOptionsId((options_id or collection_id or "options")[:40])
    )
    if identifier:
        element.append(E_OSEO.identifier(identifier))
    text = description or f"Order options of {collection_id}"
    element.append(E_OSEO.description(text[:255]))
    element.append(E_OSEO.orderType("PRODUCT_ORDER"))
    element.extend(option_descriptor(definition) for definition in definitions)
    protocols = [E_OSEO.protocol(protocol) for protocol in delivery_protocols]
    element.append(E_OSEO.productDeliveryOptions(E_OSEO.onlineDataAccess(*protocols)))
    return element


def options_response(*orders_options: etree._Element) -> etree._Element:
    """GetOptionsResponse around ``orderOptions`` elements (several: products of several
    collections)."""
    root = etree.Element(
        qname(OSEO, "GetOptionsResponse"), nsmap={None: OSEO, "swe": SWE, "xlink": XLINK}
    )
    root.append(E_OSEO.status("success"))
    root.extend(orders_options)
    return root


def get_options_response(
    collection_id: str, definitions: list[dict[str, Any]], **kw: Any
) -> etree._Element:
    """GetOptionsResponse for one collection (keywords as :func:`order_options`)."""
    return options_response(order_options(collection_id, definitions, **kw))
