"""Drop boxes: the FTP server's doors (accounts, homes, permissions, limits), what a scan takes
and when, and how scans behave when they race or crash."""

from __future__ import annotations

import ftplib
import io
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clearinghouse.accounts.models import Provider
from clearinghouse.catalog.models import Granule
from clearinghouse.config import Address, Settings
from clearinghouse.db import Database, make_engine
from ingest import scan
from ingest.ftp import make_server
from ingest.models import IngestError, IngestJob, IngestReport, JobStatus
from tests.conftest import ephemeral_port, scratch_dir
from tests.dropbox_support import (
    JPEG,
    Mailbox,
    browse_file,
    collection_file,
    connect,
    forget_partner,
    granule_file,
    new_partner,
    read,
    upload,
)
from tests.ingest_support import wrap


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings():
    return Settings(
        home=scratch_dir("clearinghouse-drop-"),
        ftp=Address("127.0.0.1", ephemeral_port()),
        ftp_max_file_size=4_000_000,
        ftp_max_connections=2,
    )


@pytest.fixture
def ftp_server(engine, settings):
    server = make_server(settings, Database(engine))
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield settings.ftp.port
    stop.set()
    thread.join(timeout=10)


@pytest.fixture
def partners(database_url):
    made = []

    def make(prefix="DROP"):
        made.append(new_partner(database_url, prefix))
        return made[-1]

    yield make
    for provider_id in made:
        forget_partner(database_url, provider_id)


def _jobs(engine, provider_id):
    with Session(engine) as session:
        return session.execute(
            select(IngestJob.file_name, IngestJob.status, IngestReport)
            .join(IngestReport, IngestReport.job_id == IngestJob.id)
            .where(IngestJob.provider_id == provider_id)
            .order_by(IngestJob.id)
        ).all()


def _report(engine, provider_id) -> IngestReport:
    """The report of a partner's one job."""
    (job,) = _jobs(engine, provider_id)
    return job.IngestReport


def _granules(engine, provider_id) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(Granule)
            .where(Granule.provider_id == provider_id, Granule.deleted_at.is_(None))
        ).scalar()


# -- the FTP server's doors ------------------------------------------------------------------


def test_a_wrong_password_or_an_unknown_account_is_refused(ftp_server, partners):
    partner = partners()
    for user, password in ((partner, "not the password"), ("NOBODY", "whatever it is")):
        with pytest.raises(ftplib.error_perm, match="530"):
            connect(ftp_server, user, password)
    with pytest.raises(ftplib.error_perm, match="530"):
        connect(ftp_server, "anonymous", "guest@example.org")


def test_a_partner_sees_only_its_own_home(ftp_server, partners):
    one, other = partners(), partners()
    with connect(ftp_server, other) as ftp:
        upload(ftp, "data/granule", "secret.xml", granule_file("S1"))
    with connect(ftp_server, one) as ftp:
        assert sorted(ftp.nlst("/")) == ["data", "reports"]
        for path in (f"/../{other}/data/granule", f"../../{other}", "/etc"):
            with pytest.raises(ftplib.error_perm, match="550"):
                ftp.cwd(path)
        ftp.cwd("/../../..")  # as far up as it goes: its own home
        assert ftp.pwd() == "/" and sorted(ftp.nlst()) == ["data", "reports"]
        for path in (f"/../{other}/data/granule/secret.xml", "../../../etc/passwd"):
            with pytest.raises(ftplib.error_perm, match="550"):
                read(ftp, path)
        assert ftp.nlst("/data/granule") == []


def test_partners_drop_files_in_the_drop_box_only(ftp_server, partners):
    partner = partners()
    with connect(ftp_server, partner) as ftp:
        for folder in ("reports", "", "data"):
            with pytest.raises(ftplib.error_perm, match="550"):
                upload(ftp, folder, "x.xml", b"<x/>")
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp.mkd("/data/granule/sub")
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp.rmd("/data/granule")
        upload(ftp, "data/granule", "mine.xml", b"<x/>")
        ftp.rename("/data/granule/mine.xml", "/data/granule/renamed.xml")
        assert ftp.nlst("/data/granule") == ["renamed.xml"]
        ftp.delete("/data/granule/renamed.xml")


def test_an_oversized_upload_is_refused_and_leaves_nothing(ftp_server, partners, settings):
    partner = partners()
    with connect(ftp_server, partner) as ftp:
        with pytest.raises(ftplib.Error, match="552 files are limited"):
            upload(ftp, "data/granule", "huge.xml", b"x" * (settings.ftp_max_file_size + 1))
        assert ftp.nlst("/data/granule") == []
        upload(ftp, "data/granule", "fine.xml", b"x" * 1000)


def test_connections_per_account_are_limited(ftp_server, partners):
    partner = partners()
    first, second = connect(ftp_server, partner), connect(ftp_server, partner)
    with pytest.raises(ftplib.error_perm, match=r"530 .* 2 connections"):
        connect(ftp_server, partner)
    first.quit()
    time.sleep(0.3)
    connect(ftp_server, partner).quit()
    second.quit()


# -- what a scan takes, and when -------------------------------------------------------------


def test_an_interrupted_upload_waits_and_is_taken_once_completed(
    ftp_server, partners, engine, settings
):
    partner = partners()
    db = Database(engine)
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
        content = granule_file(*(f"G{n}" for n in range(50)))
        half = len(content) // 2
        data = ftp.transfercmd("STOR /data/granule/g.xml")
        data.sendall(content[:half])
        data.close()  # the connection breaks half way
        ftp.voidresp()
        assert scan.scan(db, settings, partner)[0].file_name == "c.xml"  # g.xml waits
        assert [j.file_name for j in _jobs(engine, partner)] == ["c.xml"]
        assert ftp.size("/data/granule/g.xml") == half  # kept, not lost
        ftp.voidcmd("TYPE I")
        ftp.storbinary("STOR /data/granule/g.xml", io.BytesIO(content[half:]), rest=half)
    taken = scan.scan(db, settings, partner)
    assert [t.file_name for t in taken] == ["g.xml"]
    assert (taken[0].report.processed, taken[0].report.inserted) == (50, 50)
    assert _granules(engine, partner) == 50
    assert scan.scan(db, settings, partner) == []


def test_a_file_in_the_wrong_folder_gets_a_file_error_report(
    ftp_server, partners, engine, settings
):
    partner = partners()
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/collection", "granules.xml", granule_file("G1"))
        upload(ftp, "data/granule", "notes.txt", b"these are not metadata\n")
    taken = scan.scan(Database(engine), settings, partner)
    errors = {t.file_name: t.report.file_errors[0] for t in taken}
    assert errors["granules.xml"]["reason"] == "WrongDirectory"
    assert "data/granule/" in errors["granules.xml"]["message"]
    assert errors["notes.txt"]["reason"] == "NotXML"
    assert {j.status for j in _jobs(engine, partner)} == {JobStatus.REJECTED}
    with connect(ftp_server, partner) as ftp:
        reports = ftp.nlst("/reports")
        text = read(
            ftp,
            "/reports/"
            + next(r for r in reports if r.startswith("granules.xml") and r.endswith(".txt")),
        ).decode()
        assert "WrongDirectory" in text or "data/granule/" in text
        assert ftp.nlst("/data/collection") == [] and ftp.nlst("/data/granule") == []
    archived = sorted(p.name for p in (settings.archive_dir / partner).rglob("*") if p.is_file())
    assert archived == ["granules.xml", "notes.txt"]  # kept, with a trace


def test_files_go_in_the_seeds_order_and_browse_waits_for_its_images(
    ftp_server, partners, engine, settings
):
    partner = partners()
    db = Database(engine)
    update_file = (
        b'<?xml version="1.0"?><GranuleMetaDataFile><GranulePartialDeletes>'
        b"<GranulePartialDelete><Target><GranuleUR>G1</GranuleUR></Target>"
        b"<Visible/></GranulePartialDelete></GranulePartialDeletes>"
        b"</GranuleMetaDataFile>"
    )
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/browse", "b.xml", browse_file("q.jpg", len(JPEG)))
        upload(ftp, "data/granule", "a-update.xml", update_file)
        upload(ftp, "data/granule", "g.xml", granule_file("G1"))
        upload(ftp, "data/collection", "z.xml", collection_file())
    taken = scan.scan(db, settings, partner)
    assert [t.file_name for t in taken] == ["z.xml", "g.xml", "a-update.xml"]  # b.xml waits
    with connect(ftp_server, partner) as ftp:
        assert ftp.nlst("/data/browse") == ["b.xml"]
        upload(ftp, "data/browse", "q.jpg", JPEG)
    assert [t.file_name for t in scan.scan(db, settings, partner)] == ["b.xml"]


def test_a_paused_partner_is_not_scanned_until_resumed(ftp_server, partners, engine, settings):
    partner = partners()
    db = Database(engine)
    with engine.begin() as conn:
        conn.execute(
            update(Provider).where(Provider.provider_id == partner).values(ingest_paused=True)
        )
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
    assert scan.scan(db, settings, partner) == []
    assert scan.scan(db, settings) == [] or partner not in {
        t.provider_id for t in scan.scan(db, settings)
    }
    with engine.begin() as conn:
        conn.execute(
            update(Provider).where(Provider.provider_id == partner).values(ingest_paused=False)
        )
    assert [t.file_name for t in scan.scan(db, settings, partner)] == ["c.xml"]


def test_a_report_not_mailed_is_mailed_at_the_next_scan(ftp_server, partners, engine, settings):
    partner = partners()
    box = Mailbox()
    db = Database(engine)
    down = settings.replace(smtp_url=box.url)  # nothing listens there yet
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
    scan.scan(db, down, partner)
    report = _report(engine, partner)
    assert report.delivered_at is not None and report.mailed_at is None
    box.controller.start()
    try:
        assert scan.scan(db, down, partner) == []  # nothing new, but the mail goes
        assert box.arrived.wait(10)
        report = _report(engine, partner)
        assert report.mailed_at is not None
        assert "c.xml" in box.messages[0][1]["Subject"]
    finally:
        box.controller.stop()


# -- races and crashes ------------------------------------------------------------------------


def _cli_env(database_url: str, settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(CLEARINGHOUSE_DATABASE_URL=database_url, CLEARINGHOUSE_HOME=str(settings.home))
    return env


def test_two_schedulers_racing_take_each_file_once(
    ftp_server, partners, engine, settings, database_url
):
    partner = partners()
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
        for n in range(6):
            upload(
                ftp, "data/granule", f"g{n}.xml", granule_file(*(f"G{n}-{k}" for k in range(200)))
            )
    command = [sys.executable, "-m", "clearinghouse", "ingest", "scan", "--provider", partner]
    env = _cli_env(database_url, settings)
    racers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    threaded = threading.Thread(target=scan.scan, args=(Database(engine), settings, partner))
    threaded.start()
    for racer in racers:
        assert racer.wait(timeout=120) == 0, racer.stderr.read().decode()
    threaded.join(timeout=120)
    jobs = _jobs(engine, partner)
    assert sorted(j.file_name for j in jobs) == sorted(["c.xml"] + [f"g{n}.xml" for n in range(6)])
    assert {j.status for j in jobs} == {JobStatus.DONE}
    assert sum(j.IngestReport.inserted for j in jobs) == 1 + 6 * 200
    assert sum(j.IngestReport.duplicated for j in jobs) == 0
    assert _granules(engine, partner) == 6 * 200


def test_a_scan_killed_mid_file_resumes_where_it_stopped(
    ftp_server, partners, engine, settings, database_url
):
    partner = partners()
    count = 6000
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
    db = Database(engine)
    scan.scan(db, settings, partner)
    big = granule_file(*(f"G{n:05}" for n in range(count)))
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/granule", "big.xml", big)
    env = _cli_env(database_url, settings)
    process = subprocess.Popen(
        [sys.executable, "-m", "clearinghouse", "ingest", "scan", "--provider", partner],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            ours = (IngestJob.provider_id == partner) & (IngestJob.file_name == "big.xml")
            done = conn.execute(select(IngestJob.batches_done).where(ours)).scalar()
        if done:
            break
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    loaded = _granules(engine, partner)
    assert 1000 <= loaded < count and loaded % 1000 == 0  # whole batches, part of the file
    with connect(ftp_server, partner) as ftp:
        assert ftp.nlst("/data/granule") == []  # in the archive, its job open
    taken = scan.scan(db, settings, partner)
    assert [t.file_name for t in taken] == ["big.xml"]
    assert (taken[0].report.processed, taken[0].report.inserted) == (count, count)
    assert _granules(engine, partner) == count
    jobs = [j for j in _jobs(engine, partner) if j.file_name == "big.xml"]
    assert len(jobs) == 1 and jobs[0].status is JobStatus.DONE


def test_a_database_that_is_down_refuses_logins_and_the_server_goes_on(settings):
    dead = Database(make_engine(f"postgresql+psycopg2://u:p@127.0.0.1:{ephemeral_port()}/none"))
    server = make_server(settings, dead)
    thread = threading.Thread(
        target=lambda: [
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
            for _ in range(100)
        ],
        daemon=True,
    )
    thread.start()
    try:
        for _ in range(2):
            with pytest.raises(ftplib.error_perm, match="530 Passwords cannot be checked"):
                connect(settings.ftp.port, "ANYONE", "whatever it is")
    finally:
        thread.join(timeout=30)
        server.close_all()
        dead.engine.dispose()


def test_a_broken_browse_file_gets_its_report_and_blocks_nothing(
    ftp_server, partners, engine, settings
):
    partner = partners()
    broken = (
        b'<?xml version="1.0"?><BrowseMetaDataFile><BrowseImages><BrowseImage>'
        b"<FileName>a.jpg</Oops></BrowseImages></BrowseMetaDataFile>"
    )
    with connect(ftp_server, partner) as ftp:
        upload(ftp, "data/browse", "broken.xml", broken)
        upload(ftp, "data/collection", "c.xml", collection_file())
    taken = {t.file_name: t.report for t in scan.scan(Database(engine), settings, partner)}
    assert taken["c.xml"].inserted == 1
    assert taken["broken.xml"].file_errors[0]["reason"] == "MalformedXML"


def test_a_nul_in_a_user_name_or_a_file_name_is_501_and_the_server_goes_on(ftp_server, partners):
    partner = partners()
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", ftp_server, timeout=20)
    with pytest.raises(ftplib.error_perm, match=r"501 .*U\+0000"):
        ftp.sendcmd(f"USER {partner}\x00x")
    ftp.close()
    with connect(ftp_server, partner) as ftp:
        with pytest.raises(ftplib.error_perm, match=r"501 .*U\+0000"):
            upload(ftp, "data/granule", "a\x00b.xml", granule_file("G1"))
        with pytest.raises(ftplib.error_perm, match=r"501 .*U\+0001"):
            upload(ftp, "data/granule", "a\x01b.xml", granule_file("G1"))
        upload(ftp, "data/granule", "fine.xml", granule_file("G1"))
        assert ftp.nlst("/data/granule") == ["fine.xml"]


def _browse_record(browse_id: str, name: str, size: str) -> str:
    return (
        f"<BrowseImage><ProviderBrowseId>{browse_id}</ProviderBrowseId>"
        f"<LastUpdate>2020-01-01T00:00:00Z</LastUpdate><FileName>{name}</FileName>"
        f"<FileSize>{size}</FileSize><MimeType>image/jpeg</MimeType></BrowseImage>"
    )


def test_bad_browse_files_stop_neither_their_partners_other_files_nor_other_partners(
    ftp_server, partners, engine, settings
):
    # The first partner's scan comes first (ids sort): its bad files must not stop the second's.
    first, second = partners("HOSTILE_A"), partners("HOSTILE_B")
    long_name = "b" * 300 + ".jpg"
    strange = wrap(
        "BrowseMetaDataFile",
        {
            "BrowseImages": [
                _browse_record("B1", "q.jpg", "²"),
                _browse_record("B2", "r.jpg", str(len(JPEG))),
            ]
        },
    )
    with connect(ftp_server, first) as ftp:
        upload(ftp, "data/browse", "long.xml", browse_file(long_name, len(JPEG)))
        upload(ftp, "data/browse", "q.jpg", JPEG)
        upload(ftp, "data/browse", "r.jpg", JPEG)
        upload(ftp, "data/browse", "strange.xml", strange)
        upload(ftp, "data/collection", "c.xml", collection_file())
    with connect(ftp_server, second) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
    db = Database(engine)
    taken = {(t.provider_id, t.file_name): t.report for t in scan.scan(db, settings)}
    assert taken[(first, "c.xml")].inserted == taken[(second, "c.xml")].inserted == 1
    long_report = taken[(first, "long.xml")]
    assert long_report.file_errors[0]["reason"] == "IncompleteBrowse"
    assert "at most 255 bytes" in long_report.file_errors[0]["message"]
    strange_report = taken[(first, "strange.xml")]
    assert (strange_report.inserted, strange_report.data_errors) == (1, 1)  # B1 refused alone
    with Session(engine) as session:
        (refusal,) = session.scalars(
            select(IngestError.message).where(IngestError.report_id == strange_report.id)
        )
    assert "FileSize: '²' is not an integer" in refusal
    assert scan.scan(db, settings, first) == []  # nothing left over, nothing failing again


def test_a_partner_whose_scan_fails_stops_no_other_partner(ftp_server, partners, engine, settings):
    first, second = partners("HOSTILE_A"), partners("HOSTILE_B")
    with connect(ftp_server, first) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
    with connect(ftp_server, second) as ftp:
        upload(ftp, "data/collection", "c.xml", collection_file())
    broken = settings.dropbox_dir / first / "data" / "granule"
    broken.rmdir()
    broken.write_bytes(b"a file where the granule folder should be")  # every scan of it fails
    taken = scan.scan(Database(engine), settings)
    assert [(t.provider_id, t.file_name) for t in taken if t.provider_id in (first, second)] == [
        (second, "c.xml")
    ]
