"""Worker processes check and prepare the records of big files: the catalog and the report come
out exactly as when everything runs in one process."""

from __future__ import annotations

from sqlalchemy import create_engine, select, text

from clearinghouse.catalog.models import Granule
from clearinghouse.db import Database
from ingest.models import IngestError
from ingest.pipeline import ingest_file
from tests.ingest_support import collection, granule, polygon, wrap

PROVIDERS = ("WORKERS1", "WORKERS2")
OURS = ("id", "provider_id", "collection_id", "created_at", "updated_at", "last_job_id")
COLUMNS = [c for c in Granule.__table__.columns.keys() if c not in OURS]  # noqa: SIM118


def _file(n: int) -> bytes:
    records = []
    for k in range(n):
        if k % 97 == 5:
            records.append(granule(f"G{k}", last_update="not a date"))
        elif k % 89 == 7:
            records.append(granule(f"G{k}", extra=polygon([(0, 0), (10, 10), (10, 0), (0, 10)])))
        else:
            square = polygon([(k % 170, 1), (k % 170, 2), (k % 170 + 1, 2), (k % 170 + 1, 1)])
            records.append(granule(f"G{k}", extra=square))
    records.append(granule("G3"))  # a duplicate
    return wrap("GranuleMetaDataFile", {"Granules": records})


def test_workers_give_the_same_catalog_and_report(database_url, tmp_path):
    engine = create_engine(database_url)
    db = Database(engine)
    content = _file(700)
    try:
        with engine.begin() as conn:
            for provider in PROVIDERS:
                conn.execute(
                    text(
                        "INSERT INTO providers (provider_id, contact_email)"
                        " VALUES (:p, 'w@example.org')"
                    ),
                    {"p": provider},
                )
        reports = {}
        for provider, workers in zip(PROVIDERS, (1, 2), strict=True):
            folder = tmp_path / provider
            folder.mkdir()
            (folder / "c.xml").write_bytes(
                wrap("CollectionMetaDataFile", {"Collections": [collection()]})
            )
            ingest_file(db, folder / "c.xml", provider)
            (folder / "g.xml").write_bytes(content)
            reports[provider] = ingest_file(
                db, folder / "g.xml", provider, workers=workers, batch_size=300
            )
        one, two = (reports[p] for p in PROVIDERS)
        assert one.inserted == 700 - 8 - 8 and one.duplicated == 1, one.text
        assert one.text.split("\n", 2)[2] == two.text.split("\n", 2)[2]  # all but the header
        with engine.connect() as conn:
            rows = {}
            errors = {}
            for provider, report in reports.items():
                rows[provider] = conn.execute(
                    select(*(Granule.__table__.c[c] for c in COLUMNS))
                    .where(Granule.provider_id == provider)
                    .order_by(Granule.granule_ur)
                ).all()
                errors[provider] = conn.execute(
                    select(IngestError.record_id, IngestError.line, IngestError.message)
                    .where(IngestError.report_id == report.id)
                    .order_by(IngestError.line)
                ).all()
        for a, b in zip(rows[PROVIDERS[0]], rows[PROVIDERS[1]], strict=True):
            assert a == b, [c for c, x, y in zip(COLUMNS, a, b, strict=True) if x != y]
        assert errors[PROVIDERS[0]] == errors[PROVIDERS[1]]
        assert any("not a date" in message for _, _, message in errors[PROVIDERS[1]])
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM providers WHERE provider_id = ANY(:p)"), {"p": list(PROVIDERS)}
            )
        engine.dispose()
