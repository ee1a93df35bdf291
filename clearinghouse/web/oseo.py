"""Route of the OGC OSEO interface (CONTRACT §6.3)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from clearinghouse.oseo import endpoint

blueprint = Blueprint("oseo", __name__)


@blueprint.post("/oseo")
def oseo():
    from clearinghouse.web import database_of

    headers, status, body = endpoint.post(
        database_of(current_app),
        current_app.config["SETTINGS"],
        request.stream.read(endpoint.LIMIT + 1),
        url=request.base_url,
        address=request.remote_addr,
    )
    return Response(body, status=status, headers=headers)
