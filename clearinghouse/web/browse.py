"""GET /browse/<provider>/<file>: the browse images partners deliver, as stored at ingest."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, current_app, send_file
from sqlalchemy import select

from clearinghouse.catalog.models import BrowseImage
from clearinghouse.db import Database
from clearinghouse.errors import NotFound

blueprint = Blueprint("browse", __name__)


def locate(database: Database, home: Path, provider_id: str, name: str) -> tuple[Path, str]:
    """The stored file of a provider's browse image, and its media type."""
    if "\x00" in provider_id + name:  # no image is named so, and PostgreSQL text cannot ask
        raise NotFound(f"no browse image {name!r} of provider {provider_id!r}")
    with database.session() as session:
        found = session.execute(
            select(BrowseImage.stored_path, BrowseImage.mime_type).where(
                BrowseImage.provider_id == provider_id, BrowseImage.file_name == name
            )
        ).first()
    root = (home / "browse").resolve()
    if found is None or found.stored_path is None:
        raise NotFound(f"no browse image {name} of provider {provider_id}")
    path = (root / found.stored_path).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(f"no browse image {name} of provider {provider_id}")
    media = found.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return path, media


@blueprint.get("/browse/<provider_id>/<name>")
def image(provider_id: str, name: str):
    from clearinghouse.web import database_of

    path, media = locate(
        database_of(current_app), current_app.config["SETTINGS"].home, provider_id, name
    )
    return send_file(path, mimetype=media, max_age=3600, conditional=True)
