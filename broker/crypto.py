"""Encryption of the values of Encrypted options (CONTRACT §7.3): Fernet (AES-128-CBC with an
HMAC-SHA256), so a token altered or made with another key is refused rather than decrypted wrong.

The key lives in a file of its own (0600) or in the settings; losing it makes stored encrypted
values unreadable, which is the point of keeping it apart from the database.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile

from cryptography.fernet import Fernet, InvalidToken

from clearinghouse.errors import ClearinghouseError, SettingsError


class OptionKeyError(ClearinghouseError):
    """A stored encrypted option value that this server's key cannot open: the key was changed
    (or the value altered) since it was stored. An operator's problem, hence a 500."""

    code = "OptionKeyMismatch"


class OptionCipher:
    def __init__(self, key: bytes | str):
        self._fernet = Fernet(key)

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except (InvalidToken, ValueError):  # ValueError: not even ASCII
            raise OptionKeyError(
                "an encrypted option value cannot be decrypted with this server's option key "
                "(it was made with another key, or altered)"
            ) from None


def cipher_from_key(text: str) -> OptionCipher:
    """The cipher for a key given in the settings; SettingsError (never echoing it) if invalid."""
    try:
        return OptionCipher(text.strip())
    except (ValueError, TypeError):
        raise SettingsError(
            "the option encryption key is not a Fernet key "
            "(32 bytes in URL-safe base64, 44 characters)"
        ) from None


def load_or_create_key(path: pathlib.Path) -> bytes:
    """The Fernet key kept in ``path``, made on first use. Two processes starting together end
    with the same key: the new key is written in full to a private temporary file, then linked
    to ``path``, which fails for all but the first; the others read the winner's."""
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _publish(path, Fernet.generate_key())
        key = path.read_bytes().strip()
    except OSError as exc:
        raise SettingsError(
            f"{path}: cannot read or create the option key: {exc.strerror}"
        ) from None
    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise SettingsError(f"{path}: not a Fernet key (32 bytes in URL-safe base64)") from None
    return key


def _publish(path: pathlib.Path, key: bytes) -> None:
    # Not O_EXCL on the final name: a reader could open it between its creation and the write and
    # see an empty key. os.link of a complete file is both exclusive and all-or-nothing.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key + b"\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
