"""The project's one exception hierarchy.

Each class carries the error code and HTTP status of CONTRACT §6.1; the HTTP edge renders them once
(``clearinghouse.web.errors``), the command line prints their message on one line.

This module is the ground floor (``.importlinter``): it imports nothing, and every package may
import it, ``spatial`` and ``dtd`` included, so that a spatial or DTD error is one of these (its
code and status with it) rather than a second hierarchy every door would have to map.
"""

from __future__ import annotations


class ClearinghouseError(Exception):
    code = "InternalError"
    status = 500

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


# Operator-facing: configuration and the managed database. The CLI prints these on one line.
class SettingsError(ClearinghouseError):
    code = "InvalidConfiguration"


class DatabaseSetupError(ClearinghouseError):
    code = "DatabaseSetup"


# 400
class BadRequest(ClearinghouseError):
    code = "BadRequest"
    status = 400


class MalformedXML(BadRequest):
    code = "MalformedXML"


class ForbiddenXML(BadRequest):
    """Well-formed XML using a construct never accepted from outside (entities, DTD subsets)."""

    code = "ForbiddenXMLConstruct"


class InvalidXML(BadRequest):
    """Well-formed XML that does not follow its DTD."""

    code = "InvalidXML"


class InvalidValue(BadRequest):
    code = "InvalidValue"


class DestinationNotAllowed(InvalidValue):
    """A URL the server will not send requests to (``clearinghouse.outbound``)."""

    code = "DestinationNotAllowed"


class NotSupported(BadRequest):
    """A valid request asking for something this server does not do (yet)."""

    code = "NotSupported"


class UnknownService(BadRequest):
    code = "UnknownService"


class UnknownTransaction(BadRequest):
    code = "UnknownTransaction"


# 401
class NotAuthenticated(ClearinghouseError):
    code = "NotAuthenticated"
    status = 401


class SessionExpired(NotAuthenticated):
    code = "SessionExpired"


# 403
class Forbidden(ClearinghouseError):
    code = "Forbidden"
    status = 403


class AccountLocked(Forbidden):
    code = "AccountLocked"


# 404
class NotFound(ClearinghouseError):
    code = "NotFound"
    status = 404


# 405
class MethodNotAllowed(ClearinghouseError):
    code = "MethodNotAllowed"
    status = 405


# 406
class NotAcceptable(ClearinghouseError):
    """An ``Accept`` header naming no format the answer can be given in."""

    code = "NotAcceptable"
    status = 406


# 409
class Conflict(ClearinghouseError):
    code = "Conflict"
    status = 409


class IllegalStateChange(Conflict):
    code = "IllegalStateChange"


# 413
class PayloadTooLarge(ClearinghouseError):
    code = "PayloadTooLarge"
    status = 413


# 429
class TooManyRequests(ClearinghouseError):
    code = "TooManyRequests"
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


# 503
class DatabaseUnavailable(ClearinghouseError):
    code = "DatabaseUnavailable"
    status = 503
