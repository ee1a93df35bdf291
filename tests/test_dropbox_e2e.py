"""End to end, as a partner lives it: `clearinghouse up` against the test database, a partner
uploading with ftplib, a real SMTP server receiving the reports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import create_engine, select

from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from ingest.models import IngestJob, IngestReport, JobStatus
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


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def system(database_url, mailbox):
    """`clearinghouse up` on the test database; the scheduled scan is far off (300 s), so only the
    upload signals can make files arrive within seconds."""
    home = scratch_dir("clearinghouse-e2e-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
    env.update(
        CLEARINGHOUSE_DATABASE_URL=database_url,
        CLEARINGHOUSE_HOME=str(home),
        CLEARINGHOUSE_HTTP=f"127.0.0.1:{ephemeral_port()}",
        CLEARINGHOUSE_FTP=f"127.0.0.1:{ephemeral_port()}",
        CLEARINGHOUSE_SMTP_URL=mailbox.url,
        CLEARINGHOUSE_INGEST_INTERVAL="300",
        CLEARINGHOUSE_DEMO="0",
        CLEARINGHOUSE_HTTP_WORKERS="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "clearinghouse", "up"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            with urllib.request.urlopen(f"http://{env['CLEARINGHOUSE_HTTP']}/health", timeout=2):
                break
        except OSError:
            assert time.monotonic() < deadline, "the system did not come up"
            time.sleep(0.3)
    time.sleep(1.0)  # the FTP server and the scheduler start beside the API
    yield env, home
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def _wait(what, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("not within the time")


def test_upload_to_searchable_report_and_mail(system, database_url, mailbox):
    env, home = system
    partner = new_partner(database_url, "E2E")
    engine = create_engine(database_url)
    try:
        ftp_port = int(env["CLEARINGHOUSE_FTP"].rsplit(":", 1)[1])
        with connect(ftp_port, partner) as ftp:
            assert sorted(ftp.nlst("/data")) == ["browse", "collection", "granule"]
            started = time.monotonic()
            upload(ftp, "data/collection", "collections.xml", collection_file())
            named = "<AssociatedBrowseImages><ProviderBrowseId>B1</ProviderBrowseId>"
            named += "</AssociatedBrowseImages>"  # images are served for the records naming them
            upload(ftp, "data/granule", "granules.xml", granule_file("G1", "G2", "G3", extra=named))
            upload(ftp, "data/browse", "browse.xml", browse_file("quicklook.jpg", len(JPEG)))
            upload(ftp, "data/browse", "quicklook.jpg", JPEG)  # the XML waited for its image

        def catalog():
            with engine.connect() as conn:
                granules = (
                    conn.execute(select(Granule.granule_ur).where(Granule.provider_id == partner))
                    .scalars()
                    .all()
                )
                images = (
                    conn.execute(
                        select(BrowseImage.file_name).where(BrowseImage.provider_id == partner)
                    )
                    .scalars()
                    .all()
                )
            return sorted(granules) == ["G1", "G2", "G3"] and images == ["quicklook.jpg"]

        _wait(catalog)
        elapsed = time.monotonic() - started
        assert elapsed < 20, f"searchable after {elapsed:.1f} s"
        with engine.connect() as conn:
            assert (
                conn.execute(
                    select(Collection.dataset_id).where(Collection.provider_id == partner)
                ).scalar()
                == "DS 1"
            )

        with urllib.request.urlopen(
            f"http://{env['CLEARINGHOUSE_HTTP']}/browse/{partner}/quicklook.jpg", timeout=5
        ) as image:
            assert image.read() == JPEG

        # Reports: in the database, in reports/ over FTP, in the mailbox.
        def reports():
            with engine.connect() as conn:
                rows = conn.execute(
                    select(
                        IngestJob.file_name,
                        IngestJob.status,
                        IngestReport.delivered_at,
                        IngestReport.mailed_at,
                        IngestReport.text,
                    )
                    .join(IngestReport, IngestReport.job_id == IngestJob.id)
                    .where(IngestJob.provider_id == partner)
                ).all()
            done = [r for r in rows if r.mailed_at is not None and r.delivered_at is not None]
            return rows if len(done) == 3 else None

        rows = _wait(reports)
        assert {r.file_name for r in rows} == {"collections.xml", "granules.xml", "browse.xml"}
        assert {r.status for r in rows} == {JobStatus.DONE}
        granule_report = next(r.text for r in rows if r.file_name == "granules.xml")
        assert "Records inserted" in granule_report

        with connect(ftp_port, partner) as ftp:
            names = sorted(ftp.nlst("/reports"))
            assert len(names) == 6  # text and XML of each
            name = next(n for n in names if "granules.xml" in n and n.endswith(".txt"))
            text = read(ftp, f"/reports/{name}")
            assert text.decode() == granule_report
            for folder in ("collection", "granule", "browse"):
                assert ftp.nlst(f"/data/{folder}") == []  # taken to the archive
        archived = sorted(p.name for p in (home / "archive" / partner).rglob("*") if p.is_file())
        assert archived == ["browse.xml", "collections.xml", "granules.xml", "quicklook.jpg"]

        _wait(lambda: len(mailbox.messages) >= 3)
        mails = [m for to, m in mailbox.messages if to == [f"ops@{partner.lower()}.example.org"]]
        assert len(mails) == 3
        subjects = sorted(m["Subject"] for m in mails)
        assert all(partner in s and "processed" in s for s in subjects)
        body = next(m for m in mails if "granules.xml" in m["Subject"])
        mailed = body.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert mailed.strip() == granule_report.strip()
    finally:
        engine.dispose()
        forget_partner(database_url, partner)
