"""``clearinghouse-client``, the toolkit's command line, run as a process against the live
server: login into a token file, a search as JSON, an order created, filled, quoted, submitted
and followed to CLOSED; the token read from the environment or the file, never an argument."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.api_support import PASSWORD, user
from tests.broker_support import partner
from tests.client_support import logged_in

COMMAND = Path(sys.executable).with_name("clearinghouse-client")


def run(url: str, *args: str, env: dict | None = None, ok: bool = True):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    environment.update(CLEARINGHOUSE_URL=url, **(env or {}))
    done = subprocess.run(
        [str(COMMAND), *args], capture_output=True, text=True, env=environment, timeout=60
    )
    assert (done.returncode == 0) == ok, done.stderr
    return done


def test_search_and_an_order_from_the_command_line(live, db, session, tmp_path):
    ids = partner(db, session, tmp_path, "CLIP", endpoint="http://127.0.0.1:9/", mode="async")
    user(session, "mia")
    token_file = tmp_path / "token"
    files = {"CLEARINGHOUSE_TOKEN_FILE": str(token_file)}
    done = run(live, "login", "mia", env={**files, "CLEARINGHOUSE_PASSWORD": PASSWORD})
    assert "logged in as mia" in done.stdout
    token = token_file.read_text().strip()
    assert token and token not in done.stdout + done.stderr
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    found = run(live, "search", "granules", "--provider", "CLIP", "--json", env=files).stdout
    records = [json.loads(line) for line in found.splitlines()]
    assert [r["item_id"] for r in records] == ids[1:]
    assert records[0]["granule_ur"] == "CLIP.G0"
    assert run(live, "search", "granules", "--provider", "CLIP", "--hits").stdout.strip() == "2"
    boxed = run(live, "search", "granules", "--bbox", "0,0,1,1", "--provider", "CLIP")
    assert boxed.stdout == ""  # the partner's granules have no spatial extent
    bad = run(live, "search", "granules", "--bbox", "0,95,1,96", ok=False)
    assert "InvalidValue" in bad.stderr and "Point latitude [96]" in bad.stderr
    # The token from the environment instead of the file.
    order_id = run(live, "order", "create", env={"CLEARINGHOUSE_TOKEN": token}).stdout.strip()
    run(live, "order", "add", order_id, ids[1], "--quantity", "2", env=files)
    quoted = run(live, "order", "quote", order_id, env=files)
    assert "CLIP\tQUOTING" in quoted.stdout
    desk = logged_in(live, "clip-ops")
    desk.provider_context("CLIP")
    desk.provider_orders.supply_quote(order_id, "3.50", "2099-01-01T00:00:00Z")
    status = json.loads(run(live, "order", "status", order_id, "--json", env=files).stdout)
    (part,) = status["provider_orders"]
    assert (part["state"], part["quote"]["total_price"]) == ("QUOTED", "3.50")
    assert part["items"] == [
        {"catalog_item_id": ids[1], "quantity": 2, "options": None, "provider_id": None}
    ]
    run(live, "order", "submit", order_id, env=files)
    desk.provider_orders.accept_submission(order_id, "3.50")
    desk.provider_orders.close(order_id, "done")
    waited = run(live, "order", "submit", order_id, env=files, ok=False)
    assert "IllegalStateChange" in waited.stderr
    assert "CLIP\tCLOSED" in run(live, "order", "status", order_id, env=files).stdout
    run(live, "logout", env=files)
    assert not token_file.exists()
    refused = run(live, "order", "status", order_id, env=files, ok=False)
    assert "NotAuthenticated" in refused.stderr


def test_the_token_is_never_taken_from_the_command_line(live):
    refused = run(live, "--token", "abc", "search", "granules", ok=False)
    assert "unrecognized arguments" in refused.stderr or "--token" in refused.stderr
    assert run("", "search", "granules", ok=False).returncode == 2
