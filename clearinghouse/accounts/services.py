"""Registering partners and users (the operator's `provider add` and `user add`)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearinghouse.accounts.models import OrderMode, Provider, Transaction, User
from clearinghouse.accounts.passwords import hash_password
from clearinghouse.errors import Conflict, InvalidValue, NotFound

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
) -> Provider:
    if not PROVIDER_ID.fullmatch(provider_id):
        raise InvalidValue(
            f"provider id {provider_id!r}: use 1 to 40 upper-case letters, digits or underscores"
        )
    if not EMAIL.fullmatch(email):
        raise InvalidValue(f"{email!r} is not an e-mail address")
    if endpoint is not None and not re.match(r"https?://[^\s/]+", endpoint):
        raise InvalidValue(f"order endpoint {endpoint!r} is not an http:// or https:// URL")
    try:
        order_mode = OrderMode(mode)
    except ValueError:
        raise InvalidValue(f"order mode {mode!r}: use sync or async") from None
    if retry_attempts < 0 or retry_wait < 0:
        raise InvalidValue("retry attempts and retry wait must not be negative")
    transactions = transactions or [t.value for t in Transaction]
    for t in transactions:
        if t not in Transaction.__members__:
            raise InvalidValue(f"transaction {t!r}: use QUOTE, SUBMIT or CANCEL")
    if session.get(Provider, provider_id) is not None:
        raise Conflict(f"provider {provider_id} already exists")
    provider = Provider(
        provider_id=provider_id,
        name=name,
        contact_email=email,
        ftp_password_hash=hash_password(ftp_password),
        order_endpoint=endpoint,
        order_mode=order_mode,
        retry_attempts=retry_attempts,
        retry_wait_seconds=retry_wait,
        supported_transactions=sorted(set(transactions), key=[t.value for t in Transaction].index),
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
) -> User:
    if not re.fullmatch(r"[\w.@+-]{1,100}", username):
        raise InvalidValue(
            f"user name {username!r}: use 1 to 100 letters, digits or the characters . @ + - _"
        )
    if email is not None and not EMAIL.fullmatch(email):
        raise InvalidValue(f"{email!r} is not an e-mail address")
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise Conflict(f"user {username} already exists")
    partners = []
    for provider_id in providers:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} does not exist")
        partners.append(provider)
    user = User(
        username=username,
        password_hash=hash_password(password),
        email=email,
        is_admin=admin,
        providers=partners,
    )
    session.add(user)
    session.flush()
    return user
