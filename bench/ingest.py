"""Ingest benchmark: a granule file of N records, end to end, against a bare COPY of its rows.

    .venv/bin/python bench/ingest.py                      # 100,000 granules
    .venv/bin/python bench/ingest.py --granules 20000 --sizes 20000,40000

Starts a throwaway PostGIS cluster of its own (removed afterwards), writes a GranuleMetaDataFile
of realistic granules (geodetic quadrilaterals of a few degrees, some across the antimeridian,
temporal ranges, measured parameters with QA, additional attributes, online access URLs), and
ingests it the way `clearinghouse ingest file` does (parse, DTD and code checks, footprints,
COPY + merge per batch, indexes updated), in a child process whose peak memory is measured. Then,
as the floor, the same rows are copied out of the granules table and COPY'd back into it (same
indexes). Prints granules per second for both, their ratio, and peak memory (of the ingest
process, and of it with its worker processes); ``--sizes`` repeats the run at several sizes to
show memory stays flat as N grows.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import throwaway
from records import COLLECTION, write_file
from sqlalchemy import create_engine, text

from clearinghouse.db import Database


def _ingest_child(url: str, path: str, browse: str, queue) -> None:
    from ingest.pipeline import ingest_file

    os.setsid()  # its worker processes join this session, whose memory the parent samples
    db = Database(create_engine(url))
    started = time.perf_counter()
    report = ingest_file(db, Path(path), "BENCH", browse_root=Path(browse))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    queue.put((elapsed, report.inserted, report.data_errors + report.invalid_spatial, peak))


def run(url: str, root: Path, count: int, seed: int) -> dict:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE granules, collections, ingest_jobs CASCADE"))
        conn.execute(text("DELETE FROM providers"))
        conn.execute(
            text("INSERT INTO providers (provider_id, contact_email) VALUES ('BENCH', 'b@x.org')")
        )
    from ingest.pipeline import ingest_file

    collections = root / "collections.xml"
    collections.write_text(COLLECTION)
    ingest_file(Database(engine), collections, "BENCH", browse_root=root / "browse")
    path = root / f"granules-{count}.xml"
    write_file(path, count, seed)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_ingest_child, args=(url, str(path), str(root), queue))
    child.start()
    peak_group = 0
    while queue.empty() and child.is_alive():
        peak_group = max(peak_group, _session_rss_kb(child.pid))
        time.sleep(0.2)
    elapsed, inserted, rejected, peak_kb = queue.get()
    child.join()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE granules"))
    floor = _bare_copy(engine)
    engine.dispose()
    return {
        "count": count,
        "bytes": path.stat().st_size,
        "elapsed": elapsed,
        "inserted": inserted,
        "rejected": rejected,
        "peak_mb": peak_kb / 1024,
        "group_mb": peak_group / 1024,
        "floor": floor,
    }


def _session_rss_kb(session: int) -> int:
    """Resident memory of every process in a session (the ingest and its workers)."""
    result = subprocess.run(
        ["ps", "-o", "rss=", "-s", str(session)], capture_output=True, text=True
    )
    return sum(int(n) for n in result.stdout.split())


def _bare_copy(engine) -> float:
    """The floor: the same rows COPY'd out and straight back into the same table and indexes."""
    raw = engine.raw_connection()
    try:
        buffer = io.BytesIO()
        with raw.cursor() as cur:
            cur.copy_expert("COPY granules TO STDOUT", buffer)
            cur.execute("TRUNCATE granules")
        raw.commit()
        buffer.seek(0)
        started = time.perf_counter()
        with raw.cursor() as cur:
            cur.copy_expert("COPY granules FROM STDIN", buffer)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--granules", type=int, default=100_000)
    parser.add_argument("--sizes", help="comma-separated sizes to compare peak memory across")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.granules]

    with throwaway.cluster(56100) as (url, root):
        print(
            f"{'granules':>10} {'file MB':>8} {'ingest s':>9} {'granules/s':>11} "
            f"{'COPY s':>7} {'COPY/s':>9} {'ratio':>6} {'peak MB':>8} "
            f"{'all procs MB':>13}"
        )
        for count in sizes:
            r = run(url, root, count, args.seed)
            rate = r["inserted"] / r["elapsed"]
            print(
                f"{r['count']:>10,} {r['bytes'] / 1e6:>8.1f} {r['elapsed']:>9.1f} {rate:>11,.0f} "
                f"{r['floor']:>7.2f} {r['inserted'] / r['floor']:>9,.0f} "
                f"{r['elapsed'] / r['floor']:>5.1f}x {r['peak_mb']:>8.0f} {r['group_mb']:>13.0f}"
            )
            if r["rejected"] or r["inserted"] != count:
                print(f"  warning: {r['inserted']:,} inserted, {r['rejected']:,} rejected")


if __name__ == "__main__":
    main()
