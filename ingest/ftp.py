"""The partners' FTP server (pyftpdlib): `clearinghouse ftp`.

One account per partner, its password checked against the argon2 hash in the database; each
partner sees only its own home (``$CLEARINGHOUSE_HOME/ftp/<PROVIDER>``), may upload into the three
drop box folders and only read its reports. A file being received is locked (``flock``) so that no
scan takes it half-written; once received whole, schedulers are told at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import sys
import threading
from pathlib import Path
from typing import ClassVar

from pyftpdlib.authorizers import AuthenticationFailed
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import DTPHandler, FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
from sqlalchemy import select

from clearinghouse.accounts.models import Provider
from clearinghouse.accounts.passwords import spend_verification_time, verify_password
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.errors import ClearinghouseError
from clearinghouse.inputs import unholdable
from ingest import dropbox, signals

log = logging.getLogger(__name__)

READ = "elr"  # change directory, list, download
DROP = "elrawdf"  # and upload, append, delete, rename (no new folders)


class Authorizer:
    """pyftpdlib's authorizer interface, answered from the providers table."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.root = settings.dropbox_dir

    def validate_authentication(self, username: str, password: str, handler) -> None:
        try:
            with self.db.session() as session:
                found = session.execute(
                    select(Provider.ftp_password_hash, Provider.active).where(
                        Provider.provider_id == username
                    )
                ).first()
        except ClearinghouseError as exc:  # the database is down: say so, keep serving
            log.warning("FTP login of %s not checked: %s", username, exc.message)
            raise AuthenticationFailed(
                "Passwords cannot be checked right now; try again in a few minutes."
            ) from None
        if found is None or not found.active or not found.ftp_password_hash:
            spend_verification_time(password)
            raise AuthenticationFailed("Authentication failed.")
        if not verify_password(found.ftp_password_hash, password):
            raise AuthenticationFailed("Authentication failed.")
        handler.count_in(username)
        dropbox.ensure(self.root, username)

    def get_home_dir(self, username: str) -> str:
        return str(dropbox.home(self.root, username))

    def has_user(self, username: str) -> bool:
        return True  # the password check decides; never tell who exists

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        return perm in self._perms(username, path)

    def get_perms(self, username: str) -> str:
        return READ

    def _perms(self, username: str, path: str | None) -> str:
        if path is None:
            return READ
        home = Path(self.get_home_dir(username)).resolve()
        try:
            relative = Path(path).resolve().relative_to(home)
        except ValueError:
            return ""
        for folder in dropbox.FOLDERS.values():
            if relative.parent == folder:  # a file right in a drop box folder
                return DROP
        return READ

    def get_msg_login(self, username: str) -> str:
        return f"Welcome, {username}: drop files in data/collection, data/granule, data/browse."

    def get_msg_quit(self, username: str) -> str:
        return "Goodbye."

    def impersonate_user(self, username: str, password: str) -> None:
        pass

    def terminate_impersonation(self, username: str) -> None:
        pass


class _Capped:
    """A file being received: refuses to grow past the size limit."""

    def __init__(self, file, limit: int):
        self._file = file
        self._limit = limit

    def write(self, data: bytes) -> int:
        if self._file.tell() + len(data) > self._limit:
            # Refused whole: a truncated remainder would only wait in the drop box forever.
            with contextlib.suppress(OSError):
                os.unlink(self._file.name)
            raise OSError(errno.EFBIG, f"files are limited to {self._limit:,} bytes")
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


class DropDTPHandler(DTPHandler):
    """Says why an upload over the size limit stopped (552, as RFC 959 has it)."""

    def handle_error(self) -> None:
        cause = getattr(sys.exc_info()[1], "__cause__", None)
        if isinstance(cause, OSError) and cause.errno == errno.EFBIG:
            self._resp = (f"552 {cause.strerror}; transfer aborted.", log.warning)
            self.close()
            return
        super().handle_error()


class DropBoxFS(AbstractedFS):
    """Files opened for writing are locked while open: a scan never takes a file half-received."""

    max_file_size = 8 * 1024**3

    def open(self, filename: str, mode: str):
        file = super().open(filename, mode)
        if any(flag in mode for flag in "wa+"):
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            return _Capped(file, self.max_file_size)
        return file


class PartnerHandler(FTPHandler):
    abstracted_fs = DropBoxFS
    dtp_handler = DropDTPHandler
    permit_foreign_addresses = False
    banner = "Clearinghouse drop box ready."
    max_login_attempts = 3
    db: Database
    max_connections_per_account = 8
    _sessions: ClassVar[dict[str, int]] = {}
    _sessions_lock = threading.Lock()

    def pre_process_command(self, line: str, cmd: str, arg: str) -> None:
        # Arguments reach the database (USER) and the file system and reports (file names),
        # which cannot hold NUL and the like: refused at the door, as a syntax error.
        problem = unholdable(arg)
        if problem is not None:
            self.respond(f"501 The argument {problem}, which cannot be accepted.")
            self.log_cmd(cmd, "", 501, problem)
            return
        super().pre_process_command(line, cmd, arg)

    def count_in(self, username: str) -> None:
        """Count the connection towards its account's limit, or refuse the login."""
        self.on_disconnect()  # a second login on one connection counts once
        with self._sessions_lock:
            count = self._sessions.get(username, 0)
            if count >= self.max_connections_per_account:
                raise AuthenticationFailed(
                    f"{username} already has {count} connections, the most an account may hold;"
                    " close one first."
                )
            self._sessions[username] = count + 1
        self._counted = username

    def on_disconnect(self) -> None:
        username = getattr(self, "_counted", None)
        if username is not None:
            with self._sessions_lock:
                self._sessions[username] -= 1
            self._counted = None

    def on_file_received(self, file: str) -> None:
        try:
            with self.db.session() as session:
                signals.request_scan(session, self.username)
        except Exception as exc:  # the scheduled pass will find the file anyway
            log.warning("could not signal the upload of %s: %s", file, exc)


def make_server(settings: Settings, db: Database) -> ThreadedFTPServer:
    handler = type("Handler", (PartnerHandler,), {})
    handler.authorizer = Authorizer(db, settings)
    handler.db = db
    handler.max_connections_per_account = settings.ftp_max_connections
    handler.abstracted_fs = type("FS", (DropBoxFS,), {"max_file_size": settings.ftp_max_file_size})
    handler._sessions = {}
    settings.dropbox_dir.mkdir(parents=True, exist_ok=True)
    return ThreadedFTPServer((settings.ftp.host, settings.ftp.port), handler)


def run(db: Database, settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT."""
    import signal

    server = make_server(settings, db)
    # SIGTERM as SIGINT: serve_forever's loop ends on the exception and then closes every socket
    # once. Closing them from a signal handler pulled them from under the poll (EBADF).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    log.info("FTP drop boxes on ftp://%s (homes in %s)", settings.ftp, settings.dropbox_dir)
    server.serve_forever(handle_exit=True)
