"""Routes of the read-only search API: GET /search/collections and /search/granules (.json/.xml)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from clearinghouse.api import search
from clearinghouse.errors import NotFound
from clearinghouse.web.echo import context

blueprint = Blueprint("search", __name__)


@blueprint.get("/search/<name>")
def find(name: str):
    target, _, suffix = name.partition(".")
    if target not in ("collections", "granules") or suffix not in ("", "json", "xml"):
        raise NotFound(f"no /search/{name}: search /search/collections or /search/granules")
    accept = request.accept_mimetypes
    as_json = suffix == "json" or (
        suffix == ""
        and accept.best_match(["application/xml", "application/json"]) == "application/json"
        and "application/json" in accept
    )
    after = request.headers.get("CMR-Search-After")
    headers, status, body = search.run(context(), target, request.args, as_json=as_json,
                                       search_after=after)  # fmt: skip
    return Response(body, status=status, headers=headers)
