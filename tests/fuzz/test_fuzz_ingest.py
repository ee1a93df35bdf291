"""Ingest files, fuzzed: every section kind of the three file kinds, the record sections seeded
with the real ECHO 10 records (samples/echo10 and samples/echo10-corpus) and the others drawn
from the ingest DTDs, then mutated as trees and bytes. Whatever the file, ingest_file returns
a report, the job ends (done or rejected), and the catalog changed by what the report counts:
nothing half-written."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from ingest.models import IngestJob, IngestReport, JobStatus
from ingest.pipeline import ingest_file
from ingest.reader import LAYOUTS
from tests.api_support import provider
from tests.conftest import SHARED
from tests.fuzz.budget import budget
from tests.fuzz.dtdgen import element
from tests.fuzz.hostile import mutated_bytes, mutated_tree

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
MODELS = {
    "CollectionMetaDataFile": Collection,
    "GranuleMetaDataFile": Granule,
    "BrowseMetaDataFile": BrowseImage,
}


@functools.cache
def records() -> dict[str, list[bytes]]:
    """The real records, by root element (Collection, Granule)."""
    out: dict[str, list[bytes]] = {"Collection": [], "Granule": []}
    for folder in ("echo10", "echo10-corpus"):
        for path in sorted((SHARED / "samples" / folder).glob("*.xml")):
            root = etree.parse(str(path)).getroot()
            if root.tag in out:
                out[root.tag].append(etree.tostring(root))
    return out


def _known() -> dict[str, list[str]]:
    """Names the real records use, so that deletes, partial edits and inventories meet them."""
    known: dict[str, set[str]] = {}
    for blobs in records().values():
        for blob in blobs[:40]:
            root = etree.fromstring(blob)
            for tag in ("GranuleUR", "ShortName", "VersionId", "DataSetId", "EntryId"):
                known.setdefault(tag, set())
                found = root.find(f".//{tag}")
                if found is not None and found.text:
                    known[tag].add(found.text)
    out = {tag: sorted(values) for tag, values in known.items()}
    out.update(
        FileName=["b1.png", "missing.png"],
        FileSize=[str(len(PNG)), "0", "1"],
        ProviderBrowseId=["B1", "B2"],
        MimeType=["image/png"],
    )
    return out


@st.composite
def ingest_file_bytes(draw, known) -> tuple[str, bytes]:
    root = draw(st.sampled_from(sorted(LAYOUTS)))
    _, dtd_name, sections = LAYOUTS[root]
    document = etree.Element(root)
    chosen = draw(st.lists(st.sampled_from(list(sections)), min_size=1, max_size=3, unique=True))
    for section in [s for s in sections if s in chosen]:  # in the DTD's order
        record = sections[section][1]
        if section in (
            "Collections",
            "Granules",
            "CollectionVerifications",
            "GranuleVerifications",
        ):
            holder = etree.SubElement(document, section)
            blobs = draw(st.lists(st.sampled_from(records()[record]), min_size=1, max_size=4))
            holder.extend(etree.fromstring(blob) for blob in blobs)
        else:
            document.append(draw(element(dtd_name, section, known)))
    document = draw(mutated_tree(document, known))
    content = etree.tostring(document, encoding="UTF-8", xml_declaration=True)
    return root, draw(mutated_bytes(content))


def _live(session, model) -> int:
    query = select(func.count()).select_from(model).where(model.provider_id == "FUZZI")
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return session.scalar(query)


@pytest.fixture
def known(session, tmp_path):
    provider(session, "FUZZI")
    return _known()


@budget(50)
@given(data=st.data())
def test_ingest_files_never_crash_nor_half_write(db, session, tmp_path, known, data):
    root, content = data.draw(ingest_file_bytes(known), label="file")
    folder = tmp_path / f"drop{data.draw(st.integers(0, 10**9))}"
    folder.mkdir(exist_ok=True)
    (folder / "b1.png").write_bytes(PNG)
    path = folder / "file.xml"
    path.write_bytes(content)
    model = MODELS[root]
    before = _live(session, model)
    report = ingest_file(db, path, "FUZZI", browse_root=tmp_path / "browse")
    session.expire_all()
    job = session.get(IngestJob, report.job_id)
    assert job.status in (JobStatus.DONE, JobStatus.REJECTED), job.status
    stored = session.get(IngestReport, report.id)
    assert stored is not None and stored.text
    # A deleted record sent again comes back to life but is counted as replaced (ingest/load.py):
    # between the two counts, and nothing outside them.
    grown = _live(session, model) - before
    low = stored.inserted - stored.deleted
    assert low <= grown <= low + stored.replaced, stored.text
