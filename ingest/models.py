"""Ingest jobs (one per file a partner delivered) and their reports."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clearinghouse.db.base import Base, id_column, now_column, text_enum


class FileKind(enum.Enum):
    COLLECTION = "collection"
    GRANULE = "granule"
    BROWSE = "browse"
    UPDATE = "update"


class JobStatus(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"  # processed, possibly with record-level errors
    REJECTED = "rejected"  # the file as a whole was refused (not XML, DTD, wrong directory…)
    FAILED = "failed"  # our fault: an unexpected error while processing


class IngestJob(Base):
    __tablename__ = "ingest_jobs"
    __table_args__ = (
        Index(
            "ix_ingest_jobs_open",
            "provider_id",
            "id",
            postgresql_where=text("status IN ('pending', 'running')"),
        ),
    )

    id: Mapped[int] = id_column()
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(Text)
    file_kind: Mapped[FileKind | None] = mapped_column(text_enum(FileKind, "file_kind"))
    file_size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    archive_path: Mapped[str | None] = mapped_column(Text)
    #: The drop box folder the file came from (None: handed over directly, `ingest file`).
    folder: Mapped[FileKind | None] = mapped_column(text_enum(FileKind, "drop_folder"))
    status: Mapped[JobStatus] = mapped_column(
        text_enum(JobStatus, "job_status"), server_default=JobStatus.PENDING.value
    )
    worker: Mapped[str | None] = mapped_column(Text)
    batches_done: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = now_column()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class IngestReport(Base):
    """The summary report of one file (seed slide 45) or its file error report (slide 46)."""

    __tablename__ = "ingest_reports"

    id: Mapped[int] = id_column()
    job_id: Mapped[int] = mapped_column(
        ForeignKey("ingest_jobs.id", ondelete="CASCADE"), unique=True
    )
    processed: Mapped[int] = mapped_column(Integer, server_default="0")
    inserted: Mapped[int] = mapped_column(Integer, server_default="0")
    replaced: Mapped[int] = mapped_column(Integer, server_default="0")
    deleted: Mapped[int] = mapped_column(Integer, server_default="0")
    out_of_date: Mapped[int] = mapped_column(Integer, server_default="0")
    duplicated: Mapped[int] = mapped_column(Integer, server_default="0")
    invalid_spatial: Mapped[int] = mapped_column(Integer, server_default="0")
    data_errors: Mapped[int] = mapped_column(Integer, server_default="0")
    without_collection: Mapped[int] = mapped_column(Integer, server_default="0")
    delete_missing: Mapped[int] = mapped_column(Integer, server_default="0")
    file_errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    text: Mapped[str | None] = mapped_column(Text)
    xml: Mapped[str | None] = mapped_column(Text)
    #: When the report was written to the partner's reports/ folder, and mailed.
    delivered_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = now_column()


class IngestError(Base):
    """One record-level error of a report: which record, where in the file, what went wrong."""

    __tablename__ = "ingest_errors"

    id: Mapped[int] = id_column()
    report_id: Mapped[int] = mapped_column(
        ForeignKey("ingest_reports.id", ondelete="CASCADE"), index=True
    )
    record_id: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)


class InventoryEntry(Base):
    """A reference an inventory in a file lists, kept until the inventory ends; committed batch by
    batch, so that an inventory of millions resumes after a crash like any other section."""

    __tablename__ = "ingest_inventory_entries"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("ingest_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    inventory: Mapped[int] = mapped_column(Integer, primary_key=True)  # its number in the file
    key: Mapped[str] = mapped_column(Text, primary_key=True)


class InstallationStep(Base):
    """One-time steps of an installation (loading the demo data set), done once per database."""

    __tablename__ = "installation_steps"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    done_at: Mapped[datetime] = now_column()
