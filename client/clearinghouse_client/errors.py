"""Errors as the server reports them: one exception class per ``<Error><Code/>``.

The server answers every failure with ``<Error><Code/><Message/>[<Line/><Column/>]</Error>``; the
toolkit raises the class named by the code, carrying the message, line and column, so that
``except NotFound:`` reads as the server meant it. The classes form the server's own hierarchy
(``SessionExpired`` is a ``NotAuthenticated``, ``IllegalStateChange`` a ``Conflict``…). A code
this version does not know still arrives as a :class:`ClearinghouseError` with that ``code``.

Two failures are the toolkit's own: :class:`ConnectionFailed` (the server could not be reached,
even after the retries of the :class:`~clearinghouse_client.transport.RetryPolicy`) and
:class:`UnexpectedAnswer` (an answer that is not the XML the interface promises).
"""

from __future__ import annotations

from lxml import etree


class ClearinghouseError(Exception):
    """Any failure the server (or the toolkit on its behalf) reports.

    ``code`` is the server's error code, ``status`` the HTTP status it came with, ``message`` its
    words, ``line`` and ``column`` where in the message sent the problem lies (when known).
    """

    code = "InternalError"
    status = 500

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        code: str | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class BadRequest(ClearinghouseError):
    """The request cannot be served as sent (400)."""

    code, status = "BadRequest", 400


class MalformedXML(BadRequest):
    """The message is not well-formed XML."""

    code = "MalformedXML"


class ForbiddenXML(BadRequest):
    """Well-formed XML using a construct never accepted (entities, DTD subsets)."""

    code = "ForbiddenXMLConstruct"


class InvalidXML(BadRequest):
    """Well-formed XML that does not follow its DTD."""

    code = "InvalidXML"


class InvalidValue(BadRequest):
    """A value the server refuses: a date, a number, a name out of range or unknown."""

    code = "InvalidValue"


class InvalidSpatial(InvalidValue):
    """A shape the server refuses (a latitude past a pole, an open ring…)."""

    code = "InvalidSpatial"


class InvalidOptionSelection(InvalidValue):
    """An option selection that breaks the partner's option definitions; the message names the
    path of the option at fault."""

    code = "InvalidOptionSelection"


class DestinationNotAllowed(InvalidValue):
    """A URL the server will not send requests to (an order endpoint, say)."""

    code = "DestinationNotAllowed"


class NotSupported(BadRequest):
    """A valid request for something this server does not do."""

    code = "NotSupported"


class UnknownService(BadRequest):
    """The message names a service the server does not have."""

    code = "UnknownService"


class UnknownTransaction(BadRequest):
    """The service has no such transaction."""

    code = "UnknownTransaction"


class NotAuthenticated(ClearinghouseError):
    """The transaction is for a logged-in user, and the session is a guest's (401)."""

    code, status = "NotAuthenticated", 401


class SessionExpired(NotAuthenticated):
    """The session ended (timed out, logged out elsewhere, or removed)."""

    code = "SessionExpired"


class Forbidden(ClearinghouseError):
    """The session may not do this (403): wrong password, not an administrator, not acting for
    the provider…"""

    code, status = "Forbidden", 403


class AccountLocked(Forbidden):
    """Too many failed logins: the account is locked for a while."""

    code = "AccountLocked"


class OptionKeyMismatch(ClearinghouseError):
    """An encrypted option value the server can no longer read (its key changed): the
    operator's problem (500)."""

    code = "OptionKeyMismatch"


class NotFound(ClearinghouseError):
    """No such thing (404): user, order, provider, result set…"""

    code, status = "NotFound", 404


class MethodNotAllowed(ClearinghouseError):
    """The HTTP method is not the one the function takes (405)."""

    code, status = "MethodNotAllowed", 405


class NotAcceptable(ClearinghouseError):
    """An ``Accept`` header naming no format the answer can be given in (406)."""

    code, status = "NotAcceptable", 406


class Conflict(ClearinghouseError):
    """The request contradicts what exists (409): a user name taken, a group in use…"""

    code, status = "Conflict", 409


class IllegalStateChange(Conflict):
    """An order cannot go from its state to the one asked (submitting a closed order…)."""

    code = "IllegalStateChange"


class PayloadTooLarge(ClearinghouseError):
    """The message is larger than the server takes (413)."""

    code, status = "PayloadTooLarge", 413


class TooManyRequests(ClearinghouseError):
    """Too many attempts (429); ``retry_after`` says how many seconds to wait."""

    code, status = "TooManyRequests", 429

    def __init__(self, message: str, *, retry_after: int | None = None, **where):
        super().__init__(message, **where)
        self.retry_after = retry_after


class DatabaseUnavailable(ClearinghouseError):
    """The server's database is away (503); transient, retried by the policy."""

    code, status = "DatabaseUnavailable", 503


class MalformedPartnerAnswer(ClearinghouseError):
    """A partner answered the broker with something that is not a partner answer."""

    code = "MalformedPartnerAnswer"


class FileRejected(BadRequest):
    """An ingest file refused as a whole."""

    code = "FileRejected"


class ConnectionFailed(ClearinghouseError):
    """The server could not be reached (refused, unresolvable, timed out), retries spent. The
    toolkit's own: no server said it."""

    code, status = "ConnectionFailed", 0


class UnexpectedAnswer(ClearinghouseError):
    """The server answered with something that is not the interface's XML (a proxy's HTML page,
    say). The toolkit's own."""

    code = "UnexpectedAnswer"


#: The names the ECHO Façade used, for the same errors.
NotLoggedIn = NotAuthenticated
AccessDenied = Forbidden


def _classes(base: type) -> list[type]:
    found = [base]
    for sub in base.__subclasses__():
        found.extend(_classes(sub))
    return found


#: Every server error code, to its class.
BY_CODE: dict[str, type[ClearinghouseError]] = {
    cls.code: cls
    for cls in _classes(ClearinghouseError)
    if cls not in (ConnectionFailed, UnexpectedAnswer)
}


def from_answer(status: int, body: bytes, retry_after: str | None = None) -> ClearinghouseError:
    """The exception an ``<Error>`` answer stands for (or :class:`UnexpectedAnswer`)."""
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        root = None
    if root is None or root.tag != "Error":
        text = body[:200].decode("utf-8", "replace")
        return UnexpectedAnswer(f"HTTP {status} without an <Error>: {text!r}", status=status)
    code = root.findtext("Code") or "InternalError"
    message = root.findtext("Message") or ""
    where = {
        name: int(root.findtext(tag))
        for name, tag in (("line", "Line"), ("column", "Column"))
        if (root.findtext(tag) or "").isdigit()
    }
    cls = BY_CODE.get(code, ClearinghouseError)
    if cls is TooManyRequests:
        seconds = int(retry_after) if (retry_after or "").isdigit() else None
        return TooManyRequests(message, retry_after=seconds, status=status, **where)
    return cls(message, code=code, status=status, **where)
