"""The key that seals encrypted option values: ``CLEARINGHOUSE_OPTION_KEY`` when set, else a key
made once and kept in ``$CLEARINGHOUSE_HOME/keys/options.key`` (mode 0600)."""

from __future__ import annotations

from functools import cache

from broker.crypto import OptionCipher, cipher_from_key, load_or_create_key
from clearinghouse.config import Settings


def option_cipher(settings: Settings) -> OptionCipher:
    return _cipher(settings.option_key, str(settings.home / "keys" / "options.key"))


@cache
def _cipher(key: str | None, path: str) -> OptionCipher:
    from pathlib import Path

    if key:
        return cipher_from_key(key)
    return OptionCipher(load_or_create_key(Path(path)))
