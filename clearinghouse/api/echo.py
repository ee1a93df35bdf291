"""The XML-over-HTTP binding (CONTRACT §6.1): ``POST /echo/<function>``, the token in the
``Echo-Token`` header. Each function takes the request's context and body and returns
``(headers, status, body)``; errors are raised and rendered once, at the web edge."""

from __future__ import annotations

from lxml import etree

import dtd
from clearinghouse import xmlsafe
from clearinghouse.api import functions
from clearinghouse.api.functions import Context
from clearinghouse.api.messages import SESSION_LIMIT, E, Fields, parse
from clearinghouse.errors import InvalidXML

TOKEN_HEADER = "Echo-Token"
XML = {"Content-Type": "application/xml; charset=utf-8"}

Answer = tuple[dict[str, str], int, bytes]


def _answer(element: etree._Element) -> Answer:
    return XML, 200, xmlsafe.tostring(element)


def _read(body: bytes, function: str) -> Fields:
    root = parse(body, limit=SESSION_LIMIT)
    if root.tag != function:
        raise InvalidXML(
            f"expected a <{function}> document, not <{root.tag}>", line=root.sourceline
        )
    dtd.check("Session.dtd", root)
    return Fields(root)


def login(ctx: Context, body: bytes) -> Answer:
    fields = _read(body, "Login")
    token = functions.login(
        ctx,
        fields.required("UserName", max_length=100),
        fields.secret("Password"),
        fields.text("ClientId", max_length=200),
    )
    return _answer(E.LoginResponse(E.Token(token)))


def logout(ctx: Context, body: bytes) -> Answer:
    functions.logout(ctx)
    return _answer(E.LogoutResponse())


def remove(ctx: Context, body: bytes) -> Answer:
    functions.remove(ctx)
    return _answer(E.RemoveResponse())


def identify(ctx: Context, body: bytes) -> Answer:
    token = functions.identify(ctx, _read(body, "Identify").required("ClientId", max_length=200))
    return _answer(E.IdentifyResponse(*([E.Token(token)] if token else [])))


def provider_context(ctx: Context, body: bytes) -> Answer:
    functions.set_provider_context(ctx, _read(body, "SetProviderContext").text("ProviderId"))
    return _answer(E.SetProviderContextResponse())


def user_context(ctx: Context, body: bytes) -> Answer:
    functions.set_user_context(ctx, _read(body, "SetUserContext").text("UserName"))
    return _answer(E.SetUserContextResponse())


def perform(ctx: Context, body: bytes) -> Answer:
    return _answer(functions.perform(ctx, body))
