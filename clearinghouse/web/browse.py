"""GET /browse/<provider>/<file>: the browse images partners deliver, as stored at ingest.

An image is served only to a caller who may read a collection or granule naming it, by the same
conditions catalog searches apply (``catalog.search.visible``): an image is as restricted as the
records it belongs to, and one no live record names is served to no one. An image the caller may
not see is refused exactly as a missing one is, so a refusal tells nothing of what exists.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, current_app, request, send_file
from sqlalchemy import Text, cast, exists, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from clearinghouse.accounts import sessions
from clearinghouse.accounts.sessions import Caller
from clearinghouse.api.echo import TOKEN_HEADER
from clearinghouse.catalog.models import BrowseImage, Collection, Granule
from clearinghouse.catalog.search import visible
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.errors import NotFound

blueprint = Blueprint("browse", __name__)


def _named_by_readable_record(browse_id, provider_id: str, caller: Caller):
    def naming(target: str, model):
        return exists().where(
            model.provider_id == provider_id,
            model.browse_ids != [],  # the condition of the index on browse_ids
            model.browse_ids.contains(array([cast(browse_id, Text)])),
            *visible(target, caller),
        )

    return or_(naming("collections", Collection), naming("granules", Granule))


def _readable_image(session: Session, caller: Caller, provider_id: str, name: str):
    return session.execute(
        select(BrowseImage.stored_path, BrowseImage.mime_type).where(
            BrowseImage.provider_id == provider_id,
            BrowseImage.file_name == name,
            _named_by_readable_record(BrowseImage.provider_browse_id, provider_id, caller),
        )
    ).first()


def locate(
    database: Database, settings: Settings, token: str | None, provider_id: str, name: str
) -> tuple[Path, str]:
    """The stored file of a provider's browse image the caller may see, and its media type."""
    with database.session() as session:
        caller = sessions.resolve(session, token, settings.session_timeout)
        found = _readable_image(session, caller, provider_id, name)
    root = settings.browse_dir.resolve()
    missing = NotFound(f"no browse image {name} of provider {provider_id}")
    if found is None or found.stored_path is None:
        raise missing
    path = (root / found.stored_path).resolve()
    if root not in path.parents or not path.is_file():
        raise missing
    media = found.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return path, media


@blueprint.get("/browse/<provider_id>/<name>")
def image(provider_id: str, name: str):
    from clearinghouse.web import database_of

    settings = current_app.config["SETTINGS"]
    token = request.headers.get(TOKEN_HEADER) or None
    path, media = locate(database_of(current_app), settings, token, provider_id, name)
    # Private: what one caller may see, another may not; no shared cache may keep a copy.
    response = send_file(path, mimetype=media, max_age=3600, conditional=True)
    response.cache_control.private = True
    response.vary.add(TOKEN_HEADER)
    return response
