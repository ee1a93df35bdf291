"""Browse: image files beside their XML, checked for completeness, stored, served, linked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clearinghouse.catalog.models import BrowseImage, Granule
from ingest.pipeline import ingest_file
from tests.ingest_support import add_provider, collection, granule, wrap, write

JPEG = b"\xff\xd8\xff\xe0" + b"browse-bytes" * 50


def _image(browse_id, name, size, last_update="2020-01-01T00:00:00Z", mime="image/jpeg"):
    return (
        f"<BrowseImage><ProviderBrowseId>{browse_id}</ProviderBrowseId>"
        f"<LastUpdate>{last_update}</LastUpdate><FileName>{name}</FileName>"
        f"<FileSize>{size}</FileSize><MimeType>{mime}</MimeType></BrowseImage>"
    )


@pytest.fixture
def drop(tmp_path):
    folder = tmp_path / "browse"
    folder.mkdir()
    return folder


@pytest.fixture
def ingest(db, session, settings, drop):
    add_provider(session)
    session.commit()

    def run(sections, name="b.xml", root="BrowseMetaDataFile"):
        path = write(drop, name, wrap(root, sections))
        return ingest_file(db, path, "PODAAC", browse_root=settings.home / "browse")

    return run


LINKS_B1 = (
    "<AssociatedBrowseImages><ProviderBrowseId>B1</ProviderBrowseId></AssociatedBrowseImages>"
)


def _link_b1(ingest):
    """A collection, and a granule of it naming browse B1 (images are served for records)."""
    ingest({"Collections": [collection()]}, name="c.xml", root="CollectionMetaDataFile")
    ingest({"Granules": [granule("G1", extra=LINKS_B1)]}, name="g.xml", root="GranuleMetaDataFile")


def test_images_are_stored_served_and_linked(ingest, session, client, drop):
    (drop / "a.jpg").write_bytes(JPEG)
    (drop / "b.png").write_bytes(b"png!")
    report = ingest(
        {
            "BrowseImages": [
                _image("B1", "a.jpg", len(JPEG)),
                _image("B2", "b.png", 4, mime="image/png"),
            ]
        }
    )
    assert (report.processed, report.inserted) == (2, 2), report.text
    # A granule names its browse by id: the link holds whichever arrived first.
    _link_b1(ingest)
    linked = session.execute(
        select(Granule.granule_ur, BrowseImage.file_name).join(
            BrowseImage, BrowseImage.provider_browse_id == Granule.browse_ids.any_()
        )
    ).all()
    assert linked == [("G1", "a.jpg")]
    assert session.scalar(select(Granule.browse_available)) is True

    response = client.get("/browse/PODAAC/a.jpg")
    assert response.status_code == 200
    assert response.data == JPEG and response.mimetype == "image/jpeg"
    assert client.get("/browse/PODAAC/nope.jpg").status_code == 404
    assert client.get("/browse/OTHER/a.jpg").status_code == 404
    nul = client.get("/browse/PODAAC/a%00.jpg")  # tests/fuzz: it was a 500
    assert nul.status_code == 400 and b"<Code>InvalidValue</Code>" in nul.data, nul.data
    assert b"U+0000" in nul.data
    # No record names B2: it belongs to nothing anyone may read.
    assert client.get("/browse/PODAAC/b.png").status_code == 404


@pytest.mark.parametrize(
    ("files", "size", "words"),
    [
        ({}, 10, "is not in the drop box"),
        ({"a.jpg": b"short"}, 10, "has 5 bytes, the XML says 10"),
    ],
)
def test_incomplete_browse_loads_nothing(ingest, session, drop, files, size, words):
    for name, content in files.items():
        (drop / name).write_bytes(content)
    (drop / "ok.jpg").write_bytes(JPEG)
    report = ingest(
        {"BrowseImages": [_image("B0", "ok.jpg", len(JPEG)), _image("B1", "a.jpg", size)]}
    )
    (error,) = report.file_errors
    assert error["reason"] == "IncompleteBrowse" and words in error["message"], report.text
    assert session.scalars(select(BrowseImage)).all() == []


def test_file_names_cannot_leave_the_drop_box(ingest, session, drop):
    report = ingest({"BrowseImages": [_image("B1", "../../etc/passwd", 10)]})
    assert "is not a plain file name" in report.file_errors[0]["message"]


def test_a_newer_image_replaces_the_old_and_deletes_remove(ingest, session, client, drop):
    (drop / "a.jpg").write_bytes(JPEG)
    ingest({"BrowseImages": [_image("B1", "a.jpg", len(JPEG))]})
    _link_b1(ingest)
    (drop / "a.jpg").write_bytes(b"new image")
    older = ingest({"BrowseImages": [_image("B1", "a.jpg", 9, "2019-01-01T00:00:00Z")]})
    assert older.out_of_date == 1
    assert client.get("/browse/PODAAC/a.jpg").data == JPEG
    newer = ingest({"BrowseImages": [_image("B1", "a.jpg", 9, "2021-01-01T00:00:00Z")]})
    assert newer.replaced == 1, newer.text
    assert client.get("/browse/PODAAC/a.jpg").data == b"new image"

    deletes = ingest(
        {
            "BrowseImageDeletes": [
                f"<BrowseImageDelete><ProviderBrowseId>{b}</ProviderBrowseId></BrowseImageDelete>"
                for b in ("B1", "B9")
            ]
        }
    )
    assert (deletes.deleted, deletes.delete_missing) == (1, 1), deletes.text
    assert client.get("/browse/PODAAC/a.jpg").status_code == 404


def test_browse_at_a_url_needs_no_file(ingest, session):
    image = (
        "<BrowseImage><ProviderBrowseId>U1</ProviderBrowseId><FileURL>https://example.org/u.png"
        "</FileURL></BrowseImage>"
    )
    report = ingest({"BrowseImages": [image]})
    assert report.inserted == 1, report.text
    row = session.scalar(select(BrowseImage))
    assert row.file_url == "https://example.org/u.png" and row.stored_path is None


def test_a_browse_inventory_removes_unlisted_browse_of_its_collection(ingest, session, drop):
    for name in ("a.jpg", "b.jpg"):
        (drop / name).write_bytes(JPEG)
    ingest({"BrowseImages": [_image("B1", "a.jpg", len(JPEG)), _image("B2", "b.jpg", len(JPEG))]})
    ingest({"Collections": [collection()]}, name="c.xml", root="CollectionMetaDataFile")
    names = "".join(f"<ProviderBrowseId>{b}</ProviderBrowseId>" for b in ("B1", "B2"))
    extra = f"<AssociatedBrowseImages>{names}</AssociatedBrowseImages>"
    ingest({"Granules": [granule("G1", extra=extra)]}, name="g.xml", root="GranuleMetaDataFile")
    inventory = (
        "<BrowseInventory><CollectionRef><DataSetId>DS 1</DataSetId></CollectionRef>"
        "<ProviderBrowseIds><ProviderBrowseId>B2</ProviderBrowseId></ProviderBrowseIds>"
        "</BrowseInventory>"
    )
    report = ingest({"BrowseInventories": [inventory]}, name="i.xml")
    assert report.deleted == 1, report.text
    session.expire_all()
    assert session.scalars(select(BrowseImage.provider_browse_id)).all() == ["B2"]


def test_an_image_that_is_a_link_is_refused(ingest, session, drop, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for the web")
    (drop / "a.jpg").symlink_to(secret)
    report = ingest({"BrowseImages": [_image("B1", "a.jpg", len(b"not for the web"))]})
    (error,) = report.file_errors
    assert "is a link, not a file" in error["message"], report.text
    assert session.scalars(select(BrowseImage)).all() == []
