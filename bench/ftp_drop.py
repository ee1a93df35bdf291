"""Drop box benchmark: from the last byte of an FTP upload to its granules being searchable.

    .venv/bin/python bench/ftp_drop.py                        # 10 files of 10,000 granules
    .venv/bin/python bench/ftp_drop.py --files 5 --granules 2000

Starts a throwaway PostGIS cluster (removed afterwards) and the system as `make run` does
(`clearinghouse up`: FTP server, scheduler, API) on it, registers a partner and its collection,
then uploads K granule files with ftplib, one after the other. For each it measures the time from
the end of the upload (the server's 226 after the last byte) to the moment all the file's granules
are committed in the catalog, where every search sees them; prints each, then p50 and p95.
"""

from __future__ import annotations

import argparse
import ftplib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import throwaway
from records import COLLECTION, write_file
from sqlalchemy import create_engine, text

from clearinghouse.accounts.services import add_provider
from clearinghouse.db import Database
from clearinghouse.db.cluster import free_port

ROOT = Path(__file__).resolve().parent.parent
PARTNER, PASSWORD = "BENCH", "bench ftp password"


def start(url: str, home: Path) -> tuple[subprocess.Popen, int, int]:
    http, ftp = free_port(18180), free_port(12180)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(
        CLEARINGHOUSE_HOME=str(home),
        CLEARINGHOUSE_DATABASE_URL=url,
        CLEARINGHOUSE_HTTP=f"127.0.0.1:{http}",
        CLEARINGHOUSE_FTP=f"127.0.0.1:{ftp}",
        CLEARINGHOUSE_HTTP_WORKERS="1",
        CLEARINGHOUSE_DEMO="0",
    )
    system = subprocess.Popen(
        [str(ROOT / ".venv/bin/clearinghouse"), "up"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http}/health", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or system.poll() is not None:
                sys.exit("the system did not start")
            time.sleep(0.3)
    time.sleep(1.5)  # the FTP server and the scheduler start beside the API
    return system, http, ftp


def searchable(engine, prefix: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM granules WHERE provider_id = :p AND granule_ur LIKE :u"),
            {"p": PARTNER, "u": prefix + "%"},
        ).scalar()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--granules", type=int, default=10_000)
    args = parser.parse_args()

    with throwaway.cluster(56532) as (url, scratch):
        engine = create_engine(url)
        with Database(engine).session() as session:
            add_provider(session, PARTNER, email="ops@bench.example", ftp_password=PASSWORD)
        folder = Path(tempfile.mkdtemp(dir=scratch))
        (folder / "collection.xml").write_text(COLLECTION)
        files = []
        for k in range(args.files):
            path = folder / f"granules-{k:03d}.xml"
            write_file(path, args.granules, seed=k, prefix=f"F{k:03d}.G")
            files.append((path, f"F{k:03d}.G"))
        size = files[0][0].stat().st_size
        print(f"{args.files} files of {args.granules:,} granules ({size / 1e6:.1f} MB each)")

        system, _, ftp_port = start(url, scratch / "home")
        latencies = []
        try:
            with ftplib.FTP() as ftp:
                ftp.connect("127.0.0.1", ftp_port, timeout=60)
                ftp.login(PARTNER, PASSWORD)
                with (folder / "collection.xml").open("rb") as stream:
                    ftp.storbinary("STOR /data/collection/collection.xml", stream)
                while not _collection_in(engine):
                    time.sleep(0.1)
                for path, prefix in files:
                    with path.open("rb") as stream:
                        ftp.storbinary(f"STOR /data/granule/{path.name}", stream)
                    uploaded = time.monotonic()
                    while searchable(engine, prefix) < args.granules:
                        if time.monotonic() - uploaded > 600:
                            sys.exit(f"{path.name}: not searchable after 600 s")
                        time.sleep(0.05)
                    latencies.append(time.monotonic() - uploaded)
                    print(f"  {path.name}: searchable {latencies[-1]:.2f} s after its last byte")
        finally:
            os.killpg(system.pid, signal.SIGTERM)
            system.wait(timeout=60)
            engine.dispose()

    p50 = statistics.median(latencies)
    p95 = sorted(latencies)[max(0, round(0.95 * len(latencies)) - 1)]
    print(
        f"upload to searchable: p50 {p50:.2f} s, p95 {p95:.2f} s "
        f"({args.granules / p50:,.0f} granules/s at p50)"
    )
    print(f"goal (p95 under 10 s for a 10,000-granule file): {'met' if p95 < 10 else 'NOT met'}")


def _collection_in(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM collections")).scalar())


if __name__ == "__main__":
    main()
