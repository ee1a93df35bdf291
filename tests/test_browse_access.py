"""GET /browse/…: an image is served only to callers who may read a record naming it; to anyone
else it is missing, byte for byte the same answer as an image that does not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ingest.pipeline import ingest_file
from tests.api_support import act_for, login, provider, share_with_group, user
from tests.ingest_support import collection, granule, wrap, write

SECRET = b"\xff\xd8\xff\xe0" + b"restricted granule's image" * 20
OPEN = b"\xff\xd8\xff\xe0" + b"open granule's image" * 20
COVER = b"\x89PNG\r\n\x1a\n" + b"restricted collection's image" * 20


def _names(*browse_ids: str) -> str:
    ids = "".join(f"<ProviderBrowseId>{b}</ProviderBrowseId>" for b in browse_ids)
    return f"<AssociatedBrowseImages>{ids}</AssociatedBrowseImages>"


def _image(browse_id: str, name: str, content: bytes) -> str:
    return (
        f"<BrowseImage><ProviderBrowseId>{browse_id}</ProviderBrowseId>"
        f"<LastUpdate>2020-01-01T00:00:00Z</LastUpdate><FileName>{name}</FileName>"
        f"<FileSize>{len(content)}</FileSize><MimeType>image/jpeg</MimeType></BrowseImage>"
    )


@pytest.fixture
def browse(db, session, client, settings, tmp_path):
    """ORNL: DS 1 (readable by group "team" only, member in it) has granule G1 with s.jpg and its
    own image c.png; DS 2 (open) has G2 with o.jpg."""
    provider(session, "ORNL")
    images = {"s.jpg": ("B1", SECRET), "o.jpg": ("B2", OPEN), "c.png": ("B3", COVER)}
    for name, (_, content) in images.items():
        (tmp_path / name).write_bytes(content)
    files = [
        (
            "CollectionMetaDataFile",
            "Collections",
            [
                collection("C1", dataset="DS 1").replace(
                    "</Collection>", f"{_names('B3')}</Collection>"
                ),
                collection("C2", dataset="DS 2"),
            ],
        ),
        (
            "GranuleMetaDataFile",
            "Granules",
            [
                granule("G1", dataset="DS 1", extra=_names("B1")),
                granule("G2", dataset="DS 2", extra=_names("B2")),
            ],
        ),
        (
            "BrowseMetaDataFile",
            "BrowseImages",
            [_image(browse_id, name, content) for name, (browse_id, content) in images.items()],
        ),
    ]
    for number, (root, section, records) in enumerate(files):
        path = write(tmp_path, f"{number}.xml", wrap(root, {section: records}))
        report = ingest_file(db, path, "ORNL", browse_root=settings.browse_dir)
        assert report.inserted == len(records), report.text
    user(session, "partner", providers=["ORNL"])
    user(session, "member")
    user(session, "outsider")
    user(session, "root", admin=True)
    partner = login(client, "partner")
    act_for(client, partner, "ORNL")
    share_with_group(client, partner, "DS 1", group="team", member="member")
    return partner


def _get(client, name: str, token: str | None = None, provider_id: str = "ORNL"):
    headers = {"Echo-Token": token} if token else {}
    return client.get(f"/browse/{provider_id}/{name}", headers=headers)


def test_a_restricted_image_is_missing_to_those_who_may_not_read_its_records(client, browse):
    missing = _get(client, "never-delivered.jpg")
    assert missing.status_code == 404
    for token in (None, login(client, "outsider")):
        for name in ("s.jpg", "c.png"):  # a granule's image, a collection's image
            refused = _get(client, name, token)
            assert refused.status_code == 404
            assert refused.data == missing.data.replace(b"never-delivered.jpg", name.encode())
            assert refused.headers.get("Content-Type") == missing.headers.get("Content-Type")
        assert _get(client, "o.jpg", token).data == OPEN  # an open granule's image


@pytest.mark.parametrize("who", ["member", "partner", "root"])
def test_an_image_is_served_to_those_who_may_read_its_records(client, browse, who):
    token = browse if who == "partner" else login(client, who)
    for name, content in (("s.jpg", SECRET), ("c.png", COVER)):
        response = _get(client, name, token)
        assert response.status_code == 200 and response.data == content
        assert "private" in response.headers["Cache-Control"]  # never from a shared cache


def test_an_image_of_deleted_records_only_is_served_to_no_one(client, session, browse):
    session.execute(text("UPDATE granules SET deleted_at = now() WHERE granule_ur = 'G2'"))
    session.commit()
    assert _get(client, "o.jpg").status_code == 404
    assert _get(client, "o.jpg", login(client, "root")).status_code == 404
