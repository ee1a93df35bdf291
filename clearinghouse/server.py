"""The production HTTP server (gunicorn, threaded workers) for `clearinghouse serve`."""

from __future__ import annotations

import signal
from typing import Any

from gunicorn.app.base import BaseApplication

from clearinghouse import lifeline
from clearinghouse.config import Settings
from clearinghouse.db.cluster import port_is_free
from clearinghouse.errors import SettingsError


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def _post_fork(server, worker) -> None:
    # A worker whose arbiter was killed would serve on, unsupervised, holding the port.
    lifeline.die_with_parent(signal.SIGKILL, server.pid)
    # Connections opened before the fork belong to the parent; each worker opens its own.
    database = server.app.application.extensions.get("clearinghouse.db")
    if database is not None:  # bench/api.py's bare app has none
        database.engine.dispose(close=False)


def check_bindable(address, variable: str) -> None:
    if not port_is_free(address.port, address.host):
        raise SettingsError(
            f"{variable}: {address} is already in use: stop what listens there or choose another"
            " address"
        )


def options(settings: Settings) -> dict[str, Any]:
    """How gunicorn runs the API (bench/api.py runs its bare-app ceiling with the same)."""
    return {
        "bind": str(settings.http),
        "workers": settings.http_workers,
        "worker_class": "gthread",
        "threads": 4,
        "preload_app": True,
        "post_fork": _post_fork,
        "graceful_timeout": 10,
        "timeout": 60,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "clearinghouse-http",
        "control_socket_disable": True,  # one per user by default: two servers would clash
    }


def run(app, options: dict[str, Any]) -> None:
    _Gunicorn(app, options).run()


def serve(settings: Settings) -> None:
    from clearinghouse.web import create_app

    check_bindable(settings.http, "CLEARINGHOUSE_HTTP")
    run(create_app({"SETTINGS": settings}), options(settings))
