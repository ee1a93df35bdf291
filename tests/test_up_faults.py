"""Faults under `clearinghouse up`: each component killed with SIGKILL in the middle of its work is
restarted and its work done exactly once; a component that keeps crashing stops everything with a
non-zero status; and no process of `up` is left behind, however `up` or a component ended."""

from __future__ import annotations

import concurrent.futures
import ftplib
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, select, text

from broker.models import Order, ProviderOrder
from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.catalog.models import Granule
from clearinghouse.db import Database
from ingest.models import IngestJob, IngestReport, JobStatus
from ingest.pipeline import PARALLEL_BYTES, ingest_file
from partner_sim import Behaviour
from tests import process_support as procs
from tests.api_support import PASSWORD, login
from tests.broker_support import create, item, ordered
from tests.conftest import OUTBOUND
from tests.ingest_support import collection, granule, wrap, write

FTP_PASSWORD = "fault test ftp password"
BIG = 3000  # granules in the file ingested by worker processes


class _Http:
    """The interface of Flask's test client, over real HTTP, for tests/api_support."""

    def __init__(self, address: str):
        self.base = f"http://{address}"
        self.session = requests.Session()

    def post(self, path: str, data: str = "", headers=None):
        response = self.session.post(
            self.base + path, data=data.encode(), headers=headers or {}, timeout=30
        )
        response.data = response.content
        response.mimetype = response.headers.get("Content-Type", "").split(";")[0]
        return response


def _granules(prefix: str, count: int, pad: int = 0) -> bytes:
    """A granule file; ``pad`` bytes of white space after each record make it big cheaply."""
    records = [granule(f"{prefix}{n:06}").encode() + b"\n" + b" " * pad for n in range(count)]
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<GranuleMetaDataFile><Granules>\n'
    return head + b"".join(records) + b"</Granules></GranuleMetaDataFile>\n"


class Up:
    """`clearinghouse up` against the test database, with a partner, a buyer and a catalog."""

    def __init__(self, database_url: str, cli_env: dict, tmp_path: Path, sim):
        self.engine = create_engine(database_url)
        self.db = Database(self.engine)
        self.provider = f"FAULT_{uuid.uuid4().hex[:6].upper()}"
        self.buyer = f"buyer-{self.provider.lower()}"
        self.mark = f"FAULT_TEST_MARK={uuid.uuid4().hex}"
        self.env = {
            **cli_env,
            "CLEARINGHOUSE_DATABASE_URL": database_url,
            "CLEARINGHOUSE_OPTION_KEY": Fernet.generate_key().decode(),
            "CLEARINGHOUSE_DEMO": "0",
            "CLEARINGHOUSE_RESTART_LIMIT": "3",
            self.mark.split("=")[0]: self.mark.split("=")[1],
        }
        self.home = Path(cli_env["CLEARINGHOUSE_HOME"])
        self.http = cli_env["CLEARINGHOUSE_HTTP"]
        self.ftp_port = int(cli_env["CLEARINGHOUSE_FTP"].rsplit(":", 1)[1])
        self.log = tmp_path / "up.log"
        self.sim = sim
        sim.add_partner(
            self.provider,
            Behaviour(delay=2.0, process_time=600),
            broker_url=f"http://{self.http}",
            username="desk",
            password=PASSWORD,
        )
        with self.db.session() as session:
            add_provider(
                session,
                self.provider,
                email="ops@example.org",
                ftp_password=FTP_PASSWORD,
                endpoint=sim.url(self.provider),
                retry_attempts=3,
                retry_wait=0,
                outbound=OUTBOUND,
            )
            add_user(session, self.buyer, password=PASSWORD, email="buyer@example.org")
        for name, content in [
            ("c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]})),
            ("g.xml", _granules("ORDERABLE", 1)),
        ]:
            found = ingest_file(self.db, write(tmp_path, name, content), self.provider)
            assert found.inserted == 1, found.text
        with self.engine.connect() as conn:
            number = conn.execute(
                text("SELECT id FROM granules WHERE provider_id = :p"), {"p": self.provider}
            ).scalar_one()
        self.orderable = f"G{number}-{self.provider}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clearinghouse", "up"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(f"http://{self.http}/health", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                pass  # in flight when the API died, or sent while it was restarting
            time.sleep(0.2)
        raise AssertionError("up did not come up")

    def component(self, name: str, *, other_than: int | None = None) -> int:
        return procs.wait_for_child(self.process.pid, name, other_than=other_than)

    def kill(self, name: str) -> tuple[int, set[int]]:
        """SIGKILL a component; its pid and the processes of its session at that moment."""
        pid = self.component(name)
        members = procs.session_members(pid)
        os.kill(pid, signal.SIGKILL)
        return pid, members

    def restarted(self, name: str, old: int, members: set[int]) -> int:
        new = self.component(name, other_than=old)
        assert procs.wait_until_gone(members, timeout=10) == set(), "the dead one's workers live"
        return new

    def count(self, prefix: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(Granule)
                .where(Granule.provider_id == self.provider, Granule.granule_ur.like(f"{prefix}%"))
            ).scalar()

    def job(self, file_name: str):
        with self.engine.connect() as conn:
            return conn.execute(
                select(IngestJob)
                .where(IngestJob.provider_id == self.provider, IngestJob.file_name == file_name)
                .order_by(IngestJob.id)
            ).all()

    def wait_job(self, file_name: str, until, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.job(file_name)
            if jobs and until(jobs[-1]):
                return jobs
            time.sleep(0.05)
        raise AssertionError(f"{file_name}: {self.job(file_name)}\n{self.log.read_text()}")

    def upload(self, name: str, stream) -> None:
        ftp = ftplib.FTP()
        ftp.connect("127.0.0.1", self.ftp_port, timeout=20)
        ftp.login(self.provider, FTP_PASSWORD)
        try:
            ftp.storbinary(f"STOR /data/granule/{name}", stream)
        finally:
            ftp.close()

    def upload_when_back(self, name: str, content: bytes) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                return self.upload(name, io.BytesIO(content))
            except (OSError, EOFError, ftplib.Error):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def close(self) -> str:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        left = procs.marked(self.mark)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM orders WHERE user_id IN (SELECT id FROM users WHERE username = :u)"
                ),
                {"u": self.buyer},
            )
            conn.execute(text("DELETE FROM users WHERE username = :u"), {"u": self.buyer})
            conn.execute(text("DELETE FROM providers WHERE provider_id = :p"), {"p": self.provider})
        self.engine.dispose()
        return left


@pytest.fixture
def up(database_url, cli_env, tmp_path, sim):
    running = Up(database_url, cli_env, tmp_path, sim)
    try:
        yield running
    finally:
        assert running.close() == {}, "processes of up were left behind"


class _Slow(io.RawIOBase):
    """A file read slowly: an upload that takes its time."""

    def __init__(self, content: bytes):
        self.stream = io.BytesIO(content)
        self.started = threading.Event()

    def read(self, size: int = -1) -> bytes:
        self.started.set()
        time.sleep(0.05)
        return self.stream.read(min(size, 4096))


def _scheduler_killed_mid_ingest(up: Up) -> None:
    content = _granules("BIG", BIG, pad=PARALLEL_BYTES // BIG)
    assert len(content) >= PARALLEL_BYTES  # prepared by the pipeline's worker processes
    up.upload("big.xml", io.BytesIO(content))
    up.wait_job("big.xml", lambda job: job.batches_done >= 1 or job.status is JobStatus.DONE)
    scheduler = up.component("scheduler")
    members = procs.session_members(scheduler)
    assert len(members) >= 3, "the scheduler, its forkserver and workers"
    os.kill(scheduler, signal.SIGKILL)
    assert up.job("big.xml")[-1].status is JobStatus.RUNNING, "killed after the ingest ended"
    up.restarted("scheduler", scheduler, members)
    up.wait_job("big.xml", lambda job: job.status is JobStatus.DONE)
    assert up.count("BIG") == BIG
    (job,) = up.job("big.xml")  # the restarted scheduler resumed the job
    with up.engine.connect() as conn:
        found = conn.execute(select(IngestReport).where(IngestReport.job_id == job.id)).one()
    assert (found.processed, found.inserted, found.duplicated) == (BIG, BIG, 0)


def _worker_killed_mid_dispatch(up: Up) -> None:
    client = _Http(up.http)
    token = login(client, up.buyer)
    guid = create(client, token, item(up.orderable))
    ordered(client, token, "SubmitOrder", guid=guid)
    deadline = time.monotonic() + 30
    while not up.sim.received(up.provider):  # the partner has it and takes 2 s to answer
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.02)
    old, members = up.kill("worker")
    up.restarted("worker", old, members)
    deadline = time.monotonic() + 30
    while (state := _state(up, guid)) != "PROCESSING":
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    submitted = [r for r in up.sim.received(up.provider) if r.transaction == "SUBMIT"]
    assert len(submitted) == 1  # a resent request is known by its RequestId, not acted on again


def _state(up: Up, guid: str) -> str:
    with up.engine.connect() as conn:
        return (
            conn.execute(
                select(ProviderOrder.state)
                .join(Order, Order.id == ProviderOrder.order_id)
                .where(Order.guid == uuid.UUID(guid))
            )
            .scalar_one()
            .value
        )


def _ftp_killed_mid_upload(up: Up) -> None:
    content = _granules("UPLOADED", 300)
    slow = _Slow(content)
    failed: list[BaseException] = []

    def upload():
        try:
            up.upload("up.xml", slow)
        except (OSError, EOFError, ftplib.Error) as error:
            failed.append(error)

    thread = threading.Thread(target=upload)
    thread.start()
    partial = up.home / "ftp" / up.provider / "data" / "granule" / "up.xml"
    deadline = time.monotonic() + 30
    while not (partial.exists() and partial.stat().st_size > 0):
        assert time.monotonic() < deadline, "the upload did not start"
        time.sleep(0.02)
    old, members = up.kill("ftp")
    thread.join(30)
    assert failed and slow.stream.tell() < len(content), "the upload should have broken off"
    up.restarted("ftp", old, members)
    up.upload_when_back("up.xml", content)  # the partner sends it again
    up.wait_job("up.xml", lambda job: job.status is JobStatus.DONE)
    assert [job.status for job in up.job("up.xml")] == [JobStatus.DONE]  # never half a file
    assert up.count("UPLOADED") == 300


def _api_killed_with_requests_in_flight(up: Up) -> None:
    stop = threading.Event()
    statuses: list[int] = []
    after: list[int] = []
    killed = threading.Event()
    search = "<CatalogService><SearchRequest><Query></Query></SearchRequest></CatalogService>"

    def client():
        http = _Http(up.http)
        while not stop.is_set():
            try:
                token = login(http, up.buyer)
                response = http.post("/echo/perform", search, {"Echo-Token": token})
                statuses.append(response.status_code)
                if killed.is_set():
                    after.append(response.status_code)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                pass  # in flight when the API died, or sent while it was restarting

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        while len(statuses) < 8:
            time.sleep(0.05)
        old, members = up.kill("serve")
        killed.set()
        up.restarted("serve", old, members)
        deadline = time.monotonic() + 30
        while len(after) < 8:
            assert time.monotonic() < deadline, "the API did not come back"
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert all(status < 500 for status in statuses), sorted(set(statuses))


def test_each_component_killed_mid_work_is_restarted_and_its_work_done_once(up):
    up.start()
    # Two tracks at once, each leaving the other's component alone while it works.
    with concurrent.futures.ThreadPoolExecutor(2) as tracks:
        ingest = tracks.submit(
            lambda: (_scheduler_killed_mid_ingest(up), _ftp_killed_mid_upload(up))
        )
        orders = tracks.submit(
            lambda: (_worker_killed_mid_dispatch(up), _api_killed_with_requests_in_flight(up))
        )
        ingest.result()
        orders.result()

    # Then the FTP server cannot start again (its address taken): up gives up, non-zero.
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        os.kill(up.component("ftp"), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while True:
            try:
                blocker.bind(("127.0.0.1", up.ftp_port))
                break
            except OSError:
                assert time.monotonic() < deadline
        blocker.listen()
        assert up.process.wait(timeout=60) == 1
    finally:
        blocker.close()
    log = up.log.read_text()
    for name in ("ingest scheduler", "broker worker", "FTP drop boxes", "HTTP API"):
        assert f"{name} was killed by SIGKILL; restarting it in" in log, log
    # Its third crash within a minute (CLEARINGHOUSE_RESTART_LIMIT; the kill mid-upload counts).
    assert "FTP drop boxes stopped (exit status 1): 3 crashes within 60 s; stopping everything" in (
        log
    )
    assert procs.wait_until_gone(procs.marked(up.mark)) == set()


def test_nothing_outlives_up_killed(up):
    up.start()
    components = {name: up.component(name) for name in ("serve", "ftp", "scheduler", "worker")}
    everything = set(procs.marked(up.mark))
    assert len(everything) >= 6  # up, four components, gunicorn's worker
    up.process.kill()
    up.process.wait()
    assert procs.wait_until_gone(everything, timeout=30) == set(), components


def test_ingest_workers_die_with_their_process(database_url, tmp_path):
    """`clearinghouse ingest file` killed while its worker processes prepare records: they go too
    (before, every one of them stayed behind)."""
    mark = f"FAULT_TEST_MARK={uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(CLEARINGHOUSE_DATABASE_URL=database_url, CLEARINGHOUSE_HOME=str(tmp_path / "home"))
    env[mark.split("=")[0]] = mark.split("=")[1]
    engine = create_engine(database_url)
    provider = f"ORPHAN_{uuid.uuid4().hex[:6].upper()}"
    with Database(engine).session() as session:
        add_provider(session, provider, email="ops@example.org", ftp_password=FTP_PASSWORD)
    try:
        path = write(tmp_path, "big.xml", _granules("BIG", BIG, pad=PARALLEL_BYTES // BIG))
        ingest_file(
            Database(engine),
            write(
                tmp_path, "c.xml", wrap("CollectionMetaDataFile", {"Collections": [collection()]})
            ),
            provider,
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clearinghouse",
                "ingest",
                "file",
                str(path),
                "--provider",
                provider,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(procs.marked(mark)) < 3:  # the command, its forkserver, a worker
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        workers = set(procs.marked(mark)) - {process.pid}
        process.kill()
        process.wait()
        assert procs.wait_until_gone(workers, timeout=15) == set()
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM providers WHERE provider_id = :p"), {"p": provider})
        engine.dispose()
