"""Drop box tests' parts: a real SMTP server (aiosmtpd), partners with FTP accounts in the
committed test database, files to drop, and the FTP client side."""

from __future__ import annotations

import email
import email.policy
import ftplib
import io
import threading
import uuid

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from clearinghouse.accounts.services import add_provider
from clearinghouse.db import Database
from tests.conftest import ephemeral_port
from tests.ingest_support import collection, granule, wrap

FTP_PASSWORD = "drop box password"
JPEG = b"\xff\xd8\xff\xe0" + b"browse-bytes" * 50


class Mailbox:
    """A real SMTP server on loopback keeping what it receives."""

    def __init__(self):
        self.messages: list = []
        self.arrived = threading.Event()
        self.port = ephemeral_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        self.arrived.set()
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def new_partner(database_url: str, prefix: str = "DROP") -> str:
    provider_id = f"{prefix}_{uuid.uuid4().hex[:8].upper()}"
    engine = create_engine(database_url)
    with Database(engine).session() as session:
        add_provider(
            session,
            provider_id,
            email=f"ops@{provider_id.lower()}.example.org",
            ftp_password=FTP_PASSWORD,
        )
    engine.dispose()
    return provider_id


def forget_partner(database_url: str, provider_id: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM providers WHERE provider_id = :p"), {"p": provider_id})
    engine.dispose()


def collection_file(*records: str) -> bytes:
    return wrap("CollectionMetaDataFile", {"Collections": list(records) or [collection()]})


def granule_file(*urs: str, dataset: str = "DS 1", extra: str = "") -> bytes:
    granules = [granule(ur, dataset=dataset, extra=extra) for ur in urs]
    return wrap("GranuleMetaDataFile", {"Granules": granules})


def browse_file(name: str, size: int, browse_id: str = "B1") -> bytes:
    record = (
        f"<BrowseImage><ProviderBrowseId>{browse_id}</ProviderBrowseId>"
        f"<LastUpdate>2020-01-01T00:00:00Z</LastUpdate><FileName>{name}</FileName>"
        f"<FileSize>{size}</FileSize><MimeType>image/jpeg</MimeType></BrowseImage>"
    )
    return wrap("BrowseMetaDataFile", {"BrowseImages": [record]})


def connect(port: int, user: str, password: str = FTP_PASSWORD) -> ftplib.FTP:
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", port, timeout=20)
    ftp.login(user, password)
    return ftp


def upload(ftp: ftplib.FTP, folder: str, name: str, content: bytes) -> None:
    ftp.storbinary(f"STOR /{folder}/{name}", io.BytesIO(content))


def read(ftp: ftplib.FTP, path: str) -> bytes:
    out = io.BytesIO()
    ftp.retrbinary(f"RETR {path}", out.write)
    return out.getvalue()
