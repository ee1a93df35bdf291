"""`clearinghouse up` as an operator runs it: everything starts, /health follows the database,
and SIGTERM stops every part and the managed database."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from clearinghouse.db.cluster import port_is_free
from tests.cli import one_line_error, run


def _health(address: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://{address}/health", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _wait_for_health(address: str, process: subprocess.Popen, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            status, body = _health(address)
            if status == 200:
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise AssertionError("the API did not come up")


def _ctrl_c(process: subprocess.Popen) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground process group."""
    os.killpg(process.pid, signal.SIGINT)


def _sigterm(process: subprocess.Popen) -> None:
    """What a service manager does: SIGTERM to the main process only."""
    process.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("stop", [_sigterm, _ctrl_c], ids=["sigterm", "ctrl-c"])
def test_up_serves_health_follows_the_database_and_stops_cleanly(cli_env, stop):
    address = cli_env["CLEARINGHOUSE_HTTP"]
    process = subprocess.Popen(
        [sys.executable, "-m", "clearinghouse", "up"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        body = _wait_for_health(address, process)
        assert body["database"]["schema_current"] is True

        assert run(cli_env, "db", "stop").returncode == 0
        status, body = _health(address)
        assert status == 503 and body["database"]["state"] == "down"

        assert run(cli_env, "db", "start").returncode == 0
        status, body = _health(address)  # no restart of the API
        assert status == 200 and body["database"]["state"] == "up"

        # A second `up` on the same address refuses in one line instead of half-starting.
        assert "already in use" in one_line_error(run(cli_env, "up"))

        stop(process)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = process.stderr.read()
    assert "stopping the managed database" in log
    # Every part stopped as it should: no traceback, no EBADF from the FTP server's sockets.
    assert "Traceback" not in log and "Errno" not in log, log
    host, port = address.rsplit(":", 1)
    assert port_is_free(int(port), host)  # no HTTP worker left behind
    result = run(cli_env, "db", "status")
    assert result.returncode == 3 and "stopped" in result.stdout
