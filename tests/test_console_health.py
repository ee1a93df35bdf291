"""The operators' health of the parts that answer no request: the ingest scheduler and the broker
worker record heartbeats (``clearinghouse.db.heartbeats``), which the console's operator page
reads. The real scheduler and worker run here, on a real PostGIS."""

from __future__ import annotations

import dataclasses
import time

import pytest
from lxml import html
from sqlalchemy import delete, select, text

from broker.dispatch import COMPONENT as WORKER
from broker.dispatch import Worker
from clearinghouse.db.heartbeats import Heartbeat, instance
from clearinghouse.web import create_app
from ingest.scheduler import COMPONENT as SCHEDULER
from ingest.scheduler import Scheduler
from tests.console_support import console_site
from tests.test_console import _login

BOUND = 30.0  # seconds a part may take to record its first beat (a bound, not a measurement)


@pytest.fixture(scope="module")
def site(database_url):
    with console_site(database_url, endpoint="http://127.0.0.1:9/orders") as site:
        yield site


@pytest.fixture
def operator(site):
    with site.db.session() as session:
        session.execute(delete(Heartbeat))
    client = create_app({"SETTINGS": site.settings, "DATABASE": site.db}).test_client()
    _login(client, site.admin)
    return client


def _health(client) -> dict[str, tuple[str, str]]:
    page = html.fromstring(client.get("/operator").data)
    return {
        li.findtext("strong"): (li.get("class"), li.text_content())
        for li in page.xpath("//ul[@class='health']/li")
    }


def _beat(site, component: str, *, passed: bool = False) -> Heartbeat:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        with site.db.session() as session:
            row = session.scalar(
                select(Heartbeat).where(
                    Heartbeat.component == component, Heartbeat.instance == instance()
                )
            )
            if row is not None and (row.pass_at is not None or not passed):
                session.expunge(row)
                return row
        time.sleep(0.05)
    pytest.fail(f"{component} recorded no heartbeat within {BOUND} s")


def test_without_heartbeats_the_scheduler_and_worker_are_shown_down(operator):
    health = _health(operator)
    for name in (SCHEDULER, WORKER):
        state, shown = health[name]
        assert state == "bad" and "no heartbeat ever recorded" in shown


def test_a_running_scheduler_is_shown_up_with_its_last_full_scan(operator, site, tmp_path):
    # Its own empty home: its scans find no drop box, so they take nothing of the other tests'.
    scheduler = Scheduler(site.db, dataclasses.replace(site.settings, home=tmp_path))
    scheduler.start()
    try:
        row = _beat(site, SCHEDULER, passed=True)
    finally:
        scheduler.stop()
    state, shown = _health(operator)[SCHEDULER]
    assert state == "ok", shown
    assert "1 running" in shown and "last full scan" in shown
    assert f"scanning every {site.settings.ingest_interval} s" in shown
    assert row.beat_at >= row.started_at
    # Silent for an hour: down, naming when and where it was last heard of.
    with site.db.session() as session:
        session.execute(text("UPDATE heartbeats SET beat_at = now() - interval '1 hour'"))
    state, shown = _health(operator)[SCHEDULER]
    assert state == "bad" and "silent since" in shown and instance() in shown


def test_a_running_worker_is_shown_up(operator, site):
    worker = Worker(site.db, site.settings, concurrency=1)
    threads = worker.start(listening=False)
    try:
        _beat(site, WORKER)
    finally:
        worker.stop(threads)
    state, shown = _health(operator)[WORKER]
    assert state == "ok", shown
    assert "1 dispatch threads" in shown
