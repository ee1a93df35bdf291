"""Routes of the read-only search API: /search/collections and /search/granules (.json/.xml), by
GET, or by POST with the parameters form-encoded in the body (as CMR takes them: a search polygon
of thousands of points does not fit in an address), the address's parameters added to them."""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.datastructures import CombinedMultiDict

from clearinghouse.api import search, search_umm
from clearinghouse.errors import BadRequest, NotFound
from clearinghouse.web import FORM, refuse_unholdable_params
from clearinghouse.web.echo import context

blueprint = Blueprint("search", __name__)


@blueprint.route("/search/<name>", methods=["GET", "POST"])
def find(name: str):
    target, _, suffix = name.partition(".")
    if target not in ("collections", "granules") or suffix not in ("", "json", "xml", "umm_json"):
        raise NotFound(f"no /search/{name}: search /search/collections or /search/granules")
    params = request.args
    if request.method == "POST":
        if request.mimetype != FORM:
            raise BadRequest(f"a search is POSTed as {FORM}, not {request.mimetype or 'nothing'}")
        refuse_unholdable_params(request.form)
        params = CombinedMultiDict([request.args, request.form])
    accept = request.accept_mimetypes
    as_json = suffix == "json" or (
        suffix == ""
        and accept.best_match(["application/xml", "application/json"]) == "application/json"
        and "application/json" in accept
    )
    umm = search_umm.wanted(suffix, accept)
    after = request.headers.get("CMR-Search-After")
    headers, status, body = search.run(context(), target, params, as_json=as_json,
                                       search_after=after, umm=umm)  # fmt: skip
    return Response(body, status=status, headers=headers)


@blueprint.route("/search/concepts/<concept_id>.umm_json")
def concept_umm(concept_id: str):
    headers, status, body = search_umm.concept(context(), concept_id)
    return Response(body, status=status, headers=headers)
