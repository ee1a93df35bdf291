"""The two rules every door applies to text from outside, whatever carries it.

Numbers: ``str.isdigit()`` accepts "²" and "①", which ``int()`` then refuses with ValueError;
``int()`` itself accepts "٣" and "1_000" and refuses more than 4,300 digits. A whole number from
outside is therefore ASCII digits only, its length bounded by the range it must fall in, before
``int()`` ever sees it.

Text: PostgreSQL cannot store NUL in a text value, XML 1.0 cannot carry the other C0 controls
(tab, line feed and carriage return aside), lone surrogates, U+FFFE or U+FFFF; a value holding one
would fail deep inside a query or an answer being written, as a 500.
"""

from __future__ import annotations

import re

from clearinghouse.errors import ClearinghouseError, InvalidValue

_WHOLE = re.compile(r"[+-]?([0-9]+)")
_UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: How much of a refused value a message quotes (a 5,000-digit value is not echoed whole).
_QUOTED = 40


def quoted(text: str) -> str:
    """``text`` as an error message shows it: repr, cut short."""
    return repr(text[:_QUOTED]) + ("…" if len(text) > _QUOTED else "")


def whole_number(
    text: str | None,
    low: int,
    high: int,
    *,
    where: str,
    error: type[ClearinghouseError] = InvalidValue,
    **details,
) -> int:
    """``text`` (blanks around it aside) as an int from ``low`` to ``high``; anything else raises
    ``error(message, **details)``, the message naming ``where``, the value and the range."""
    stripped = (text or "").strip()
    match = _WHOLE.fullmatch(stripped)
    widest = len(str(max(abs(low), abs(high))))
    too_long = match is not None and len(match.group(1).lstrip("0")) > widest
    if match is None or too_long or not low <= int(stripped) <= high:
        shown = quoted(text) if text is not None else "nothing"
        raise error(f"{where}: {shown} is not a whole number from {low} to {high}", **details)
    return int(stripped)


def unholdable(text: str) -> str | None:
    """Why ``text`` cannot be stored or written as XML (its first such character), or None."""
    found = _UNHOLDABLE.search(text)
    if found is None:
        return None
    return f"holds the character U+{ord(found.group()):04X} (position {found.start() + 1})"


def holdable(
    text: str, *, where: str, error: type[ClearinghouseError] = InvalidValue, **details
) -> str:
    """``text`` itself when it can be stored and written as XML; else raises ``error``."""
    problem = unholdable(text)
    if problem is not None:
        raise error(f"{where}: {problem}, which cannot be accepted", **details)
    return text
