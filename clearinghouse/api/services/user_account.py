"""UserAccountService: a user's own information, addresses, phones and password. An administrator
in a user context (SetUserContext) works on that user's account."""

from __future__ import annotations

from lxml import etree

from clearinghouse.accounts.passwords import hash_password, verify_password
from clearinghouse.accounts.sessions import end_sessions_of
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY
from clearinghouse.api.services.people import (
    add_address,
    add_phone,
    read_address,
    read_information,
    read_phone,
    user_element,
)
from clearinghouse.errors import Forbidden, InvalidValue, NotFound

SERVICE = "UserAccountService"
transaction = REGISTRY.transaction


@transaction(SERVICE, "GetUserInformationRequest")
def get_user_information(call: Call, request: etree._Element) -> etree._Element:
    user_id = call.caller.effective_user_id
    return E.GetUserInformationResponse(user_element(call.session, user_id))


@transaction(SERVICE, "UpdateUserInformationRequest")
def update_user_information(call: Call, request: etree._Element) -> etree._Element:
    user = call.user()
    for column, value in read_information(Fields(request)).items():
        setattr(user, column, value)
    return E.UpdateUserInformationResponse()


@transaction(SERVICE, "AddAddressRequest")
def add_address_request(call: Call, request: etree._Element) -> etree._Element:
    values = read_address(Fields(request).child("AddressInformation"))
    add_address(call.user(), values)
    return E.AddAddressResponse(E.AddressId(values["name"]))


def _address(call: Call, name: str):
    user = call.user()
    for address in user.addresses:
        if address.name == name:
            return user, address
    raise NotFound(f"the user has no address {name}")


@transaction(SERVICE, "UpdateAddressRequest")
def update_address(call: Call, request: etree._Element) -> etree._Element:
    values = read_address(Fields(request).child("AddressInformation"))
    _, address = _address(call, values["name"])
    for column, value in values.items():
        setattr(address, column, value)
    return E.UpdateAddressResponse(E.AddressId(values["name"]))


@transaction(SERVICE, "RemoveAddressRequest")
def remove_address(call: Call, request: etree._Element) -> etree._Element:
    user, address = _address(call, Fields(request).required("AddressId"))
    user.addresses.remove(address)
    return E.RemoveAddressResponse()


@transaction(SERVICE, "AddPhoneRequest")
def add_phone_request(call: Call, request: etree._Element) -> etree._Element:
    add_phone(call.user(), read_phone(Fields(request).child("PhoneInformation")))
    return E.AddPhoneResponse()


@transaction(SERVICE, "RemovePhoneRequest")
def remove_phone(call: Call, request: etree._Element) -> etree._Element:
    number = Fields(request).required("Number")
    user = call.user()
    for phone in user.phones:
        if phone.number == number:
            user.phones.remove(phone)
            return E.RemovePhoneResponse()
    raise NotFound(f"the user has no phone number {number}")


@transaction(SERVICE, "ChangePasswordRequest")
def change_password(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    user = call.user()
    old = fields.secret("OldPassword")
    acting_admin = call.caller.is_admin and call.caller.acting_user_id is not None
    if old is None and not acting_admin:
        raise InvalidValue("ChangePasswordRequest/OldPassword: required")
    if old is not None and not verify_password(user.password_hash, old):
        raise Forbidden("ChangePasswordRequest/OldPassword: wrong password")
    user.password_hash = hash_password(fields.secret("NewPassword"))
    # Other sessions of the user end; the one that changed the password goes on.
    end_sessions_of(call.session, user.id, keep=call.caller.session_id)
    return E.ChangePasswordResponse()
