"""Who is using the console, and the one check against forged requests.

The console logs in through the message API's own sessions: the token ``Login`` gives is kept in
an HttpOnly, SameSite cookie (script on the page never reads it). Every state-changing request
must carry the CSRF token, echoed in the form's hidden field or the ``X-CSRF-Token`` header. The
token is an HMAC of a random value in a cookie of its own, keyed by the session token: another
site can make a browser send the cookies but cannot read them, and a token taken from one session
(even with its cookie planted in another browser) is refused in any other, since computing it
needs that session's token, which no page and no script ever sees.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, g, request

from clearinghouse.accounts import sessions
from clearinghouse.accounts.sessions import GUEST, Caller
from clearinghouse.api.functions import Context
from clearinghouse.errors import ClearinghouseError, Forbidden, NotAuthenticated

TOKEN_COOKIE = "ch_session"
CSRF_COOKIE = "ch_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE = ("GET", "HEAD", "OPTIONS")


def _database():
    from clearinghouse.web import database_of

    return database_of(current_app)


def token() -> str | None:
    return getattr(g, "console_token", request.cookies.get(TOKEN_COOKIE)) or None


def context() -> Context:
    return Context(_database(), current_app.config["SETTINGS"], token(), request.remote_addr)


def caller() -> Caller:
    """The caller the session cookie stands for; a guest when it stands for no live session
    (the cookie is then dropped)."""
    if "console_caller" not in g:
        found = GUEST
        if token() is not None:
            try:
                with _database().session() as session:
                    found = sessions.resolve(
                        session, token(), current_app.config["SETTINGS"].session_timeout
                    )
            except ClearinghouseError as error:
                if error.status != 401:
                    raise
                g.console_token = None
        g.console_caller = found
    return g.console_caller


def signed_in(new_token: str | None) -> None:
    """The session this request opened (or, None, ended): the cookie is set on the answer."""
    g.console_token = new_token
    g.pop("console_caller", None)


def require_user() -> Caller:
    found = caller()
    if not found.registered:
        raise NotAuthenticated("log in to see this page")
    return found


def require_provider() -> Caller:
    found = require_user()
    if found.provider_id is None:
        raise Forbidden("this page is for a user acting for a provider: choose one when logging in")
    return found


def require_admin() -> Caller:
    found = require_user()
    if not found.is_admin:
        raise Forbidden("this page is for administrators")
    return found


def _signed(nonce: str, session_token: str | None) -> str:
    # A guest has no session: its token is bound to the cookie alone (the login form's case).
    key = (session_token or "").encode()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The token the pages of this request carry: for the browser's nonce and its session as
    the answer leaves it (a login or logout changes it)."""
    if "csrf" not in g:
        g.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return _signed(g.csrf, token())


def check_csrf() -> None:
    """Refuse a state-changing request without the CSRF token of this browser and session."""
    if request.method in SAFE:
        return
    nonce = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    expected = _signed(nonce, request.cookies.get(TOKEN_COOKIE) or None) if nonce else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden("the form's security token is missing or wrong: reload the page")


def set_cookies(response):
    secure = request.is_secure
    if "console_token" in g:
        if g.console_token:
            response.set_cookie(
                TOKEN_COOKIE,
                g.console_token,
                httponly=True,
                samesite="Lax",
                secure=secure,
                path="/",
            )
        else:
            response.delete_cookie(TOKEN_COOKIE, path="/")
    if "csrf" in g and request.cookies.get(CSRF_COOKIE) != g.csrf:
        response.set_cookie(
            CSRF_COOKIE, g.csrf, httponly=True, samesite="Strict", secure=secure, path="/"
        )
    return response
