"""Routes of the read-only search API, CMR's door: /search/collections and /search/granules (with
a format's suffix, or by ``Accept``) and /search/concepts/<id>, by GET, or by POST with the
parameters form-encoded in the body (as CMR takes them: a search polygon of thousands of points does
not fit in an address), the address's parameters added to them. Every answer under /search, errors
included, carries CMR's headers and CORS as CMR sends them (``cmr_edge``)."""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.datastructures import CombinedMultiDict

from clearinghouse.api import search
from clearinghouse.errors import BadRequest, NotFound
from clearinghouse.web import FORM, refuse_unholdable_params
from clearinghouse.web.echo import context

blueprint = Blueprint("search", __name__)

PREFIX = "/search/"
# CMR's own lists (its CORS answers), less the headers of features this server has not.
EXPOSED = "CMR-Hits, CMR-Hits-Estimated, CMR-Request-Id, X-Request-Id, CMR-Search-After, CMR-Took"
ALLOWED = (
    "Echo-Token, Client-Id, Authorization, CMR-Request-Id, X-Request-Id, CMR-Search-After,"
    " Content-Type"
)
METHODS = ["GET", "POST", "OPTIONS"]


def _params():
    params = request.args
    if request.method == "POST":
        if request.mimetype != FORM:
            raise BadRequest(f"a search is POSTed as {FORM}, not {request.mimetype or 'nothing'}")
        refuse_unholdable_params(request.form)
        params = CombinedMultiDict([request.args, request.form])
    return search.parameters(params)


@blueprint.route("/search/<name>", methods=METHODS)
def find(name: str):
    target, _, suffix = name.partition(".")
    if target not in ("collections", "granules"):
        raise NotFound(f"no /search/{name}: search /search/collections or /search/granules")
    fmt = search.negotiate(suffix, _accept(), search.FORMATS, search.DEFAULT)
    after = request.headers.get("CMR-Search-After")
    headers, status, body = search.run(
        context(),
        target,
        _params(),
        fmt=fmt,
        search_after=after,
        url=request.url,
        root=request.url_root,
    )
    return Response(body, status=status, headers=headers)


@blueprint.route("/search/concepts/<name>", methods=METHODS)
def concept(name: str):
    concept_id, _, suffix = name.partition(".")
    fmt = search.negotiate(suffix, _accept(), search.CONCEPT_FORMATS, search.CONCEPT_DEFAULT)
    pretty = _params().get("pretty", "false")
    headers, status, body = search.concept(context(), concept_id, fmt=fmt, pretty=pretty)
    return Response(body, status=status, headers=headers)


def _accept():
    return request.accept_mimetypes if "Accept" in request.headers else None


def asks_for_json() -> bool:
    """Whether a request under /search is answered in JSON (its errors too)."""
    suffix = request.path.rsplit("/", 1)[-1].partition(".")[2]
    if suffix:
        return suffix.endswith("json")
    accept = _accept()
    if accept is None:
        return False
    return accept.best_match(["application/xml", "application/json"]) == "application/json"


@blueprint.after_app_request
def cmr_edge(response: Response) -> Response:
    if request.path.startswith(PREFIX):
        response.headers.update(search.request_headers())
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ", ".join(METHODS)
            response.headers["Access-Control-Allow-Headers"] = ALLOWED
            response.headers["Access-Control-Max-Age"] = "2592000"
    return response
