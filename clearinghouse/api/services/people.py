"""A user's information as messages carry it: read from and written to ``UserInformation``."""

from __future__ import annotations

from lxml import etree

from clearinghouse.accounts.models import Address, AddressKind, Phone, User
from clearinghouse.accounts.services import check_email
from clearinghouse.api.messages import E, Fields, boolean_text
from clearinghouse.errors import Conflict

USAGES = [kind.name for kind in AddressKind]


def read_address(fields: Fields) -> dict:
    usage = fields.choice("Usage", USAGES)
    us_format = fields.boolean("USFormat")
    return {
        "name": fields.required("AddressId", max_length=100),
        "kind": AddressKind[usage] if usage else None,
        "us_format": True if us_format is None else us_format,
        "street": [
            value
            for value in (fields.text(f"Street{n}", max_length=200) for n in range(1, 6))
            if value
        ],
        "city": fields.text("City", max_length=200),
        "state": fields.text("State", max_length=200),
        "postal_code": fields.text("Zip", max_length=40),
        "country": fields.text("Country", max_length=200),
    }


def read_phone(fields: Fields) -> dict:
    return {
        "number": fields.required("Number", max_length=60),
        "kind": fields.text("PhoneType", max_length=60),
    }


def add_address(user: User, values: dict) -> None:
    if any(a.name == values["name"] for a in user.addresses):
        raise Conflict(f"the user already has an address {values['name']}")
    user.addresses.append(Address(**values))


def add_phone(user: User, values: dict) -> None:
    if any(p.number == values["number"] for p in user.phones):
        raise Conflict(f"the user already has the phone number {values['number']}")
    user.phones.append(Phone(**values))


def read_information(fields: Fields) -> dict:
    """FirstName, LastName and EmailAddress (each optional here; the DTD says which are
    required where)."""
    values = {}
    for name, column, length in (
        ("FirstName", "first_name", 200),
        ("LastName", "last_name", 200),
        ("EmailAddress", "email", 320),
    ):
        value = fields.text(name, max_length=length)
        if value is not None:
            values[column] = value
    if "email" in values:
        check_email(values["email"])
    return values


def fill(user: User, information: Fields) -> None:
    """Addresses and phones of a new user's ``UserInformation``."""
    for address in information.children("AddressInformation"):
        add_address(user, read_address(address))
    for phone in information.children("PhoneInformation"):
        add_phone(user, read_phone(phone))


def address_element(address: Address) -> etree._Element:
    element = E.AddressInformation(E.AddressId(address.name))
    if address.kind is not None:
        element.append(E.Usage(address.kind.name))
    element.append(E.USFormat(boolean_text(address.us_format)))
    for n, line in enumerate(address.street, start=1):
        element.append(E(f"Street{n}", line))
    for tag, value in (
        ("City", address.city),
        ("State", address.state),
        ("Zip", address.postal_code),
        ("Country", address.country),
    ):
        if value is not None:
            element.append(E(tag, value))
    return element


def phone_element(phone: Phone) -> etree._Element:
    element = E.PhoneInformation(E.Number(phone.number))
    if phone.kind:
        element.append(E.PhoneType(phone.kind))
    return element


def user_element(user: User) -> etree._Element:
    information = E.UserInformation(
        E.FirstName(user.first_name or ""),
        E.LastName(user.last_name or ""),
        E.EmailAddress(user.email or ""),
        *(address_element(a) for a in sorted(user.addresses, key=lambda a: a.name)),
        *(phone_element(p) for p in sorted(user.phones, key=lambda p: p.number)),
    )
    return E.User(
        E.UserName(user.username),
        information,
        E.Administrator(boolean_text(user.is_admin)),
        E.Active(boolean_text(user.active)),
        E.ProviderRoles(*(E.ProviderId(p.provider_id) for p in user.providers)),
    )
