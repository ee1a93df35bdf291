"""Reading an OSEO ``orderSpecification`` (GetQuotation, Submit) into plain data, and the small
element readers every request parser shares.

Each refusal names the offending parameter as its locator and the path to it in its message
(``orderSpecification/orderItem[2]/itemId``). Length and enumeration limits are the schema's: what
we accept is what we can echo back in a valid GetStatus answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from clearinghouse.inputs import whole_number
from clearinghouse.oseo.errors import (
    InvalidParameterValue,
    MissingParameterValue,
    OptionNotSupported,
)
from clearinghouse.oseo.names import OSEO, qname
from clearinghouse.oseo.options import selection_of

ORDER_TYPES = ("PRODUCT_ORDER", "SUBSCRIPTION_ORDER", "TASKING_ORDER")
PROTOCOLS = ("ftp", "ftps", "sftp", "P2P", "wcs", "wms", "e-mail", "dds", "http", "https")
PACKAGE_MEDIA = ("NTP", "DAT", "Exabyte", "CD-ROM", "DLT", "D1", "DVD", "BD", "LTO", "LTO2", "LTO4")
SHIPPING = ("as each product is ready", "once all products are ready", "other")
MAX_COPIES = 2**31 - 1  # numberOfCopies is an xs:int: what we keep, GetStatus must echo
# mailAddress children: (element, dataclass field, most characters)
_PERSON = (
    ("firstName", "first_name", 40),
    ("lastName", "last_name", 40),
    ("companyRef", "company", 40),
)
_POSTAL = (
    ("streetAddress", "street", 40),
    ("city", "city", 40),
    ("state", "state", 40),
    ("postalCode", "postal_code", 12),
    ("country", "country", 40),
    ("postBox", "post_box", 12),
)
_PHONES = (("telephoneNumber", "telephone", 18), ("facsimileTelephoneNumber", "facsimile", 18))


@dataclass
class ProductId:
    identifier: str
    collection_id: str | None = None


@dataclass
class MailAddress:
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    post_box: str | None = None
    telephone: str | None = None
    facsimile: str | None = None


@dataclass
class Delivery:
    mail_address: MailAddress | None = None
    #: ``protocol://[user@]server[/path]`` of the first onlineAddress (its password is dropped:
    #: the broker keeps no secret it cannot seal).
    online_address: str | None = None


@dataclass
class OrderItem:
    item_id: str
    product: ProductId | None  # None: a subscription or tasking item (refused by the broker)
    collection_id: str | None
    options: list = field(default_factory=list)
    scene_selection: list = field(default_factory=list)
    remark: str | None = None
    delivery_options: dict[str, Any] | None = None
    payment: dict[str, Any] | None = None


@dataclass
class OrderSpecification:
    order_reference: str | None
    order_remark: str | None
    delivery: Delivery | None
    order_type: str
    options: list = field(default_factory=list)
    items: list[OrderItem] = field(default_factory=list)


# ----------------------------------------------------------------------------- element readers


def child(element: etree._Element, local: str) -> etree._Element | None:
    return element.find(qname(OSEO, local))


def children(element: etree._Element, local: str) -> list[etree._Element]:
    return element.findall(qname(OSEO, local))


def text(
    element: etree._Element,
    local: str,
    path: str,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str | None:
    """The stripped text of child ``local``; None when absent or empty (refused if required)."""
    found = child(element, local)
    value = (found.text or "").strip() if found is not None else ""
    if not value:
        if required:
            state = "missing" if found is None else "empty"
            raise MissingParameterValue(f"{path}/{local} is {state}", locator=local)
        return None
    if max_length is not None and len(value) > max_length:
        raise InvalidParameterValue(
            f"{path}/{local} has {len(value)} characters; at most {max_length} are allowed",
            locator=local,
        )
    return value


def choice(
    element: etree._Element,
    local: str,
    path: str,
    allowed: Iterable[str],
    *,
    required: bool = True,
) -> str | None:
    value = text(element, local, path, required=required)
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise InvalidParameterValue(
            f"{path}/{local} is {value!r}; it must be one of {', '.join(allowed)}", locator=local
        )
    return value


# ------------------------------------------------------------------------ order specification


def read_specification(element: etree._Element, path: str) -> OrderSpecification:
    items_elements = children(element, "orderItem")
    if not items_elements:
        raise MissingParameterValue(f"{path} has no orderItem", locator="orderItem")
    items = [read_item(item, f"{path}/orderItem[{n}]") for n, item in enumerate(items_elements, 1)]
    seen: set[str] = set()
    for item in items:
        if item.item_id in seen:
            raise InvalidParameterValue(
                f"{path}: two orderItems have the itemId {item.item_id!r}", locator="itemId"
            )
        seen.add(item.item_id)
    return OrderSpecification(
        order_reference=text(element, "orderReference", path, max_length=30),
        order_remark=text(element, "orderRemark", path, max_length=4000),
        delivery=read_delivery(
            child(element, "deliveryInformation"), f"{path}/deliveryInformation"
        ),
        order_type=choice(element, "orderType", path, ORDER_TYPES) or "",
        options=read_parameter_data(children(element, "option"), f"{path}/option"),
        items=items,
    )


def read_item(element: etree._Element, path: str) -> OrderItem:
    product_element = child(element, "productId")
    product = None
    if product_element is not None:
        product = read_product(product_element, f"{path}/productId")
    subscription = child(element, "subscriptionId")
    if product is None and subscription is None and child(element, "taskingRequestId") is None:
        raise MissingParameterValue(
            f"{path} names no product: productId is missing", locator="productId"
        )
    collection = product.collection_id if product else None
    if collection is None and subscription is not None:
        collection = text(subscription, "collectionId", f"{path}/subscriptionId", max_length=255)
    return OrderItem(
        item_id=text(element, "itemId", path, required=True, max_length=80) or "",
        product=product,
        collection_id=collection,
        options=read_parameter_data(children(element, "option"), f"{path}/option"),
        scene_selection=read_parameter_data(
            children(element, "sceneSelection"), f"{path}/sceneSelection"
        ),
        remark=text(element, "orderItemRemark", path, max_length=4000),
        delivery_options=read_delivery_options(child(element, "deliveryOptions"), path),
        payment=read_payment(child(element, "payment"), f"{path}/payment"),
    )


def read_product(element: etree._Element, path: str) -> ProductId:
    return ProductId(
        identifier=text(element, "identifier", path, required=True) or "",
        collection_id=text(element, "collectionId", path, max_length=255),
    )


def read_parameter_data(containers: list[etree._Element], path: str) -> list:
    """The selection held by ``option``/``sceneSelection`` elements, each one ParameterData in
    XMLEncoding (the only encoding whose values are XML elements we can read option by option)."""
    values = []
    for n, container in enumerate(containers, 1):
        where = f"{path}[{n}]/ParameterData"
        data = child(container, "ParameterData")
        if data is None:
            raise MissingParameterValue(f"{where} is missing", locator="ParameterData")
        encoding = text(data, "encoding", where, required=True)
        if encoding != "XMLEncoding":
            raise OptionNotSupported(
                f"{where}/encoding {encoding!r} is not supported; use XMLEncoding",
                locator="encoding",
            )
        found = child(data, "values")
        if found is None:
            raise MissingParameterValue(f"{where}/values is missing", locator="values")
        values.append(found)
    return selection_of(values)


def read_delivery(element: etree._Element | None, path: str) -> Delivery | None:
    if element is None:
        return None
    mail = child(element, "mailAddress")
    online = children(element, "onlineAddress")
    return Delivery(
        mail_address=read_mail_address(mail, f"{path}/mailAddress") if mail is not None else None,
        online_address=read_online_address(online[0], f"{path}/onlineAddress") if online else None,
    )


def read_mail_address(element: etree._Element, path: str) -> MailAddress:
    fields = {}
    for local, name, most in _PERSON + _PHONES:
        fields[name] = text(element, local, path, max_length=most)
    postal = child(element, "postalAddress")
    if postal is not None:
        for local, name, most in _POSTAL:
            fields[name] = text(postal, local, f"{path}/postalAddress", max_length=most)
    return MailAddress(**fields)


def read_online_address(element: etree._Element, path: str) -> str:
    protocol = choice(element, "protocol", path, PROTOCOLS) or ""
    server = text(element, "serverAddress", path, required=True, max_length=255) or ""
    user = text(element, "userName", path, max_length=8)
    where = text(element, "path", path, max_length=1024)
    # Some clients write the whole URL into serverAddress.
    address = server if "://" in server else f"{protocol}://{user + '@' if user else ''}{server}"
    return address + ("/" + where.lstrip("/") if where else "")


def read_delivery_options(element: etree._Element | None, parent: str) -> dict | None:
    if element is None:
        return None
    path = f"{parent}/deliveryOptions"
    options: dict[str, Any] = {"method": None}
    for method in ("onlineDataAccess", "onlineDataDelivery"):
        found = child(element, method)
        if found is not None:
            options["method"] = method
            options["protocol"] = choice(found, "protocol", f"{path}/{method}", PROTOCOLS)
    media = child(element, "mediaDelivery")
    if media is not None:
        options["method"] = "mediaDelivery"
        where = f"{path}/mediaDelivery"
        options["package_medium"] = choice(media, "packageMedium", where, PACKAGE_MEDIA)
        options["shipping_instructions"] = choice(
            media, "shippingInstructions", where, SHIPPING, required=False
        )
    if options["method"] is None:
        raise MissingParameterValue(
            f"{path} needs onlineDataAccess, onlineDataDelivery or mediaDelivery",
            locator="deliveryOptions",
        )
    copies = text(element, "numberOfCopies", path)
    if copies is not None:
        copies = whole_number(
            copies,
            0,
            MAX_COPIES,
            where=f"{path}/numberOfCopies",
            error=InvalidParameterValue,
            locator="numberOfCopies",
        )
    options["number_of_copies"] = copies
    options["product_annotation"] = text(element, "productAnnotation", path, max_length=4000)
    options["special_instructions"] = text(element, "specialInstructions", path, max_length=4000)
    return options


def read_payment(element: etree._Element | None, path: str) -> dict | None:
    """paymentMethod and orderAccount; a creditCardInfo is never kept (the schema itself says it
    "should be managed in more secure way")."""
    if element is None:
        return None
    return {
        "method": text(element, "paymentMethod", path, required=True, max_length=40),
        "order_account": text(element, "orderAccount", path, max_length=20),
    }
