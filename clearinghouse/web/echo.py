"""Routes of the ECHO message interface: XML over HTTP at /echo/…, SOAP at /soap."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, request

from clearinghouse.api import echo, soap
from clearinghouse.api.functions import Context
from clearinghouse.api.messages import MESSAGE_LIMIT, SESSION_LIMIT
from clearinghouse.errors import PayloadTooLarge

blueprint = Blueprint("echo", __name__)


def read_body(limit: int) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"the request is {length} bytes; at most {limit} are accepted")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the request is over {limit} bytes; at most {limit} are accepted")
    return data


def context() -> Context:
    from clearinghouse.web import database_of

    return Context(
        db=database_of(current_app),
        settings=current_app.config["SETTINGS"],
        token=token(),
        address=request.remote_addr,
    )


def token() -> str | None:
    """The session a request names: ``Echo-Token``, or as CMR's clients send it, an
    ``Authorization`` header of ``Bearer <token>`` or of the bare token."""
    named = request.headers.get(echo.TOKEN_HEADER)
    if not named:
        named = request.headers.get("Authorization", "").strip()
        scheme, _, rest = named.partition(" ")
        if scheme.lower() == "bearer":
            named = rest.strip()
    return named or None


def _adapt(function: Callable, limit: int = SESSION_LIMIT) -> Response:
    headers, status, body = function(context(), read_body(limit))
    return Response(body, status=status, headers=headers)


@blueprint.post("/echo/login")
def login():
    return _adapt(echo.login)


@blueprint.post("/echo/logout")
def logout():
    return _adapt(echo.logout)


@blueprint.post("/echo/identify")
def identify():
    return _adapt(echo.identify)


@blueprint.post("/echo/provider-context")
def provider_context():
    return _adapt(echo.provider_context)


@blueprint.post("/echo/user-context")
def user_context():
    return _adapt(echo.user_context)


@blueprint.post("/echo/remove")
def remove():
    return _adapt(echo.remove)


@blueprint.post("/echo/perform")
def perform():
    return _adapt(echo.perform, MESSAGE_LIMIT)


@blueprint.post("/soap")
def soap_call():
    headers, status, body = soap.handle(
        context(), read_body(MESSAGE_LIMIT), request.content_type or ""
    )
    return Response(body, status=status, headers=headers)


@blueprint.get("/soap")
def soap_description():
    headers, status, body = soap.describe(request.args, request.url_root)
    return Response(body, status=status, headers=headers)
