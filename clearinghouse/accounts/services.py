"""Registering partners and users (the operator's `provider add` and `user add`)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearinghouse.accounts.models import OrderMode, Provider, Transaction, User
from clearinghouse.accounts.passwords import hash_password
from clearinghouse.errors import Conflict, InvalidValue, NotFound
from clearinghouse.outbound import DEFAULT, Policy, check

PROVIDER_ID = re.compile(r"[A-Z0-9_]{1,40}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def add_provider(
    session: Session,
    provider_id: str,
    *,
    email: str,
    ftp_password: str,
    endpoint: str | None = None,
    mode: str = "sync",
    retry_attempts: int = 3,
    retry_wait: int = 60,
    transactions: list[str] | None = None,
    name: str | None = None,
    outbound: Policy = DEFAULT,
) -> Provider:
    if not PROVIDER_ID.fullmatch(provider_id):
        raise InvalidValue(
            f"provider id {provider_id!r}: use 1 to 40 upper-case letters, digits or underscores"
        )
    check_email(email)
    policy = order_policy(
        endpoint=endpoint,
        mode=mode,
        retry_attempts=retry_attempts,
        retry_wait=retry_wait,
        transactions=transactions or [t.value for t in Transaction],
        outbound=outbound,
    )
    if session.get(Provider, provider_id) is not None:
        raise Conflict(f"provider {provider_id} already exists")
    provider = Provider(
        provider_id=provider_id,
        name=name,
        contact_email=email,
        ftp_password_hash=hash_password(ftp_password),
        **policy,
    )
    session.add(provider)
    session.flush()
    return provider


def add_user(
    session: Session,
    username: str,
    *,
    password: str,
    email: str | None = None,
    admin: bool = False,
    providers: list[str] = (),
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    if not re.fullmatch(r"[\w.@+-]{1,100}", username):
        raise InvalidValue(
            f"user name {username!r}: use 1 to 100 letters, digits or the characters . @ + - _"
        )
    if email is not None:
        check_email(email)
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise Conflict(f"user {username} already exists")
    partners = providers_named(session, providers)
    user = User(
        username=username,
        password_hash=hash_password(password),
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_admin=admin,
        providers=partners,
    )
    session.add(user)
    session.flush()
    return user


def providers_named(session: Session, provider_ids) -> list[Provider]:
    partners = []
    for provider_id in provider_ids:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} does not exist")
        partners.append(provider)
    return partners


def check_email(email: str) -> str:
    if not EMAIL.fullmatch(email):
        raise InvalidValue(f"{email!r} is not an e-mail address")
    return email


def order_policy(
    *,
    endpoint: str | None = None,
    mode: str | None = None,
    retry_attempts: int | None = None,
    retry_wait: int | None = None,
    transactions: list[str] | None = None,
    outbound: Policy = DEFAULT,
) -> dict:
    """The provider columns for the parts of an order policy that are given, checked; the
    endpoint against where the server may send requests (``outbound``: the settings')."""
    values: dict = {}
    if endpoint is not None:
        if not re.match(r"https?://[^\s/]+", endpoint):
            raise InvalidValue(f"order endpoint {endpoint!r} is not an http:// or https:// URL")
        check(endpoint, outbound)
        values["order_endpoint"] = endpoint
    if mode is not None:
        try:
            values["order_mode"] = OrderMode(mode.lower())
        except ValueError:
            raise InvalidValue(f"order mode {mode!r}: use sync or async") from None
    for name, value in (("retry_attempts", retry_attempts), ("retry_wait_seconds", retry_wait)):
        if value is not None:
            if value < 0:
                raise InvalidValue("retry attempts and retry wait must not be negative")
            values[name] = value
    if transactions is not None:
        order = [t.value for t in Transaction]
        for t in transactions:
            if t not in order:
                raise InvalidValue(f"transaction {t!r}: use QUOTE, SUBMIT or CANCEL")
        values["supported_transactions"] = sorted(set(transactions), key=order.index)
    return values
