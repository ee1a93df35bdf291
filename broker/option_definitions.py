"""Option definitions (CONTRACT §7.3, seed slides 63–70): the typed values, and the tree a provider
defines, read from ``<OptionDefinition>`` XML, checked, kept as JSON and rendered back.

A definition is refused as a whole with one ``InvalidValue`` naming the path of the offending option
(``MediaType/FTPPush/UserName: MinOccurs 2 is greater than MaxOccurs 1``): a provider fixes one
thing at a time, and nothing half-checked is ever stored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from lxml import etree
from lxml.builder import E

from clearinghouse.errors import InvalidValue

#: A definition or selection node as stored (JSONB): see parse_definition and read_selection.
Node = dict[str, Any]

PRIMITIVE_TYPES = ("String", "Integer", "Boolean", "Date", "Double")
COMPLEX_TYPES = ("STRUCTURE", "CHOICE")
MAX_NAME_LENGTH = 100
MAX_DEPTH = 16
MAX_NODES = 500
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_COUNT_MAX = 2**31 - 1  # occurrences and string lengths

_TRUE = {"true", "1", "yes"}  # slide 69 writes "EncryptedYes"
_FALSE = {"false", "0", "no"}
_OPTION_TAGS = ("SimpleOption", "ComplexOption")


# --- typed values, shared with the selections -----------------------------------------------------


class BadValue(ValueError):
    """A text that is not of its primitive type; the message is a predicate without the value
    ("is not an integer"), so the caller decides whether the value may be shown."""


_INTEGER = re.compile(r"[+-]?([0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_BOOLEANS = {"true": "true", "1": "true", "false": "false", "0": "false"}


@dataclass(frozen=True)
class When:
    """A Date value: the calendar day as written, and the instant when a time was given."""

    day: date
    instant: datetime | None


def normalise(kind: str, text: str) -> str:
    """The stored form of a stripped, non-empty value of a primitive type; BadValue if invalid."""
    if kind == "Integer":
        return str(_integer(text))
    if kind == "Boolean":
        if text.lower() not in _BOOLEANS:
            raise BadValue("is not true or false")
        return _BOOLEANS[text.lower()]
    if kind == "Double":
        _double(text)
    elif kind == "Date":
        parse_date(text)
    return text  # Double and Date are kept as given: the partner sees what the user wrote


def _integer(text: str) -> int:
    match = _INTEGER.fullmatch(text)
    if match is None:
        raise BadValue("is not an integer")
    # Checked before int(): a 5,000-digit "integer" must not reach Python's digit limit.
    if len(match.group(1).lstrip("0")) > 19 or not INT64_MIN <= int(text) <= INT64_MAX:
        raise BadValue("is not an integer within the signed 64-bit range")
    return int(text)


def _double(text: str) -> float:
    if _DOUBLE.fullmatch(text) is None:
        raise BadValue("is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise BadValue("is too large for a Double")
    return value


def parse_date(text: str) -> When:
    match = _DATE.fullmatch(text)
    if match is None:
        raise BadValue("is not an ISO 8601 date (YYYY-MM-DD) or date-time")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        calendar_day = date(int(year), int(month), int(day))
        if hour is None:
            return When(calendar_day, None)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        clock = time(int(hour), int(minute), int(second or 0), micro, tzinfo=_zone(zone))
    except ValueError:
        raise BadValue("is not a valid ISO 8601 date or date-time") from None
    return When(calendar_day, datetime.combine(calendar_day, clock))


def _zone(text: str | None) -> timezone:
    if text is None or text == "Z":  # a date-time without a zone is taken as UTC
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("zone out of range")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


def compare(kind: str, a: str, b: str) -> int:
    """-1, 0 or 1 for two normalised values of a number or Date type."""
    if kind == "Date":
        left, right = parse_date(a), parse_date(b)
        # A bare date stands for the whole day: MaxValue 2024-12-31 admits 2024-12-31T23:00:00.
        if left.instant is None or right.instant is None:
            return _sign(left.day, right.day)
        return _sign(left.instant, right.instant)
    return _sign(key(kind, a), key(kind, b))


def _sign(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def key(kind: str, value: str) -> Any:
    """What makes two normalised values the same: numbers compare by value, the rest exactly."""
    if kind == "Integer":
        return int(value)
    if kind == "Double":
        return float(value)
    return value


def bound_problem(kind: str, value: str, minimum: str | None, maximum: str | None) -> str | None:
    """Why a normalised value is outside MinValue/MaxValue, or None. For a String the bounds are
    lengths and the phrase stands alone ("at most 50 characters, not 51"); otherwise it follows
    the value ("is greater than the maximum 10")."""
    if kind == "String":
        if minimum is not None and len(value) < int(minimum):
            return f"at least {minimum} characters, not {len(value)}"
        if maximum is not None and len(value) > int(maximum):
            return f"at most {maximum} characters, not {len(value)}"
        return None
    below, above = ("earlier", "later") if kind == "Date" else ("less", "greater")
    if minimum is not None and compare(kind, value, minimum) < 0:
        return f"is {below} than the minimum {minimum}"
    if maximum is not None and compare(kind, value, maximum) > 0:
        return f"is {above} than the maximum {maximum}"
    return None


# --- reading a definition -------------------------------------------------------------------------


def parse_definition(element: etree._Element) -> Node:
    """The JSON tree of a DTD-valid ``<OptionDefinition>``; InvalidValue naming the path if any
    rule of the option framework is broken."""
    options = _option_children(element)
    if element.tag != "OptionDefinition" or len(options) != 1:
        raise InvalidValue("OptionDefinition: must hold exactly one SimpleOption or ComplexOption")
    count = sum(1 for _ in element.iter(*_OPTION_TAGS))
    if count > MAX_NODES:  # counted first: a huge tree is refused before any work on it
        raise InvalidValue(f"OptionDefinition: at most {MAX_NODES} options, not {count}")
    return _option(options[0], "", 1, depth=1)


def _option_children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if child.tag in _OPTION_TAGS]


def _option(element: etree._Element, parent: str, index: int, *, depth: int) -> Node:
    name = _name(element, parent, index)
    path = f"{parent}/{name}" if parent else name
    if depth > MAX_DEPTH:
        raise _invalid(element, f"{path}: options nest at most {MAX_DEPTH} deep")
    head = {"name": name, "description": _text(element, "Description", path, empty_ok=True)}
    head["min"], head["max"] = _occurrences(element, path)
    if element.tag == "SimpleOption":
        return {"kind": "simple", **head, **_simple(element, path)}
    return {"kind": "complex", **head, **_complex(element, path, depth)}


def _name(element: etree._Element, parent: str, index: int) -> str:
    where = f"{parent}: option {index}" if parent else "OptionDefinition"
    child = element.find("Name")
    name = (child.text or "").strip() if child is not None else ""
    if not name:
        raise _invalid(element, f"{where}: Name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(
            element, f"{where}: Name has {len(name)} characters; at most {MAX_NAME_LENGTH} allowed"
        )
    return name


def _occurrences(element: etree._Element, path: str) -> tuple[int, int | None]:
    low_text = _text(element, "MinOccurs", path)
    low = 1 if low_text is None else _count(element, "MinOccurs", low_text, path)
    high_text = _text(element, "MaxOccurs", path)
    if high_text is None:
        high: int | None = 1
    elif high_text.lower() == "unbounded":
        high = None
    else:
        high = _count(element, "MaxOccurs", high_text, path)
        if high < 1:
            raise _invalid(element, f"{path}: MaxOccurs must be at least 1, not {high}")
    if high is not None and low > high:
        raise _invalid(element, f"{path}: MinOccurs {low} is greater than MaxOccurs {high}")
    return low, high


def _count(element: etree._Element, tag: str, text: str, path: str) -> int:
    if not re.fullmatch(r"[0-9]{1,10}", text) or int(text) > _COUNT_MAX:
        raise _invalid(
            element, f"{path}: {tag} '{text}' is not a whole number from 0 to {_COUNT_MAX}"
        )
    return int(text)


def _simple(element: etree._Element, path: str) -> Node:
    kind = _choice(element, "PrimitiveType", PRIMITIVE_TYPES, path)
    low = _bound(element, "MinValue", kind, path)
    high = _bound(element, "MaxValue", kind, path)
    if low is not None and high is not None:
        greater = int(low) > int(high) if kind == "String" else compare(kind, low, high) > 0
        if greater:
            raise _invalid(element, f"{path}: MinValue {low} is greater than MaxValue {high}")
    return {
        "encrypted": _encrypted(element, path),
        "type": kind,
        "valids": _valids(element, kind, low, high, path),
        "min_value": low,
        "max_value": high,
    }


def _encrypted(element: etree._Element, path: str) -> bool:
    text = _text(element, "Encrypted", path)
    if text is None:
        return False
    if text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    raise _invalid(element, f"{path}: Encrypted '{text}' is not true or false")


def _bound(element: etree._Element, tag: str, kind: str, path: str) -> str | None:
    text = _text(element, tag, path)
    if text is None:
        return None
    if kind == "Boolean":
        raise _invalid(element, f"{path}: {tag} does not apply to a Boolean option")
    if kind == "String":  # a length
        return str(_count(element, tag, text, path))
    try:
        return normalise(kind, text)
    except BadValue as exc:
        raise _invalid(element, f"{path}: {tag} '{text}' {exc}") from None


def _valids(
    element: etree._Element, kind: str, low: str | None, high: str | None, path: str
) -> list[str] | None:
    container = element.find("Valids")
    if container is None:
        return None
    valids: list[str] = []
    seen: set[Any] = set()
    for child in container.findall("Valid"):
        text = (child.text or "").strip()
        if not text:
            raise _invalid(child, f"{path}: a Valid must not be empty")
        try:
            value = normalise(kind, text)
        except BadValue as exc:
            raise _invalid(child, f"{path}: Valid '{text}' {exc}") from None
        if key(kind, value) in seen:
            raise _invalid(child, f"{path}: Valid '{text}' is listed twice")
        problem = bound_problem(kind, value, low, high)
        if problem is not None:
            verb = "must have " if kind == "String" else ""
            raise _invalid(child, f"{path}: Valid '{text}' {verb}{problem}")
        seen.add(key(kind, value))
        valids.append(value)
    if not valids:
        raise _invalid(container, f"{path}: Valids must list at least one Valid")
    return valids


def _complex(element: etree._Element, path: str, depth: int) -> Node:
    kind = _choice(element, "Type", COMPLEX_TYPES, path)
    members = _option_children(element)
    if not members:
        raise _invalid(element, f"{path}: a ComplexOption needs at least one option inside")
    if kind == "CHOICE" and len(members) < 2:
        raise _invalid(element, f"{path}: a CHOICE needs at least 2 options to choose from, not 1")
    children: list[Node] = []
    for index, member in enumerate(members, 1):
        child = _option(member, path, index, depth=depth + 1)
        if any(other["name"] == child["name"] for other in children):
            raise _invalid(member, f"{path}: two options here are named '{child['name']}'")
        children.append(child)
    return {"type": kind, "children": children}


def _choice(element: etree._Element, tag: str, choices: tuple[str, ...], path: str) -> str:
    text = _text(element, tag, path)
    if text is None:
        raise _invalid(element, f"{path}: {tag} is required")
    for choice in choices:
        if text.upper() == choice.upper():
            return choice
    raise _invalid(element, f"{path}: {tag} '{text}' is not one of {', '.join(choices)}")


def _text(element: etree._Element, tag: str, path: str, *, empty_ok: bool = False) -> str | None:
    """A child's stripped text; None when absent (or empty, where that means absent)."""
    child = element.find(tag)
    if child is None:
        return None
    text = (child.text or "").strip()
    if not text and not empty_ok:
        raise _invalid(child, f"{path}: {tag} must not be empty")
    return text or None


def _invalid(element: etree._Element, message: str) -> InvalidValue:
    return InvalidValue(message, line=element.sourceline)


# --- rendering ------------------------------------------------------------------------------------


def definition_element(tree: Node) -> etree._Element:
    """The tree as ``<OptionDefinition>`` XML following Options.dtd; every default is written
    out, so parse_definition(definition_element(t)) == t."""
    return E.OptionDefinition(_option_element(tree))


def _option_element(node: Node) -> etree._Element:
    parts = [E.Name(node["name"])]
    if node.get("description") is not None:
        parts.append(E.Description(node["description"]))
    high = "unbounded" if node["max"] is None else str(node["max"])
    parts += [E.MinOccurs(str(node["min"])), E.MaxOccurs(high)]
    if node["kind"] == "complex":
        parts.append(E.Type(node["type"]))
        parts += [_option_element(child) for child in node["children"]]
        return E.ComplexOption(*parts)
    parts += [E.Encrypted("true" if node["encrypted"] else "false"), E.PrimitiveType(node["type"])]
    if node.get("valids") is not None:
        parts.append(E.Valids(*[E.Valid(value) for value in node["valids"]]))
    if node.get("min_value") is not None:
        parts.append(E.MinValue(node["min_value"]))
    if node.get("max_value") is not None:
        parts.append(E.MaxValue(node["max_value"]))
    return E.SimpleOption(*parts)
