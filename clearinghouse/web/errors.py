"""Errors rendered once, at the HTTP edge: ``<Error><Code/><Message/>[<Line/><Column/>]``, or
under /search CMR's ``{"errors": […]}`` / ``<errors><error/></errors>``, or on the web console's
pages (and any path no other door holds) an HTML page.

Every request gets an id (``X-Request-Id`` on every answer); a failure of the server's own is
logged with its cause under that id (``clearinghouse.incidents``).
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from lxml import etree
from werkzeug.exceptions import HTTPException

from clearinghouse import errors, incidents
from clearinghouse.api.messages import error_element

# Werkzeug's own refusals (routing, size) mapped onto the project's error codes.
_HTTP_CODES = {
    400: errors.BadRequest,
    404: errors.NotFound,
    405: errors.MethodNotAllowed,
    413: errors.PayloadTooLarge,
}


def render(error: errors.ClearinghouseError) -> Response:
    from clearinghouse.web import console

    if request.path.startswith("/search/"):  # the search API speaks CMR's error shape
        from clearinghouse.api.search import error_body
        from clearinghouse.web.search import asks_for_json

        content_type, body = error_body(error, as_json=asks_for_json())
        response = Response(body, status=error.status, content_type=content_type)
    elif console.owns_request():
        response = console.error_page(error)
    else:
        body = etree.tostring(error_element(error), encoding="UTF-8", xml_declaration=True)
        response = Response(body, status=error.status, mimetype="application/xml")
    if isinstance(error, errors.TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def register(app: Flask) -> None:
    @app.before_request
    def _begin() -> None:
        g.request_id_token = incidents.begin()

    @app.after_request
    def _name(response: Response) -> Response:
        response.headers[incidents.HEADER] = incidents.request_id()
        return response

    @app.teardown_request
    def _end(_error) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            incidents.end(token)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        cls = _HTTP_CODES.get(error.code or 500, errors.ClearinghouseError)
        return render(incidents.served(cls(error.description or error.name)))

    @app.errorhandler(Exception)
    def _failed(error: Exception) -> Response:
        return render(incidents.served(error))
