"""Loading the demo data set (``demo/``) once per database, through the drop boxes: the partners
are registered (with FTP passwords of their own, written to ``$CLEARINGHOUSE_HOME``), their files
are put in their drop boxes, and the scheduler ingests them like any upload."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from importlib.resources import as_file

import demo
from clearinghouse.accounts.models import Provider
from clearinghouse.accounts.services import add_provider
from clearinghouse.config import Settings
from clearinghouse.db import Database
from ingest import dropbox, signals
from ingest.models import InstallationStep

log = logging.getLogger(__name__)

STEP = "demo data set"
PASSWORDS = "demo-ftp-passwords.txt"


def loaded(db: Database) -> bool:
    with db.session() as session:
        return session.get(InstallationStep, STEP) is not None


def load(db: Database, settings: Settings) -> bool:
    """Load the demo data set unless it was loaded before; whether it was loaded now."""
    if loaded(db):
        return False
    for provider_id in demo.PARTNERS:
        _drop(settings, provider_id)
    passwords = {}
    with db.session() as session:
        for provider_id, (name, email) in demo.PARTNERS.items():
            if session.get(Provider, provider_id) is None:
                passwords[provider_id] = secrets.token_urlsafe(12)
                add_provider(
                    session,
                    provider_id,
                    email=email,
                    name=name,
                    ftp_password=passwords[provider_id],
                )
            signals.request_scan(session, provider_id)
        session.add(InstallationStep(name=STEP))
    _write_passwords(settings, passwords)
    log.info("demo data set placed in the drop boxes of %s", ", ".join(demo.PARTNERS))
    return True


def _drop(settings: Settings, provider_id: str) -> None:
    home = dropbox.ensure(settings.dropbox_dir, provider_id)
    with as_file(demo.folder(provider_id)) as source:
        for kind, folder in dropbox.FOLDERS.items():
            if not (source / kind.value).is_dir():
                continue
            # Images first: a browse file is taken only once its images are all there.
            names = sorted((source / kind.value).iterdir(), key=lambda p: p.suffix == ".xml")
            for path in names:
                target = home / folder / path.name
                partial = target.with_name(f".{path.name}.partial")  # hidden: never scanned
                shutil.copyfile(path, partial)
                os.replace(partial, target)


def _write_passwords(settings: Settings, passwords: dict[str, str]) -> None:
    if not passwords:
        return
    path = settings.home / PASSWORDS
    settings.home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as out:
        for provider_id, password in passwords.items():
            out.write(f"{provider_id} {password}\n")
