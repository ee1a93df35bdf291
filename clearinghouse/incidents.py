"""What a client is told when serving it failed, and what the log keeps of it.

Every binding (XML over HTTP, SOAP, OSEO, the search API) hands whatever it caught to ``served``:
a refusal of the client's request passes through as it is; a failure of the server's own (500) is
logged once, here, with its whole cause (each exception of the chain, and PostgreSQL's own words
for a failed statement), under the request's id, which the answer names too: the client can quote
it, the operator finds the line.
"""

from __future__ import annotations

import contextvars
import copy
import logging
import uuid

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from clearinghouse.db.errors import translate
from clearinghouse.errors import ClearinghouseError, DatabaseUnavailable

log = logging.getLogger(__name__)

HEADER = "X-Request-Id"
_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_STATEMENT = 500  # how much of a failed statement the log keeps


def begin() -> contextvars.Token:
    """Give the request being served an id of its own (until ``end``)."""
    return _REQUEST_ID.set(uuid.uuid4().hex)


def end(token: contextvars.Token) -> None:
    _REQUEST_ID.reset(token)


def request_id() -> str:
    """The id of the request being served (one made up when none was begun)."""
    current = _REQUEST_ID.get()
    if current is None:
        current = uuid.uuid4().hex
        _REQUEST_ID.set(current)
    return current


def served(error: BaseException) -> ClearinghouseError:
    """The error to answer ``error`` with; the server's own failures logged and named by id."""
    if isinstance(error, ClearinghouseError):
        shown = error
    elif isinstance(error, SQLAlchemyError):
        shown = translate(error)
    else:
        shown = ClearinghouseError("an unexpected error occurred")
    if shown.status < 500:
        return shown
    rid = request_id()
    if isinstance(shown, DatabaseUnavailable):  # no fault to chase: the answer says try again
        log.warning("request %s: %s", rid, cause(error))
        return shown
    log.error("request %s failed: %s", rid, cause(error), exc_info=error)
    answer = copy.copy(shown)
    answer.message = f"{shown.message} (request {rid})"
    answer.args = (answer.message,)
    return answer


def cause(error: BaseException) -> str:
    """Each exception of the chain, outermost first, with what PostgreSQL said of a statement."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(_one(current))
        current = current.__cause__ or current.__context__
    return "; caused by ".join(parts)


def _one(error: BaseException) -> str:
    text = f"{type(error).__module__}.{type(error).__qualname__}: {_message(error)}"
    if isinstance(error, DBAPIError) and error.orig is not None:
        orig = error.orig
        state = getattr(orig, "pgcode", None)
        said = (getattr(orig, "pgerror", None) or str(orig)).strip()
        text += f" [PostgreSQL SQLSTATE {state}: {said}]"
        if error.statement:
            text += f" [statement: {error.statement[:_STATEMENT]}]"
    return text


def _message(error: BaseException) -> str:
    if isinstance(error, DBAPIError):
        return type(error.orig).__name__ if error.orig is not None else str(error)
    return getattr(error, "message", None) or str(error)
