"""The API served over real HTTP on an ephemeral port, against committed data, for tests that need
concurrent clients or a real socket (its remote address, a real TCP connection)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server

from clearinghouse.config import Settings
from clearinghouse.db import Database
from tests.conftest import ephemeral_port


@contextlib.contextmanager
def served(db: Database, settings: Settings) -> Iterator[str]:
    """The API's base URL while the block runs; the server stops afterwards."""
    from clearinghouse.web import create_app

    app = create_app({"SETTINGS": settings, "DATABASE": db})
    server = make_server("127.0.0.1", ephemeral_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
