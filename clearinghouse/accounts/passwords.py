"""Password hashing (argon2id) for users and partners' FTP accounts."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from clearinghouse.errors import InvalidValue

# OWASP's recommended argon2id cost (19 MiB, 2 passes, 1 lane): about 20 ms a check here, so a
# login stays cheap for the server and slow for a guesser. Hashes made with other costs still
# verify, and are redone at the next login (``needs_rehash``).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidValue(f"a password needs at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@functools.cache
def _decoy() -> str:
    return _hasher.hash(secrets.token_hex(16))


def spend_verification_time(password: str) -> None:
    """Verify against a decoy, so that an unknown user takes as long to refuse as a known one."""
    verify_password(_decoy(), password)


def read_password_file(path: str) -> str:
    """A password from a file (or standard input for '-'): never from a command line."""
    import sys

    if path == "-":
        text = sys.stdin.readline()
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidValue(f"cannot read the password file {path}: {exc.strerror}") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise InvalidValue(f"the password file {path} is empty")
    return password
