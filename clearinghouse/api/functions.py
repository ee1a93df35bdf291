"""The seven session functions of seed slide 88, whatever binding carries them (``echo`` for XML
over HTTP, ``soap`` for SOAP 1.1/1.2)."""

from __future__ import annotations

import dataclasses

from lxml import etree

from clearinghouse.accounts import sessions
from clearinghouse.accounts.sessions import GUEST, Caller
from clearinghouse.api import services  # noqa: F401  (registers the transactions)
from clearinghouse.api.call import Call
from clearinghouse.api.messages import parse
from clearinghouse.api.registry import REGISTRY
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.errors import ClearinghouseError, InvalidValue


@dataclasses.dataclass(frozen=True)
class Context:
    """What a request brings, whatever its binding."""

    db: Database
    settings: Settings
    token: str | None = None
    address: str | None = None


def _resolve(ctx: Context, session) -> Caller:
    return sessions.resolve(session, ctx.token, ctx.settings.session_timeout)


def login(ctx: Context, username: str, password: str, client_id: str | None) -> str:
    previous = GUEST
    if ctx.token is not None:
        try:  # the session a guest had (its client id carries over); an expired one is no matter
            with ctx.db.session() as session:
                previous = _resolve(ctx, session)
        except ClearinghouseError as error:
            if error.status != 401:
                raise
    return sessions.login(
        ctx.db, username, password, client_id=client_id, address=ctx.address, previous=previous
    )


def logout(ctx: Context) -> None:
    with ctx.db.session() as session:
        sessions.logout(session, _resolve(ctx, session))


def remove(ctx: Context) -> None:
    with ctx.db.session() as session:
        sessions.remove(session, _resolve(ctx, session))


def identify(ctx: Context, client_id: str) -> str | None:
    if len(client_id) > 200:
        raise InvalidValue("Identify/ClientId: at most 200 characters")
    with ctx.db.session() as session:
        return sessions.identify(session, _resolve(ctx, session), client_id, ctx.address)


def set_provider_context(ctx: Context, provider_id: str | None) -> None:
    with ctx.db.session() as session:
        sessions.set_provider_context(session, _resolve(ctx, session), provider_id)


def set_user_context(ctx: Context, username: str | None) -> None:
    with ctx.db.session() as session:
        sessions.set_user_context(session, _resolve(ctx, session), username)


def perform(ctx: Context, message: bytes | str) -> etree._Element:
    """Run one service message; its response element (``<Service><TransactionResponse>``)."""
    request = parse(message)
    transaction, element = REGISTRY.find(request)  # refused before the database is asked
    with ctx.db.session() as session:
        call = Call(session, _resolve(ctx, session), ctx.settings, ctx.address)
        return REGISTRY.run(call, transaction, element)
