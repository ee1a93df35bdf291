"""Errors rendered once, at the HTTP edge: ``<Error><Code/><Message/>[<Line/><Column/>]``."""

from __future__ import annotations

import logging

from flask import Flask, Response
from lxml import etree
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from clearinghouse import errors
from clearinghouse.api.messages import error_element
from clearinghouse.db.errors import translate

log = logging.getLogger(__name__)

# Werkzeug's own refusals (routing, size) mapped onto the project's error codes.
_HTTP_CODES = {
    400: errors.BadRequest,
    404: errors.NotFound,
    405: errors.MethodNotAllowed,
    413: errors.PayloadTooLarge,
}


def render(error: errors.ClearinghouseError) -> Response:
    body = etree.tostring(error_element(error), encoding="UTF-8", xml_declaration=True)
    response = Response(body, status=error.status, mimetype="application/xml")
    if isinstance(error, errors.TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(errors.ClearinghouseError)
    def _domain(error: errors.ClearinghouseError) -> Response:
        if error.status >= 500 and not isinstance(error, errors.DatabaseUnavailable):
            log.error("internal error: %s", error.message)
        return render(error)

    @app.errorhandler(SQLAlchemyError)
    def _database(error: SQLAlchemyError) -> Response:
        translated = translate(error)
        if translated.status >= 500:
            log.warning("database error: %s", error.__class__.__name__)
        return render(translated)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        cls = _HTTP_CODES.get(error.code or 500, errors.ClearinghouseError)
        return render(cls(error.description or error.name))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return render(errors.ClearinghouseError("an unexpected error occurred; it has been logged"))
