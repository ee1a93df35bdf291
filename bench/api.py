"""Client API benchmark: Login and a trivial Perform, concurrent clients, the real server.

    .venv/bin/python bench/api.py                    # 30 s of Performs, 8 connections
    .venv/bin/python bench/api.py --seconds 10 --connections 32 --workers 4

Starts a throwaway PostGIS cluster (removed afterwards), registers users, and starts the production
server exactly as `clearinghouse serve` does (gunicorn, threaded workers) on a free port. The load
comes from wrk (Debian package `wrk`, installed when missing), a C load generator, so the client
takes as little as possible of the machine's cores from the server. First, logins (each a real
argon2 password check); then `UserAccountService/GetUserInformationRequest`, each client with a
session token of its own; then the ceiling (bench/ceiling.py): a bare Flask app under the same
gunicorn options, workers and threads, answering the same bytes, under the same load. Prints
requests per second, p50, p95 and p99 latencies, the share of answers that were not 200, and
the Perform rate as a share of the ceiling's (on a shared machine, the figure to compare).

Each wrk connection is a client that sends its next request as soon as it has the answer, so the
mean latency is connections / throughput: 1,000 requests/s with p95 under 20 ms needs at most
about 15 clients at a time; more clients queue (32 give about 30 ms at the same throughput).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import throwaway
from sqlalchemy import create_engine

from clearinghouse.accounts.services import add_user
from clearinghouse.db import Database
from clearinghouse.db.cluster import free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password"
PERFORM = "<UserAccountService><GetUserInformationRequest/></UserAccountService>"

# Each wrk thread takes the token of its own; the summary goes out as one JSON line.
LUA = """
local tokens = {%(tokens)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("token", tokens[(counter - 1) %% #tokens + 1])
end
function init(args)
  wrk.method = "POST"
  wrk.path = "%(path)s"
  wrk.body = [[%(body)s]]
  wrk.headers["Content-Type"] = "application/xml"
  if token ~= "" then wrk.headers["Echo-Token"] = token end
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "p50": %%.2f, "p95": %%.2f, '
      .. '"p99": %%.2f, "bad": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, bad))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("installing wrk (apt-get install wrk)…", flush=True)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def start_server(url: str, home: Path, port: int, workers: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(
        CLEARINGHOUSE_HOME=str(home),
        CLEARINGHOUSE_DATABASE_URL=url,
        CLEARINGHOUSE_HTTP=f"127.0.0.1:{port}",
        CLEARINGHOUSE_HTTP_WORKERS=str(workers),
    )
    return _started([str(ROOT / ".venv/bin/clearinghouse"), "serve"], env, port)


def start_ceiling(port: int, workers: int, body: Path) -> subprocess.Popen:
    """bench/ceiling.py: a bare Flask app under the same gunicorn, answering ``body``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    command = [sys.executable, str(ROOT / "bench/ceiling.py"), str(port), str(workers), str(body)]
    return _started(command, env, port)


def _started(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log would cost the server more than the request
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start within 60 s")


def perform_answer(port: int, token: str) -> bytes:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/echo/perform",
        data=PERFORM.encode(),
        headers={"Echo-Token": token},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read()


def login(port: int, name: str) -> str:
    body = f"<Login><UserName>{name}</UserName><Password>{PASSWORD}</Password></Login>".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/echo/login", data=body)
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read().decode()
    return text.split("<Token>")[1].split("</Token>")[0]


def run_wrk(
    wrk: str,
    port: int,
    path: str,
    body: str,
    tokens: list[str],
    seconds: int,
    connections: int,
    threads: int,
) -> dict:
    script = LUA % {
        "tokens": ", ".join(f'"{t}"' for t in tokens),
        "path": path,
        "body": body,
    }
    return run_script(
        wrk,
        script,
        f"http://127.0.0.1:{port}{path}",
        threads=threads,
        connections=connections,
        seconds=seconds,
    )


def run_script(
    wrk: str, script: str, url: str, *, threads: int, connections: int, seconds: int
) -> dict:
    """Run wrk with a Lua script whose done() writes one ``RESULT {json}`` line; that result,
    with requests per second added."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                file.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(file.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["per_second"] = result["requests"] / result["seconds"]
    return result


def show(label: str, result: dict) -> None:
    print(
        f"{label:<34} {result['per_second']:>8,.0f} req/s   p50 {result['p50']:6.2f} ms"
        f"   p95 {result['p95']:6.2f} ms   p99 {result['p99']:6.2f} ms"
        f"   not 200: {result['bad']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (one token each)")
    parser.add_argument("--workers", type=int, default=4, help="HTTP worker processes")
    args = parser.parse_args()
    wrk = ensure_wrk()

    with throwaway.cluster(56432) as (url, scratch):
        engine = create_engine(url)
        names = [f"bench{n}" for n in range(max(args.threads, 1))]
        with Database(engine).session() as session:
            for name in names:
                add_user(session, name, password=PASSWORD, email=f"{name}@example.org")
        engine.dispose()
        port = free_port(18080)
        server = start_server(url, scratch / "home", port, args.workers)
        try:
            print(
                f"server: gunicorn, {args.workers} workers x 4 threads, {os.cpu_count()} cores;"
                f" wrk: {args.threads} threads, {args.connections} connections"
            )
            tokens = [login(port, name) for name in names]
            login_body = (
                f"<Login><UserName>{names[0]}</UserName><Password>{PASSWORD}</Password></Login>"
            )
            show(
                "Login (argon2 check)",
                run_wrk(wrk, port, "/echo/login", login_body, [""], min(args.seconds, 10), 8, 2),
            )
            run_wrk(wrk, port, "/echo/perform", PERFORM, tokens, 3, args.connections, args.threads)
            result = run_wrk(
                wrk,
                port,
                "/echo/perform",
                PERFORM,
                tokens,
                args.seconds,
                args.connections,
                args.threads,
            )
            show("Perform GetUserInformationRequest", result)
            verdict = result["per_second"] >= 1000 and result["p95"] < 20
            print(f"goal (>= 1,000 Performs/s, p95 < 20 ms): {'met' if verdict else 'NOT met'}")
            body = scratch / "answer.xml"
            body.write_bytes(perform_answer(port, tokens[0]))
        finally:
            server.terminate()
            server.wait(timeout=30)
        # The ceiling, in the same run (the machine's load changes from minute to minute): the
        # same server and load, with an app that only returns the same answer's bytes.
        port = free_port(port + 1)
        ceiling = start_ceiling(port, args.workers, body)
        try:
            run_wrk(wrk, port, "/echo/perform", PERFORM, tokens, 3, args.connections, args.threads)
            bare = run_wrk(
                wrk,
                port,
                "/echo/perform",
                PERFORM,
                tokens,
                args.seconds,
                args.connections,
                args.threads,
            )
            show("ceiling: bare Flask, fixed answer", bare)
            print(f"Perform rate / ceiling: {result['per_second'] / bare['per_second']:.0%}")
        finally:
            ceiling.terminate()
            ceiling.wait(timeout=30)


if __name__ == "__main__":
    main()
