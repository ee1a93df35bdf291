"""The demo data set: the files are what `python -m demo.make` writes, and they load through the
drop boxes, once, with no error in any report."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

import demo
from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from clearinghouse.config import Settings
from clearinghouse.db import Database
from demo.make import HERE, files
from ingest import demo as loader
from ingest import scan
from tests.conftest import scratch_dir


def test_the_files_are_what_the_generator_writes():
    made = files()
    on_disk = {
        str(p.relative_to(HERE)): p.read_bytes()
        for p in HERE.rglob("*")
        if p.is_file() and p.parent != HERE and "__pycache__" not in p.parts
    }
    assert on_disk.keys() == made.keys()
    for name, content in made.items():
        assert on_disk[name] == content, f"{name}: run python -m demo.make"


@pytest.fixture
def fresh(database_url):
    engine = create_engine(database_url)
    yield Database(engine), Settings(home=scratch_dir("clearinghouse-demo-"))
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM providers WHERE provider_id = ANY(:ids)"),
            {"ids": list(demo.PARTNERS)},
        )
        conn.execute(text("DELETE FROM installation_steps WHERE name = :n"), {"n": loader.STEP})
    engine.dispose()


def test_the_demo_loads_once_through_the_drop_boxes(fresh):
    db, settings = fresh
    assert loader.load(db, settings) is True
    passwords = (settings.home / loader.PASSWORDS).read_text().split()
    assert passwords[0::2] == list(demo.PARTNERS)
    assert oct((settings.home / loader.PASSWORDS).stat().st_mode)[-3:] == "600"

    taken = scan.scan(db, settings)
    assert sorted(t.file_name for t in taken if t.provider_id == "DEMO_SAT") == [
        "browse.xml",
        "collections.xml",
        "grids.xml",
        "swaths.xml",
    ]
    for item in taken:
        report = item.report
        assert not report.file_errors and report.processed == report.inserted, report.text
    with db.session() as session:

        def count(model, provider):
            return session.scalar(
                select(func.count()).select_from(model).where(model.provider_id == provider)
            )

        assert (count(Collection, "DEMO_SAT"), count(Granule, "DEMO_SAT")) == (2, 31)
        assert (count(Collection, "DEMO_FIELD"), count(Granule, "DEMO_FIELD")) == (2, 13)
        assert count(BrowseImage, "DEMO_SAT") == 4
        systems = set(session.scalars(select(Collection.spatial_representation)))
        assert {s.value for s in systems} >= {"GEODETIC", "CARTESIAN"}

    assert loader.load(db, settings) is False  # once
    assert scan.scan(db, settings) == []
