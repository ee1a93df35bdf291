"""The ceiling for bench/api.py: a bare Flask app answering one fixed XML body, served by gunicorn
exactly as `clearinghouse serve` serves the API (same options, workers and threads).

    .venv/bin/python bench/ceiling.py PORT WORKERS BODY_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, Response

from clearinghouse import server
from clearinghouse.config import Address, Settings


def main() -> None:
    port, workers, body_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    body = Path(body_file).read_bytes()
    app = Flask("ceiling")

    @app.get("/health")
    def health() -> Response:
        return Response(b"{}", mimetype="application/json")

    @app.post("/echo/perform")
    def perform() -> Response:
        return Response(body, mimetype="application/xml")

    settings = Settings(http=Address("127.0.0.1", port), http_workers=workers)
    server.run(app, server.options(settings))


if __name__ == "__main__":
    main()
