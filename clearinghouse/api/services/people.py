"""A user's information as messages carry it: read from and written to ``UserInformation``."""

from __future__ import annotations

from lxml import etree
from sqlalchemy.orm import Session

from clearinghouse.accounts.models import Address, AddressKind, Phone, User
from clearinghouse.accounts.services import check_email
from clearinghouse.api.messages import E, Fields, boolean_text
from clearinghouse.db.prepared import Prepared
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


#: Users as messages show them, in one query (no ORM loading: GetUserInformation is the most
#: frequent transaction there is).
_VIEWS = Prepared(
    "user_views",
    ("bigint[]",),
    """
    SELECT u.username, u.first_name, u.last_name, u.email, u.is_admin, u.active,
      coalesce((SELECT json_agg(json_build_object('name', a.name, 'kind', a.kind,
                  'us_format', a.us_format, 'street', a.street, 'city', a.city, 'state', a.state,
                  'postal_code', a.postal_code, 'country', a.country) ORDER BY a.name)
                FROM addresses a WHERE a.user_id = u.id), '[]') AS addresses,
      coalesce((SELECT json_agg(json_build_object('number', p.number, 'kind', p.kind)
                  ORDER BY p.number)
                FROM phones p WHERE p.user_id = u.id), '[]') AS phones,
      coalesce((SELECT array_agg(up.provider_id ORDER BY up.provider_id)
                FROM user_providers up WHERE up.user_id = u.id), '{}') AS providers
    FROM users u WHERE u.id = ANY($1)
    ORDER BY lower(u.username)
    """,
)


def user_elements(session: Session, user_ids: list[int]) -> list[etree._Element]:
    """The ``User`` elements of these users, as stored (pending changes are flushed first)."""
    session.flush()
    rows = _VIEWS.execute(session.connection(), list(user_ids)).all()
    return [_user_element(row) for row in rows]


def user_element(session: Session, user_id: int) -> etree._Element:
    return user_elements(session, [user_id])[0]


def _address_element(address: dict) -> etree._Element:
    element = E.AddressInformation(E.AddressId(address["name"]))
    if address["kind"] is not None:
        element.append(E.Usage(address["kind"].upper()))
    element.append(E.USFormat(boolean_text(address["us_format"])))
    for n, line in enumerate(address["street"] or (), start=1):
        element.append(E(f"Street{n}", line))
    for tag, key in (
        ("City", "city"),
        ("State", "state"),
        ("Zip", "postal_code"),
        ("Country", "country"),
    ):
        if address[key] is not None:
            element.append(E(tag, address[key]))
    return element


def _phone_element(phone: dict) -> etree._Element:
    element = E.PhoneInformation(E.Number(phone["number"]))
    if phone["kind"]:
        element.append(E.PhoneType(phone["kind"]))
    return element


def _user_element(row) -> etree._Element:
    information = E.UserInformation(
        E.FirstName(row.first_name or ""),
        E.LastName(row.last_name or ""),
        E.EmailAddress(row.email or ""),
        *map(_address_element, row.addresses),
        *map(_phone_element, row.phones),
    )
    return E.User(
        E.UserName(row.username),
        information,
        E.Administrator(boolean_text(row.is_admin)),
        E.Active(boolean_text(row.active)),
        E.ProviderRoles(*(E.ProviderId(p) for p in row.providers)),
    )
