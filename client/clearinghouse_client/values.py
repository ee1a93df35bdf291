"""The typed values the services take and return, each built from and into the service messages
of the project's DTDs (``from_xml`` reads an answer's element, ``to_xml`` writes a request's).

Prices are :class:`~decimal.Decimal`; times stay the ISO 8601 text the server sent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from clearinghouse_client.xml import E, flag, optional, text, texts

#: How the server shows an encrypted option's value: never in clear.
MASK = "********"


def _decimal(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") and value.lstrip("-").isdigit() else None


# -- people --------------------------------------------------------------------------------------


@dataclass
class Address:
    """One of a user's addresses, named by ``id`` (``AddressInformation``). ``usage`` is
    SHIPPING, BILLING or CONTACT; ``street`` holds one to five lines."""

    id: str
    street: list[str] = field(default_factory=list)
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    usage: str | None = None
    us_format: bool = True

    def to_xml(self) -> etree._Element:
        """``<AddressInformation>`` as UserAccountService.dtd orders it."""
        return E.AddressInformation(
            E.AddressId(self.id),
            *optional("Usage", self.usage),
            *optional("USFormat", self.us_format),
            *(E(f"Street{n}", line) for n, line in enumerate(self.street, start=1)),
            *optional("City", self.city),
            *optional("State", self.state),
            *optional("Zip", self.zip),
            *optional("Country", self.country),
        )

    @classmethod
    def from_xml(cls, element: etree._Element) -> Address:
        """From an ``<AddressInformation>``."""
        return cls(
            id=text(element, "AddressId"),
            street=[line for n in range(1, 6) if (line := text(element, f"Street{n}"))],
            city=text(element, "City"),
            state=text(element, "State"),
            zip=text(element, "Zip"),
            country=text(element, "Country"),
            usage=text(element, "Usage"),
            us_format=flag(element, "USFormat") is not False,
        )


@dataclass
class Phone:
    """A phone number; ``type`` is free text (BUSINESS, HOME, MOBILE, FAX…)."""

    number: str
    type: str | None = None

    def to_xml(self) -> etree._Element:
        """``<PhoneInformation>``."""
        return E.PhoneInformation(E.Number(self.number), *optional("PhoneType", self.type))

    @classmethod
    def from_xml(cls, element: etree._Element) -> Phone:
        """From a ``<PhoneInformation>``."""
        return cls(text(element, "Number"), text(element, "PhoneType"))


@dataclass
class User:
    """A registered user as the server shows it (``User``), or one to register."""

    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    addresses: list[Address] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    administrator: bool = False
    active: bool = True
    provider_roles: list[str] = field(default_factory=list)

    def information_xml(self) -> etree._Element:
        """``<UserInformation>`` (names, e-mail, addresses, phones)."""
        return E.UserInformation(
            E.FirstName(self.first_name),
            E.LastName(self.last_name),
            E.EmailAddress(self.email),
            *(a.to_xml() for a in self.addresses),
            *(p.to_xml() for p in self.phones),
        )

    @classmethod
    def from_xml(cls, element: etree._Element) -> User:
        """From a ``<User>``."""
        info = element.find("UserInformation")
        return cls(
            username=text(element, "UserName"),
            first_name=text(info, "FirstName", ""),
            last_name=text(info, "LastName", ""),
            email=text(info, "EmailAddress", ""),
            addresses=[Address.from_xml(a) for a in info.findall("AddressInformation")],
            phones=[Phone.from_xml(p) for p in info.findall("PhoneInformation")],
            administrator=bool(flag(element, "Administrator")),
            active=flag(element, "Active") is not False,
            provider_roles=texts(element, "ProviderRoles/ProviderId"),
        )


# -- providers -----------------------------------------------------------------------------------


@dataclass
class OrderPolicy:
    """How the broker forwards orders to a partner: ``endpoint``, ``mode`` (sync or async),
    retries, and the ``transactions`` it takes (QUOTE, SUBMIT, CANCEL)."""

    endpoint: str | None = None
    mode: str | None = None
    retry_attempts: int | None = None
    retry_wait_seconds: int | None = None
    transactions: list[str] | None = None

    def to_xml(self) -> etree._Element:
        """``<OrderPolicy>``; fields left None are left as they are."""
        supported = []
        if self.transactions is not None:
            supported = [E.SupportedTransactions(*(E.Transaction(t) for t in self.transactions))]
        return E.OrderPolicy(
            *optional("Endpoint", self.endpoint),
            *optional("Mode", self.mode),
            *optional("RetryAttempts", self.retry_attempts),
            *optional("RetryWaitSeconds", self.retry_wait_seconds),
            *supported,
        )

    @classmethod
    def from_xml(cls, element: etree._Element) -> OrderPolicy:
        """From an ``<OrderPolicy>``."""
        return cls(
            endpoint=text(element, "Endpoint"),
            mode=text(element, "Mode"),
            retry_attempts=_int(text(element, "RetryAttempts")),
            retry_wait_seconds=_int(text(element, "RetryWaitSeconds")),
            transactions=texts(element, "SupportedTransactions/Transaction"),
        )


@dataclass
class ProviderProfile:
    """A partner's profile (``ProviderProfile``)."""

    provider_id: str
    name: str = ""
    contact_email: str = ""
    active: bool = True
    ingest_paused: bool = False
    policy: OrderPolicy = field(default_factory=OrderPolicy)

    @classmethod
    def from_xml(cls, element: etree._Element) -> ProviderProfile:
        """From a ``<ProviderProfile>``."""
        return cls(
            provider_id=text(element, "ProviderId"),
            name=text(element, "Name", ""),
            contact_email=text(element, "ContactEmail", ""),
            active=flag(element, "Active") is not False,
            ingest_paused=bool(flag(element, "IngestPaused")),
            policy=OrderPolicy.from_xml(element.find("OrderPolicy")),
        )


@dataclass
class Group:
    """A group of users; ``members`` is shown only to those who manage it."""

    name: str
    description: str = ""
    provider_id: str | None = None
    members: list[str] = field(default_factory=list)

    @classmethod
    def from_xml(cls, element: etree._Element) -> Group:
        """From a ``<Group>``."""
        return cls(
            name=text(element, "GroupName"),
            description=text(element, "Description", ""),
            provider_id=text(element, "ProviderId"),
            members=texts(element, "Members/UserName"),
        )


#: Who an access rule grants: guests, every registered user, or one group.
GUESTS, REGISTERED_USERS = "Guests", "RegisteredUsers"


@dataclass
class AccessRule:
    """A rule granting READ or ORDER on a partner's collections (one, by ``dataset_id``, or all
    when None) to ``grantee``: :data:`GUESTS`, :data:`REGISTERED_USERS` or a group's name."""

    id: int
    provider_id: str
    permission: str
    grantee: str
    dataset_id: str | None = None

    @classmethod
    def from_xml(cls, element: etree._Element) -> AccessRule:
        """From an ``<AccessRule>``."""
        grantee = element.find("Grantee")
        who = next(child for child in grantee if isinstance(child.tag, str))
        return cls(
            id=int(text(element, "AccessRuleId")),
            provider_id=text(element, "ProviderId"),
            permission=text(element, "Permission"),
            grantee=who.tag if who.tag != "GroupName" else (who.text or "").strip(),
            dataset_id=text(element, "Collection/DataSetId"),
        )


# -- the catalog ---------------------------------------------------------------------------------


@dataclass
class Collection:
    """A collection found by a search: its catalog item id (``C<n>-<PROVIDER>``), main fields,
    and ``record``, the ECHO 10 record itself (None for BRIEF results)."""

    item_id: str
    provider: str
    short_name: str | None = None
    version_id: str | None = None
    dataset_id: str | None = None
    start: str | None = None
    end: str | None = None
    last_update: str | None = None
    record: etree._Element | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_xml(cls, result: etree._Element) -> Collection:
        """From a ``<Result>`` of a collection search (ECHO10 or BRIEF)."""
        record = result.find("Collection")
        source = record if record is not None else result
        return cls(
            item_id=result.get("itemId"),
            provider=result.get("provider"),
            short_name=text(source, "ShortName"),
            version_id=text(source, "VersionId"),
            dataset_id=text(source, "DataSetId"),
            start=text(source, "Temporal/RangeDateTime/BeginningDateTime")
            or text(source, "StartTime"),
            end=text(source, "Temporal/RangeDateTime/EndingDateTime") or text(source, "EndTime"),
            last_update=text(source, "LastUpdate"),
            record=record,
        )


@dataclass
class Granule:
    """A granule found by a search: its catalog item id (``G<n>-<PROVIDER>``, what an order
    names), main fields, and ``record``, the ECHO 10 record (None for BRIEF results)."""

    item_id: str
    provider: str
    granule_ur: str | None = None
    dataset_id: str | None = None
    start: str | None = None
    end: str | None = None
    cloud_cover: float | None = None
    last_update: str | None = None
    online_urls: list[str] = field(default_factory=list)
    record: etree._Element | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_xml(cls, result: etree._Element) -> Granule:
        """From a ``<Result>`` of a granule search (ECHO10 or BRIEF)."""
        record = result.find("Granule")
        source = record if record is not None else result
        cloud = text(source, "CloudCover")
        return cls(
            item_id=result.get("itemId"),
            provider=result.get("provider"),
            granule_ur=text(source, "GranuleUR"),
            dataset_id=text(source, "Collection/DataSetId") or text(source, "DataSetId"),
            start=text(source, "Temporal/RangeDateTime/BeginningDateTime")
            or text(source, "StartTime"),
            end=text(source, "Temporal/RangeDateTime/EndingDateTime") or text(source, "EndTime"),
            cloud_cover=float(cloud) if cloud else None,
            last_update=text(source, "LastUpdate"),
            online_urls=texts(source, "OnlineAccessURLs/OnlineAccessURL/URL"),
            record=record,
        )


# -- options -------------------------------------------------------------------------------------


@dataclass
class OptionDefinition:
    """A node of a partner's option definition tree (Options.dtd). A simple option (``children``
    empty) holds values of ``primitive_type`` (String, Integer, Boolean, Date, Double), limited
    by ``valids`` and ``min_value``/``max_value``; a complex one (``type`` STRUCTURE or CHOICE)
    holds ``children``. ``max_occurs`` None means unbounded. An ``encrypted`` option's values are
    stored encrypted and shown back masked."""

    name: str
    primitive_type: str | None = None
    type: str | None = None
    children: list[OptionDefinition] = field(default_factory=list)
    description: str | None = None
    min_occurs: int = 1
    max_occurs: int | None = 1
    encrypted: bool = False
    valids: list[str] | None = None
    min_value: str | None = None
    max_value: str | None = None
    #: Where a provider's definition applies: a collection's item id, or "ALL".
    scope: str | None = field(default=None, compare=False)

    @property
    def complex(self) -> bool:
        """Whether this option holds other options."""
        return self.type is not None

    def to_xml(self) -> etree._Element:
        """``<OptionDefinition>`` holding this tree."""
        return E.OptionDefinition(self._node())

    def _node(self) -> etree._Element:
        parts = [E.Name(self.name), *optional("Description", self.description)]
        high = "unbounded" if self.max_occurs is None else str(self.max_occurs)
        parts += [E.MinOccurs(str(self.min_occurs)), E.MaxOccurs(high)]
        if self.complex:
            return E.ComplexOption(*parts, E.Type(self.type), *(c._node() for c in self.children))
        parts += [E.Encrypted("true" if self.encrypted else "false")]
        parts += [E.PrimitiveType(self.primitive_type or "String")]
        if self.valids is not None:
            parts.append(E.Valids(*(E.Valid(v) for v in self.valids)))
        parts += optional("MinValue", self.min_value) + optional("MaxValue", self.max_value)
        return E.SimpleOption(*parts)

    @classmethod
    def from_xml(cls, element: etree._Element, scope: str | None = None) -> OptionDefinition:
        """From an ``<OptionDefinition>`` (or the Simple/ComplexOption inside one)."""
        if element.tag == "OptionDefinition":
            element = next(child for child in element if isinstance(child.tag, str))
        high = text(element, "MaxOccurs")
        common = {
            "name": text(element, "Name"),
            "description": text(element, "Description"),
            "min_occurs": _int(text(element, "MinOccurs")) if text(element, "MinOccurs") else 1,
            "max_occurs": None if high == "unbounded" else (_int(high) if high else 1),
            "scope": scope,
        }
        if element.tag == "ComplexOption":
            children = [
                cls.from_xml(child)
                for child in element
                if child.tag in ("SimpleOption", "ComplexOption")
            ]
            return cls(type=text(element, "Type"), children=children, **common)
        encrypted = (text(element, "Encrypted") or "").lower() in ("true", "yes", "1", "y")
        valids = texts(element, "Valids/Valid") if element.find("Valids") is not None else None
        return cls(
            primitive_type=text(element, "PrimitiveType"),
            encrypted=encrypted,
            valids=valids,
            min_value=text(element, "MinValue"),
            max_value=text(element, "MaxValue"),
            **common,
        )


#: A selection as plain Python: option names to a value, a list of values, a dict (a complex
#: option's own selection) or a list of dicts (a complex option chosen more than once).
Selection = dict[str, Any]


class OptionSelection:
    """Building ``<OptionSelection>`` from a plain dict and reading one back into a dict.

    ``{"MediaType": {"FTPPush": {"FTPDir": "/in", "Password": "s3cret"}}}`` selects FTPPush of
    the MediaType choice; a scalar is one value, a list of scalars several, a dict a complex
    option's children, a list of dicts that complex option several times. Encrypted values come
    back as :data:`MASK`.
    """

    @staticmethod
    def to_xml(selection: Selection) -> etree._Element:
        """``<OptionSelection>`` for the dict."""
        return E.OptionSelection(*OptionSelection._nodes(selection))

    @staticmethod
    def _nodes(selection: Selection):
        for name, value in selection.items():
            for one in value if _repeated_complex(value) else [value]:
                if isinstance(one, dict):
                    yield E.ComplexOptionSelection(
                        E.OptionName(name), E.ComplexValue(*OptionSelection._nodes(one))
                    )
                else:
                    values = one if isinstance(one, list | tuple) else [one]
                    yield E.SimpleOptionSelection(
                        E.OptionName(name), *(E.Value(_value_text(v)) for v in values)
                    )

    @staticmethod
    def from_xml(element: etree._Element | None) -> Selection:
        """The dict an ``<OptionSelection>`` (or ``<ComplexValue>``) stands for."""
        out: dict[str, Any] = {}
        if element is None:
            return out
        for node in element:
            if node.tag == "SimpleOptionSelection":
                values = texts(node, "Value")
                value: Any = values[0] if len(values) == 1 else values
            elif node.tag == "ComplexOptionSelection":
                value = OptionSelection.from_xml(node.find("ComplexValue"))
            else:
                continue
            name = text(node, "OptionName")
            if name in out:  # a complex option chosen several times
                previous = out[name]
                out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                out[name] = value
        return out


def _repeated_complex(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and isinstance(value[0], dict)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- orders --------------------------------------------------------------------------------------


@dataclass
class Prices:
    """The prices a partner names in a quote and in an acceptance (seed slides 75 and 78)."""

    total_price: Decimal | None = None
    data_cost: Decimal | None = None
    media_cost: Decimal | None = None
    shipping_cost: Decimal | None = None
    handling_cost: Decimal | None = None
    discount: Decimal | None = None


@dataclass
class Quote(Prices):
    """A partner's quote for its part of an order (seed slide 75)."""

    recommended_media: str | None = None
    media_quantity: str | None = None
    expiration_date: str | None = None
    additional_information: str | None = None

    @classmethod
    def from_xml(cls, element: etree._Element | None) -> Quote | None:
        """From a ``<Quote>``; None when there is none."""
        if element is None:
            return None
        return cls(
            *(_decimal(text(element, tag)) for tag in _PRICES),
            recommended_media=text(element, "RecommendedMedia"),
            media_quantity=text(element, "MediaQuantity"),
            expiration_date=text(element, "QuoteExpirationDate"),
            additional_information=text(element, "additionalInformation"),
        )


_PRICES = ("TotalPrice", "DataCost", "MediaCost", "ShippingCost", "HandlingCost", "Discount")


@dataclass
class Acceptance(Prices):
    """A partner's acceptance of a submitted order (seed slide 78)."""

    media_quantity: str | None = None
    estimated_ship_date: str | None = None
    latest_cancel_date: str | None = None
    additional_information: str | None = None

    @classmethod
    def from_xml(cls, element: etree._Element | None) -> Acceptance | None:
        """From an ``<Acceptance>``; None when there is none."""
        if element is None:
            return None
        return cls(
            *(_decimal(text(element, tag)) for tag in _PRICES),
            media_quantity=text(element, "MediaQuantity"),
            estimated_ship_date=text(element, "estimatedShipDate"),
            latest_cancel_date=text(element, "latestCancelDate"),
            additional_information=text(element, "additionalInformation"),
        )


@dataclass
class OrderItem:
    """One item of an order: a catalog item id, a quantity and the options selected (a dict as
    :class:`OptionSelection` reads it; encrypted values masked)."""

    catalog_item_id: str
    quantity: int = 1
    options: Selection | None = None
    provider_id: str | None = None

    def to_xml(self) -> etree._Element:
        """``<OrderItem>``."""
        selection = [] if self.options is None else [OptionSelection.to_xml(self.options)]
        return E.OrderItem(
            E.CatalogItemId(self.catalog_item_id), E.Quantity(str(self.quantity)), *selection
        )

    @classmethod
    def from_xml(cls, element: etree._Element) -> OrderItem:
        """From an ``<OrderItem>``."""
        selection = element.find("OptionSelection")
        return cls(
            catalog_item_id=text(element, "CatalogItemId"),
            quantity=_int(text(element, "Quantity")) or 1,
            options=None if selection is None else OptionSelection.from_xml(selection),
            provider_id=text(element, "ProviderId"),
        )


@dataclass
class ProviderOrder:
    """One partner's part of an order, in one of the states of CONTRACT §7.1."""

    provider_id: str
    state: str
    closed: bool = False
    tracking_id: str | None = None
    updated_at: str | None = None
    quote: Quote | None = None
    acceptance: Acceptance | None = None
    access_urls: list[str] = field(default_factory=list)
    items: list[OrderItem] = field(default_factory=list)
    #: The order's id as the partner sees it (ECHOOrderID).
    order_id: str | None = None

    @classmethod
    def from_xml(cls, element: etree._Element, order_id: str | None = None) -> ProviderOrder:
        """From a ``<ProviderOrder>``."""
        return cls(
            provider_id=text(element, "ProviderId"),
            state=text(element, "State"),
            closed=bool(flag(element, "Closed")),
            tracking_id=text(element, "ProviderTrackingId"),
            updated_at=text(element, "UpdatedAt"),
            quote=Quote.from_xml(element.find("Quote")),
            acceptance=Acceptance.from_xml(element.find("Acceptance")),
            access_urls=texts(element, "OnlineAccessURLs/URL"),
            items=[OrderItem.from_xml(i) for i in element.findall("OrderItem")],
            order_id=text(element, "ECHOOrderID") or order_id,
        )


@dataclass
class StatusMessage:
    """One entry of an order's status history: who said it (``source``: client, broker or
    partner), when, the state then, and the words."""

    provider_id: str
    time: str
    state: str
    source: str
    message: str

    @classmethod
    def from_xml(cls, element: etree._Element) -> StatusMessage:
        """From a ``<StatusMessage>``."""
        return cls(
            *(text(element, tag, "") for tag in ("ProviderId", "Time", "State", "Source")),
            message=text(element, "Message", ""),
        )


def fields_of(value: Any) -> dict[str, Any]:
    """A value's fields as a dict, for JSON (the ECHO 10 records left out)."""
    out = {}
    for f in dataclasses.fields(value):
        if f.name.startswith("_") or f.name == "record":
            continue
        item = getattr(value, f.name)
        if dataclasses.is_dataclass(item):
            item = fields_of(item)
        elif isinstance(item, list):
            item = [fields_of(i) if dataclasses.is_dataclass(i) else i for i in item]
        elif isinstance(item, Decimal):
            item = str(item)
        out[f.name] = item
    return out
