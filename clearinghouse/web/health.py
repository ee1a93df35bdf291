"""GET /health: 200 with the database's state, 503 when the database cannot be reached."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app

from clearinghouse import __version__
from clearinghouse.db import Database
from clearinghouse.db.migrate import head
from clearinghouse.errors import DatabaseUnavailable

blueprint = Blueprint("health", __name__)


def health(database: Database) -> tuple[dict[str, str], int, str]:
    try:
        state = database.ping()
    except DatabaseUnavailable as exc:
        body = {
            "status": "unavailable",
            "version": __version__,
            "database": {"state": "down", "error": exc.message},
        }
        return {"Content-Type": "application/json"}, 503, json.dumps(body)
    state["schema_current"] = state["schema"] == head()
    body = {"status": "ok", "version": __version__, "database": state}
    return {"Content-Type": "application/json"}, 200, json.dumps(body)


@blueprint.get("/health")
def get_health() -> Response:
    headers, status, body = health(current_app.extensions["clearinghouse.db"])
    return Response(body, status=status, headers=headers)
