"""A report reaches its partner: written to the partner's reports/ folder (readable over FTP) and,
when a mail server is configured, mailed to the partner's address (seed slides 45–46). What could
not be delivered is tried again at the next scan."""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import and_, func, or_, select

from clearinghouse.accounts.models import Provider
from clearinghouse.config import Settings
from clearinghouse.db import Database
from ingest import dropbox
from ingest.models import IngestJob, IngestReport, JobStatus

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 20
MAIL_RETRY_FOR = timedelta(days=7)


def report_name(job: IngestJob) -> str:
    return f"{job.file_name}.{job.id}.report"


def write(settings: Settings, job: IngestJob, report: IngestReport) -> Path:
    folder = dropbox.ensure(settings.dropbox_dir, job.provider_id) / dropbox.REPORTS
    target = folder / f"{report_name(job)}.txt"
    for suffix, content in ((".txt", report.text or ""), (".xml", report.xml or "")):
        path = folder / f"{report_name(job)}{suffix}"
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, path)  # a partner never reads half a report
    return target


def message(job: IngestJob, report: IngestReport, to: str) -> EmailMessage:
    mail = EmailMessage()
    outcome = {JobStatus.DONE: "processed", JobStatus.REJECTED: "rejected"}.get(
        job.status, job.status.value
    )
    mail["Subject"] = f"Ingest report for {job.provider_id}: {job.file_name} {outcome}"
    mail["From"] = f"clearinghouse@{socket.getfqdn()}"
    mail["To"] = to
    mail.set_content(report.text or "")
    mail.add_attachment(
        (report.xml or "").encode("utf-8"),
        maintype="application",
        subtype="xml",
        filename=f"{report_name(job)}.xml",
    )
    return mail


def send(smtp_url: str, mail: EmailMessage) -> None:
    parts = urlsplit(smtp_url)
    secure = parts.scheme == "smtps"
    connect = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with connect(
        parts.hostname, parts.port or (465 if secure else 25), timeout=SMTP_TIMEOUT
    ) as smtp:
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mail)


def deliver(db: Database, settings: Settings, job_id: int) -> None:
    """Write the job's report to reports/ and mail it, each unless already done."""
    with db.session() as session:
        job = session.get(IngestJob, job_id)
        report = session.scalar(select(IngestReport).where(IngestReport.job_id == job_id))
        if report.delivered_at is None:
            write(settings, job, report)
            report.delivered_at = datetime.now(UTC)
        if settings.smtp_url and report.mailed_at is None:
            to = session.get(Provider, job.provider_id).contact_email
            try:
                send(settings.smtp_url, message(job, report, to))
            except (OSError, smtplib.SMTPException) as exc:
                log.warning(
                    "report of job %s not mailed to %s (next scan retries): %s", job_id, to, exc
                )
            else:
                report.mailed_at = datetime.now(UTC)


def undelivered(db: Database, settings: Settings, provider_id: str) -> list[int]:
    """Finished drop box jobs of a provider whose report is not yet written or mailed."""
    pending = [IngestReport.delivered_at.is_(None)]
    if settings.smtp_url:  # mail is retried for a week, not sent for reports older than that
        pending.append(
            and_(
                IngestReport.mailed_at.is_(None),
                IngestReport.created_at > func.now() - MAIL_RETRY_FOR,
            )
        )
    with db.session() as session:
        return list(
            session.scalars(
                select(IngestJob.id)
                .join(IngestReport, IngestReport.job_id == IngestJob.id)
                .where(
                    IngestJob.provider_id == provider_id,
                    IngestJob.folder.is_not(None),
                    IngestJob.status.in_([JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED]),
                    or_(*pending),
                )
                .order_by(IngestJob.id)
            )
        )
