"""GET /dtd/<name>.dtd: the DTDs every message is judged by, as ECHO served its own, so that a
client or partner validates against exactly what we do. A DTD names its siblings by relative
SYSTEM ids, which resolve against this same path."""

from __future__ import annotations

from flask import Blueprint, Response

import dtd
from clearinghouse.errors import NotFound

blueprint = Blueprint("dtds", __name__)

#: RFC 7303's type for DTDs.
DTD_TYPE = "application/xml-dtd; charset=utf-8"


@blueprint.get("/dtd/<name>.dtd")
def get_dtd(name: str) -> Response:
    file = f"{name}.dtd"
    published = dtd.names()
    if file not in published:  # only a name we ship: nothing else is ever opened
        raise NotFound(f"no DTD {file!r}; the DTDs are {', '.join(sorted(published))}")
    body = dtd.path(file).read_bytes()
    return Response(body, content_type=DTD_TYPE, headers={"Cache-Control": "public, max-age=3600"})
