"""Rows into a staging table with COPY: PostgreSQL's text format, written by hand because it is
short and exact (NULL as \\N; backslash, tab, newline and carriage return escaped)."""

from __future__ import annotations

import enum
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

_SPECIAL = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _text(value: str) -> str:
    # str.replace scans at C speed and most values hold none of these; translate() is slower.
    for char, escaped in _SPECIAL:
        if char in value:
            value = value.replace(char, escaped)
    return value


def encode(value: Any, *, as_json: bool = False) -> str:
    if value is None:
        return "\\N"
    if as_json:
        return _text(json.dumps(value, default=str))
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, list | tuple):
        return _text(_array(value))
    return _text(str(value))


def _array(values: Sequence[Any]) -> str:
    items = []
    for item in values:
        if item is None:
            items.append("NULL")
        else:
            escaped = str(item).replace("\\", "\\\\").replace('"', '\\"')
            items.append(f'"{escaped}"')
    return "{" + ",".join(items) + "}"


def copy_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    json_columns: frozenset[str] = frozenset(),
) -> None:
    """COPY rows (dicts holding at least ``columns``) into ``table``, in the connection's
    transaction; ``json_columns`` are written as JSON."""
    json_at = {n for n, column in enumerate(columns) if column in json_columns}
    lines = []
    for row in rows:
        # Inlined for speed (every value of every record passes here): the common types first.
        parts = []
        for n, column in enumerate(columns):
            value = row[column]
            kind = type(value)
            if value is None:
                parts.append("\\N")
            elif n in json_at:
                parts.append(_text(json.dumps(value, default=str)))
            elif kind is str:
                parts.append(_text(value))
            elif kind is bool:
                parts.append("t" if value else "f")
            elif kind is datetime:
                parts.append(value.isoformat())
            else:
                parts.append(encode(value))
        lines.append("\t".join(parts))
    buffer = io.StringIO("\n".join(lines) + "\n" if lines else "")
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    finally:
        cursor.close()
