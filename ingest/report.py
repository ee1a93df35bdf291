"""The ingest reports (seed slides 45 and 46), rendered once as plain text and once as XML."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ingest.models import IngestError, IngestJob, IngestReport

#: The summary report's counters, in the seed's order, with their wording.
LINES = (
    ("processed", "Records processed"),
    ("inserted", "Records inserted"),
    ("replaced", "Records replaced"),
    ("deleted", "Records deleted"),
    ("out_of_date", "Records out of date (not newer than the catalog's copy)"),
    ("duplicated", "Records duplicated in the file"),
    ("invalid_spatial", "Records with invalid spatial data"),
    ("data_errors", "Records ignored for data errors"),
    ("without_collection", "Records without an associated collection"),
    ("delete_missing", "Deletes of records that did not exist"),
)


def as_text(job: IngestJob, report: IngestReport, errors: Sequence[IngestError]) -> str:
    out = [
        f"Ingest report for provider {job.provider_id}, job {job.id}",
        f"File received: {job.file_name} ({job.file_size:,} bytes)",
        f"Status: {job.status.value}",
    ]
    if report.file_errors:
        out.append("")
        out.append("File errors:")
        for error in report.file_errors:
            where = f"line {error['line']}: " if error.get("line") else ""
            out.append(f"  {error['reason']}: {where}{error['message']}")
    out.append("")
    width = max(len(label) for _, label in LINES)
    for name, label in LINES:
        out.append(f"{label:<{width}}  {getattr(report, name):>9,}")
    if errors:
        out.append("")
        out.append("Errors:")
        for error in errors:
            record = f" [{error.record_id}]" if error.record_id else ""
            out.append(f"  {error.category}{record}: {error.message}")
    return "\n".join(out) + "\n"


def as_xml(job: IngestJob, report: IngestReport, errors: Sequence[IngestError]) -> str:
    root = etree.Element("IngestReport", provider=job.provider_id, job=str(job.id))
    etree.SubElement(root, "Status").text = job.status.value
    received = etree.SubElement(root, "FileReceived")
    etree.SubElement(received, "Name").text = job.file_name
    etree.SubElement(received, "Size").text = str(job.file_size)
    if report.file_errors:
        file_errors = etree.SubElement(root, "FileErrors")
        for error in report.file_errors:
            node = etree.SubElement(file_errors, "FileError", reason=error["reason"])
            if error.get("line"):
                node.set("line", str(error["line"]))
            node.text = error["message"]
    counts = etree.SubElement(root, "Counts")
    for name, _ in LINES:
        etree.SubElement(counts, _camel(name)).text = str(getattr(report, name))
    listed = etree.SubElement(root, "Errors")
    for error in errors:
        node = etree.SubElement(listed, "Error", category=error.category)
        if error.record_id:
            node.set("record", error.record_id)
        if error.line:
            node.set("line", str(error.line))
        node.text = error.message
    return etree.tostring(root, encoding="unicode", pretty_print=True)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
