"""Crash safety: `clearinghouse ingest file` killed part-way and run again loads every record
exactly once, and its report counts every record once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, func, select, text

from clearinghouse.catalog.models import Granule
from ingest.models import IngestJob, IngestReport, JobStatus
from tests.cli import run
from tests.ingest_support import collection, granule, wrap

PROVIDER = "CRASHTEST"
COUNT = 3000


def test_killed_between_batches_then_rerun(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(CLEARINGHOUSE_DATABASE_URL=database_url, CLEARINGHOUSE_HOME=str(tmp_path / "home"))
    engine = create_engine(database_url)
    collections = tmp_path / "c.xml"
    collections.write_bytes(wrap("CollectionMetaDataFile", {"Collections": [collection()]}))
    granules = tmp_path / "g.xml"
    granules.write_bytes(
        wrap("GranuleMetaDataFile", {"Granules": [granule(f"G{n:05}") for n in range(COUNT)]})
    )
    password = tmp_path / "pw"
    password.write_text("secret-ftp-password\n")
    try:
        added = run(
            env,
            "provider",
            "add",
            PROVIDER,
            "--email",
            "c@example.org",
            "--ftp-password-file",
            str(password),
        )
        assert added.returncode == 0, added.stderr
        assert run(env, "ingest", "file", str(collections), "--provider", PROVIDER).returncode == 0

        command = [
            sys.executable,
            "-m",
            "clearinghouse",
            "ingest",
            "file",
            str(granules),
            "--provider",
            PROVIDER,
            "--batch-size",
            "100",
        ]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        done = _wait_for_batches(engine, 3, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert 3 <= done < COUNT // 100, "the process should die part-way"
        with engine.connect() as conn:
            loaded = _count(conn)
        assert 300 <= loaded < COUNT  # whole batches only
        assert loaded % 100 == 0

        again = run(
            env, "ingest", "file", str(granules), "--provider", PROVIDER, "--batch-size", "100"
        )
        assert again.returncode == 0, again.stderr
        assert "Records inserted" in again.stdout
        with engine.connect() as conn:
            assert _count(conn) == COUNT
            ours = (IngestJob.provider_id == PROVIDER) & (IngestJob.file_name == "g.xml")
            job = conn.execute(select(IngestJob).where(ours)).one()
            jobs = conn.execute(select(func.count()).select_from(IngestJob).where(ours)).scalar()
            report = conn.execute(select(IngestReport).where(IngestReport.job_id == job.id)).one()
        assert jobs == 1  # the rerun resumed the interrupted job
        assert job.status is JobStatus.DONE
        assert (report.processed, report.inserted, report.duplicated) == (COUNT, COUNT, 0)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM providers WHERE provider_id = :p"), {"p": PROVIDER})
        engine.dispose()


def _count(conn) -> int:
    return conn.execute(
        select(func.count()).select_from(Granule).where(Granule.provider_id == PROVIDER)
    ).scalar()


def _wait_for_batches(engine, wanted: int, process) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            done = conn.execute(
                select(IngestJob.batches_done).where(
                    IngestJob.provider_id == PROVIDER, IngestJob.file_name == "g.xml"
                )
            ).scalar()
        if done is not None and done >= wanted:
            return done
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode())
        time.sleep(0.02)
    raise AssertionError("no batches committed in time")
