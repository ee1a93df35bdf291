"""The client distribution on its own: built into a wheel, installed alone into a fresh virtualenv
(its dependencies pinned, with their hashes, by the project's requirements.lock), it searches
and orders against the server from a process of its own, without Flask or SQLAlchemy there."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from clearinghouse_client import Session

from tests.api_support import PASSWORD, user
from tests.broker_support import partner

ROOT = Path(__file__).resolve().parents[1]
#: What clearinghouse-client needs (requests and lxml, and what requests needs).
DEPENDENCIES = ("requests", "lxml", "urllib3", "idna", "certifi", "charset-normalizer")

SCRIPT = """
import json, sys
try:
    import flask
except ImportError:
    flask = None
try:
    import sqlalchemy
except ImportError:
    sqlalchemy = None
from clearinghouse_client import Query, Session
url = sys.argv[1]
with Session(url, client_id="fresh-venv") as session:
    session.login("mia", sys.argv[2])
    results = session.catalog.search(Query.granules().provider("DISTP"), page_size=1)
    granules = [g.item_id for g in results]
    order = session.orders.create()
    order.add(granules[0], quantity=2)
    order.submit()
    print(json.dumps({"flask": flask is not None, "sqlalchemy": sqlalchemy is not None,
                      "hits": results.hits(), "granules": granules,
                      "order": order.order_id, "states": order.states}))
"""


def _locked(names: tuple[str, ...], lock: Path, into: Path) -> Path:
    """The lock's entries (version and hashes) for these distributions alone."""
    entries = re.split(r"\n(?=\S)", lock.read_text())
    wanted = [
        e
        for e in entries
        if (m := re.match(r"([A-Za-z0-9_.-]+)==", e)) and m.group(1).lower() in names
    ]
    assert len(wanted) == len(names), wanted
    into.write_text("\n".join(wanted) + "\n")
    return into


def test_the_client_installed_alone_searches_and_orders(live, db, session, tmp_path):
    ids = partner(db, session, tmp_path, "DISTP", endpoint="http://127.0.0.1:9/", mode="async")
    user(session, "mia")
    source = shutil.copytree(
        ROOT / "client",
        tmp_path / "client",
        ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("clearinghouse_client-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    pins = _locked(DEPENDENCIES, ROOT / "requirements.lock", tmp_path / "pins.txt")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(pins)], check=True)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True)
    subprocess.run([str(python), "-m", "pip", "check"], check=True, capture_output=True)
    done = subprocess.run(
        [str(python), "-I", "-c", SCRIPT, live, PASSWORD],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert not found["flask"] and not found["sqlalchemy"]
    assert found["hits"] == 2 and found["granules"] == ids[1:]
    assert found["states"] == {"DISTP": "SUBMITTING"}
    mia = Session(live)
    mia.login("mia", PASSWORD)
    order = mia.orders.get(found["order"])
    assert [(i.catalog_item_id, i.quantity) for i in order.items] == [(ids[1], 2)]
    console = fresh / "bin" / "clearinghouse-client"
    shown = subprocess.run([str(console), "--help"], capture_output=True, text=True, check=True)
    assert "never an argument" in shown.stdout
