"""The one boundary where database errors become domain errors."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

from clearinghouse.errors import ClearinghouseError, Conflict, DatabaseUnavailable

# SQLSTATE classes: 08 connection exception, 57P0x operator intervention (shutdown), 53 resources.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def translate(error: BaseException) -> ClearinghouseError:
    """Map a SQLAlchemy/DBAPI error to the domain error a client should see."""
    if isinstance(error, ClearinghouseError):
        return error
    orig = getattr(error, "orig", None)
    state = getattr(orig, "pgcode", None) or ""
    if isinstance(error, sa_exc.DBAPIError) and (
        error.connection_invalidated
        or (isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError) and not state)
        or state.startswith(_UNAVAILABLE_STATES)
    ):
        return DatabaseUnavailable("the database is unavailable; try again shortly")
    if isinstance(error, sa_exc.TimeoutError):
        return DatabaseUnavailable("all database connections are busy; try again shortly")
    if isinstance(error, sa_exc.IntegrityError):
        detail = getattr(getattr(orig, "diag", None), "message_detail", None)
        return Conflict(detail or "the change conflicts with what is stored")
    if state == "40001" or state == "40P01":
        return Conflict("the change collided with a concurrent one; try again")
    return ClearinghouseError("the database could not complete the request")


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Translate what the database says; our own mistakes (ORM misuse…) propagate untouched."""
    try:
        yield
    except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
        raise translate(error) from error


def log_failure(logger: logging.Logger, message: str, *args) -> None:
    """Log the exception being handled by a loop that goes on: the database being away is one
    line (it comes back, and the loop's next turn tries again), anything else with its
    traceback."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseUnavailable) or (
        isinstance(error, sa_exc.DBAPIError | sa_exc.TimeoutError)
        and isinstance(translate(error), DatabaseUnavailable)
    ):
        logger.warning(message + ": the database is unavailable", *args)
    else:
        logger.exception(message, *args)
