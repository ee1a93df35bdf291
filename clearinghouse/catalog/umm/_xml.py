"""Reading an ECHO 10 record the way CMR's parsers do: text trimmed, an empty element absent."""

from __future__ import annotations

from datetime import UTC

from lxml import etree

from clearinghouse import times, xmlsafe
from clearinghouse.errors import BadRequest

# What CMR writes for a field UMM requires and the record lacks.
NOT_PROVIDED = "Not provided"


def root(record: bytes | str, tag: str) -> etree._Element:
    element = xmlsafe.parse(record)
    if element.tag != tag:
        raise BadRequest(f"an ECHO 10 {tag} record is expected, not <{element.tag}>")
    return element


def text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    value = element.findtext(path)
    return value.strip() or None if value else None


def texts(element: etree._Element | None, path: str) -> list[str]:
    if element is None:
        return []
    return [t for t in (_own(e) for e in element.findall(path)) if t]


def number(element: etree._Element | None, path: str) -> float | int | None:
    """A number as JSON writes it: integers stay integers (CMR's reader keeps 3 as 3)."""
    value = text(element, path)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        result = float(value)
    except ValueError:
        return None
    return result if result == result and abs(result) != float("inf") else None


def boolean(element: etree._Element | None, path: str) -> bool | None:
    value = text(element, path)
    return None if value is None else value.lower() == "true"


def _own(element: etree._Element) -> str | None:
    return element.text.strip() if element.text else None


def compact(value):
    """Leaves out what is absent: None, empty lists and empty objects, at every depth (one pass:
    a UMM-JSON page spends most of its Python here)."""
    if type(value) is dict:
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            if type(item) is dict or type(item) is list:
                item = compact(item)
                if not item:
                    continue
            out[key] = item
        return out
    if type(value) is list:
        out_list = []
        for item in value:
            if item is None:
                continue
            if type(item) is dict or type(item) is list:
                item = compact(item)
                if not item:
                    continue
            out_list.append(item)
        return out_list
    return value


def instant(element: etree._Element | None, path: str) -> str | None:
    """A date and time as CMR writes one (UTC, milliseconds, ``Z``); text that is no instant is
    passed on as it stands."""
    value = text(element, path)
    if value is None:
        return None
    try:
        moment = times.parse_instant(value)
    except ValueError:
        return value
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
