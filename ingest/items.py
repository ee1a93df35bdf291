"""What a job's work is about: the job itself, known once before its first record, and the item
each record becomes on its way to the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest import records
from ingest.models import FileKind


@dataclass(frozen=True)
class Job:
    """An ingest job as its work needs it: built once, then only read (worker processes too)."""

    id: int
    provider_id: str
    path: Path
    #: The drop box folder the file came from (None: handed over directly).
    folder: FileKind | None
    #: Batches an earlier, interrupted run of the job committed: they are not applied again.
    batches_done: int = 0


@dataclass
class Item:
    """A record as the batch keeps it: its place, its identity, its row or why it has none."""

    line: int
    identifier: str | None
    key: tuple | None = None
    row: dict[str, Any] | None = None
    category: str | None = None  # set when the record goes no further
    message: str | None = None


def identifier(element) -> str | None:
    for path in ("GranuleUR", "ProviderBrowseId", "Targets/Target/GranuleUR"):
        value = records.text(element, path)
        if value:
            return value
    short, version = records.text(element, "ShortName"), records.text(element, "VersionId")
    if short:
        return f"{short} {version}" if version else short
    return records.text(element, "DataSetId") or records.text(element, "EntryId")
