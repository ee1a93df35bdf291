"""The scheduler's process runs other parts' periodic work as jobs handed in where the process is
assembled (``clearinghouse.components``): the hourly housekeeping, and a failing job neither stops
the scheduler nor goes unlogged."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import text

from clearinghouse.components import scheduler_jobs
from ingest.scheduler import Job, Scheduler


def test_the_scheduler_process_runs_the_housekeeping_every_hour(db, session, settings):
    scheduler = Scheduler(db, settings, scheduler_jobs(db, settings))
    scheduler.plan()
    planned = {job.id: job for job in scheduler.aps.get_jobs()}
    assert planned["tidy"].trigger.interval == timedelta(hours=1)

    old = "INSERT INTO login_attempts (username, succeeded, at) VALUES ('old', false, %s)"
    session.execute(text(old % "now() - interval '31 days'"))
    session.commit()
    planned["tidy"].func(*planned["tidy"].args)
    left = session.execute(text("SELECT count(*) FROM login_attempts WHERE username = 'old'"))
    assert left.scalar_one() == 0


def test_a_failing_job_is_logged_and_does_not_stop_the_scheduler(caplog):
    def broken() -> None:
        raise RuntimeError("the disk is on fire")

    job = Job("broken", broken, timedelta(minutes=5), "the broken job failed; it runs again")
    with caplog.at_level(logging.ERROR, logger="ingest.scheduler"):
        Scheduler.run_job(job)
    assert "the broken job failed; it runs again" in caplog.text
    assert "the disk is on fire" in caplog.text
