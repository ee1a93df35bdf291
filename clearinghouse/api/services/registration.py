"""RegistrationService: a guest creates a registered user (seed slides 104–105)."""

from __future__ import annotations

from lxml import etree

from clearinghouse.accounts.services import add_user
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.api.services.people import fill, read_information

SERVICE = "RegistrationService"


def create_user(call: Call, request: etree._Element, *, admin_fields: bool = False):
    fields = Fields(request)
    information = fields.child("UserInformation")
    values = read_information(information)
    user = add_user(
        call.session,
        fields.required("UserName", max_length=100),
        password=fields.secret("Password"),
        email=values["email"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        admin=bool(admin_fields and fields.boolean("Administrator")),
        providers=fields.child("ProviderRoles").texts("ProviderId")
        if admin_fields and fields.has("ProviderRoles")
        else (),
    )
    fill(user, information)
    call.session.flush()
    return user


@REGISTRY.transaction(SERVICE, "CreateUserRequest", who=Who.ANYONE)
def create_user_request(call: Call, request: etree._Element) -> etree._Element:
    user = create_user(call, request)
    return E.CreateUserResponse(E.UserName(user.username))
