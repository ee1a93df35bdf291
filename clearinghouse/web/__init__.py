"""The HTTP API: a Flask application factory, blueprints wired inside it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from clearinghouse.config import Settings, load_settings
from clearinghouse.db import Database, database_url, make_engine


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    ``test_config`` may carry ``SETTINGS`` (a Settings object) and ``DATABASE`` (a Database, e.g.
    one bound to a test connection); anything else is passed to Flask's config.
    """
    test_config = dict(test_config or {})
    app = Flask("clearinghouse")
    settings: Settings = test_config.pop("SETTINGS", None) or load_settings()
    database: Database | None = test_config.pop("DATABASE", None)
    if database is None:
        database = Database(make_engine(database_url(settings), pool_size=5, max_overflow=5))
    app.config.update(
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SETTINGS=settings,
        JSON_SORT_KEYS=False,
    )
    app.config.update(test_config)
    app.extensions["clearinghouse.db"] = database

    from clearinghouse import doors

    doors.assemble()

    from clearinghouse.web import browse, dtds, echo, errors, health, oseo, search

    errors.register(app)
    app.before_request(refuse_unholdable)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(browse.blueprint)
    app.register_blueprint(echo.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(oseo.blueprint)
    app.register_blueprint(dtds.blueprint)
    from clearinghouse.web import console

    console.register(app)
    return app


FORM = "application/x-www-form-urlencoded"


def refuse_unholdable() -> None:
    """The door for text in the address and the headers: what the database or an XML answer
    cannot hold (NUL…) is refused here, before any route passes it on."""
    from flask import request

    from clearinghouse.inputs import holdable

    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):  # converted ones (<int:…>) are text no longer
            holdable(value, where=f"the address's {name}")
    refuse_unholdable_params(request.args)
    for name, value in request.headers.items():
        holdable(value, where=f"the {name} header")


def refuse_unholdable_params(params) -> None:
    """The same for parameters (those of a POSTed form too: only a route that reads a form knows
    whether the body is one, and reading it here would take it from the routes that do not)."""
    from clearinghouse.inputs import holdable

    for name, value in params.items(multi=True):
        holdable(name, where="a parameter name")
        holdable(value, where=name)


def database_of(app: Flask) -> Database:
    return app.extensions["clearinghouse.db"]
