"""AdministrationService: providers and users, for administrators."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import func, select

from clearinghouse.accounts.models import Provider, User
from clearinghouse.accounts.passwords import hash_password
from clearinghouse.accounts.services import add_provider, providers_named
from clearinghouse.accounts.sessions import end_sessions_of
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.api.services.people import user_element, user_elements
from clearinghouse.api.services.policy import profile_element, read_profile
from clearinghouse.api.services.registration import create_user
from clearinghouse.errors import NotFound

SERVICE = "AdministrationService"


def transaction(name: str):
    return REGISTRY.transaction(SERVICE, name, who=Who.ADMIN)


@transaction("CreateProviderRequest")
def create_provider(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider = add_provider(
        call.session,
        fields.required("ProviderId", max_length=40),
        email=fields.required("ContactEmail", max_length=320),
        ftp_password=fields.secret("FtpPassword"),
    )
    for column, value in read_profile(fields, call.settings.outbound).items():
        setattr(provider, column, value)
    call.session.flush()
    return E.CreateProviderResponse(profile_element(provider))


@transaction("UpdateProviderRequest")
def update_provider(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider = call.provider(fields.required("ProviderId", max_length=40))
    for column, value in read_profile(fields, call.settings.outbound).items():
        setattr(provider, column, value)
    password = fields.secret("FtpPassword")
    if password is not None:
        provider.ftp_password_hash = hash_password(password)
    for name, column in (("Active", "active"), ("IngestPaused", "ingest_paused")):
        value = fields.boolean(name)
        if value is not None:
            setattr(provider, column, value)
    call.session.flush()
    return E.UpdateProviderResponse(profile_element(provider))


@transaction("GetProvidersRequest")
def get_providers(call: Call, request: etree._Element) -> etree._Element:
    wanted = Fields(request).texts("ProviderId")
    query = select(Provider).order_by(Provider.provider_id)
    if wanted:
        query = query.where(Provider.provider_id.in_(wanted))
    providers = call.session.scalars(query).all()
    missing = set(wanted) - {p.provider_id for p in providers}
    if missing:
        raise NotFound(f"no provider {', '.join(sorted(missing))}")
    return E.GetProvidersResponse(*(profile_element(p) for p in providers))


@transaction("CreateUserRequest")
def create_user_request(call: Call, request: etree._Element) -> etree._Element:
    user = create_user(call, request, admin_fields=True)
    return E.CreateUserResponse(user_element(call.session, user.id))


@transaction("UpdateUserRequest")
def update_user(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    user = call.find_user(fields.required("UserName"))
    password = fields.secret("Password")
    if password is not None:
        user.password_hash = hash_password(password)
        end_sessions_of(call.session, user.id)
    admin = fields.boolean("Administrator")
    if admin is not None:
        user.is_admin = admin
    active = fields.boolean("Active")
    if active is not None:
        user.active = active
        if not active:
            end_sessions_of(call.session, user.id)
    if fields.has("Unlock"):
        user.locked_until = None
        user.failed_logins = 0
    roles = fields.child("ProviderRoles")
    if roles is not None:
        user.providers = providers_named(call.session, roles.texts("ProviderId"))
    call.session.flush()
    return E.UpdateUserResponse(user_element(call.session, user.id))


@transaction("GetUsersRequest")
def get_users(call: Call, request: etree._Element) -> etree._Element:
    wanted = Fields(request).texts("UserName")
    query = select(User).order_by(func.lower(User.username))
    if wanted:
        query = query.where(func.lower(User.username).in_([w.lower() for w in wanted]))
    users = call.session.scalars(query).all()
    missing = {w.lower() for w in wanted} - {u.username.lower() for u in users}
    if missing:
        raise NotFound(f"no user {', '.join(sorted(missing))}")
    return E.GetUsersResponse(*user_elements(call.session, [u.id for u in users]))
