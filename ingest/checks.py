"""What the DTDs cannot say, checked in code: each element's exact content model where it stands,
and every value's XML Schema type and facets (dates, numbers, enumerations, lengths, patterns).

Driven by ``dtd/echo10.json``, generated from the ECHO 10 schemas with the DTDs (``dtd/build.py``).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from lxml import etree

import dtd
from dtd.build import XS_NS, XSI, XSI_ATTRIBUTES


@dataclass(frozen=True)
class Problem:
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@cache
def _table() -> dict:
    return json.loads(dtd.path("echo10.json").read_text())


class Checker:
    """The checks of one ingest file kind: "collection", "granule" or "browse"."""

    def __init__(self, kind: str):
        table = _table()[kind]
        self.root = table["root"]
        self.root_holds = table["holds"]
        self.contexts = table["contexts"]
        self._models = {cid: re.compile(c["model"]) for cid, c in self.contexts.items()}
        self._dtd_exact = frozenset(cid for cid, c in self.contexts.items() if c["dtd_exact"])

    def order(self, context_id: str) -> list[str]:
        """The children a context may hold, in the order its content model names them."""
        return list(dict.fromkeys(re.findall(r"<(\w+)>", self.contexts[context_id]["model"])))

    def holds_at(self, *tags: str) -> dict:
        """What the element at ``root/tags…`` holds (KeyError when there is no such place)."""
        holds = self.root_holds
        for tag in tags:
            holds = self.contexts[holds["complex"]]["children"][tag]
        return holds

    def check_sequence(self, element: etree._Element, holds: dict) -> list[Problem]:
        """Only whether the element's children come as its content model says (their own
        contents were checked as they streamed by)."""
        context = self.contexts[holds["complex"]]
        children = [c for c in element if isinstance(c.tag, str)]
        if self._models[holds["complex"]].fullmatch("".join(f"<{c.tag}>" for c in children)):
            return []
        message = _content_message(children, context["model"])
        return [Problem(element.sourceline, element.tag, message)]

    def check(
        self,
        element: etree._Element,
        holds: dict,
        path: str | None = None,
        *,
        trust_dtd: bool = False,
    ) -> list[Problem]:
        """Every problem in ``element`` and below, in document order. With ``trust_dtd`` (the
        element has just passed its DTD), content models the DTD states exactly are not checked
        again. (Hot: every record of every file passes here, so places are spelled out only for
        the problems.)"""
        found: list[tuple[etree._Element, str]] = []
        stack = [(element, holds)]
        contexts, models = self.contexts, self._models
        trusted = self._dtd_exact if trust_dtd else frozenset()
        attributed = set(_ATTRIBUTED(element))  # most records have none
        while stack:
            el, what = stack.pop()
            if attributed and el in attributed:
                found += ((el, message) for message in attribute_problems(el, what))
            spec = what.get("value")
            if spec is not None:
                message = (
                    "must hold a value, not elements"
                    if len(el)
                    else _value_check(id(spec), spec)(el.text or "")
                )
                if message:
                    found.append((el, message))
                continue
            if "empty" in what:
                if len(el) or (el.text or "").strip():
                    found.append((el, "must be empty"))
                continue
            context_id = what["complex"]
            context = contexts[context_id]
            children = [c for c in el if isinstance(c.tag, str)]
            if context_id not in trusted:
                if (el.text or "").strip() or any((c.tail or "").strip() for c in children):
                    found.append((el, "text is not allowed here"))
                if not models[context_id].fullmatch("".join(f"<{c.tag}>" for c in children)):
                    found.append((el, _content_message(children, context["model"])))
            inner = context["children"]
            for child in reversed(children):
                holds_child = inner.get(child.tag)
                if holds_child is not None:
                    stack.append((child, holds_child))
                elif context_id in trusted:  # a DTD knows no namespaces: {urn:x}Name passed it
                    found.append((child, "is in a namespace; ECHO 10 elements are in none"))
        if not found:
            return []
        top = path or element.tag
        problems = [Problem(el.sourceline, _path(el, element, top), m) for el, m in found]
        problems.sort(key=lambda p: p.line or 0)
        return problems


_ATTRIBUTED = etree.XPath("descendant-or-self::*[@*]")
_INSTANCE = {f"{{{XSI}}}{name}" for name in XSI_ATTRIBUTES}
_NIL, _TYPE = f"{{{XSI}}}nil", f"{{{XSI}}}type"


def attribute_problems(el: etree._Element, what: dict) -> list[str]:
    """What XML Schema refuses in an element's attributes: the schemas declare none, so only
    the schema instance attributes may stand, and of those nil never (no element is nillable)
    and type only naming the element's own type."""
    out = []
    for name, value in el.attrib.items():
        if name not in _INSTANCE:
            out.append(f"attribute {_prefixed(name)} is not allowed")
        elif name == _NIL:
            out.append("xsi:nil is not allowed: no ECHO 10 element is nillable")
        elif name == _TYPE:
            prefix, _, local = value.strip().rpartition(":")
            namespace = el.nsmap.get(prefix or None)
            if prefix and namespace is None:
                out.append(f"xsi:type {value!r}: the prefix {prefix} is not declared")
                continue
            named = f"{{{namespace}}}{local}" if namespace else local
            own = what.get("type")
            if named != own:
                which = f"its type {_prefixed(own)}" if own else "its type, which has no name"
                out.append(f"xsi:type {value!r} is not {which}")
    return out


def _prefixed(name: str) -> str:
    """``{namespace}local`` as people write it (xs:, xsi:), else as it is."""
    for namespace, prefix in ((XS_NS, "xs"), (XSI, "xsi")):
        if name.startswith(f"{{{namespace}}}"):
            return f"{prefix}:{name.split('}', 1)[1]}"
    return name


def _path(el: etree._Element, top: etree._Element, top_path: str) -> str:
    names = []
    while el is not None and el is not top:
        names.append(el.tag)
        el = el.getparent()
    return "/".join([top_path, *reversed(names)])


_value_checks: dict[int, Callable[[str], str | None]] = {}


def _value_check(key: int, spec: dict) -> Callable[[str], str | None]:
    """The check of one type table entry, made once: plain strings with length bounds (most
    values) are told apart with one ``len``."""
    found = _value_checks.get(key)
    if found is None:
        if spec["base"] in _STRINGS and set(spec) <= {"base", "minLength", "maxLength"}:
            low, high = int(spec.get("minLength", 0)), int(spec.get("maxLength", 1 << 62))

            def found(text: str) -> str | None:
                return None if low <= len(text) <= high else _check_string(text, spec)
        elif spec["base"] == "decimal" and set(spec) <= {"base", "minInclusive", "maxInclusive"}:
            # Coordinates and percentages: clearly inside their bounds, a float says so; near a
            # bound (or malformed), the exact decimal check decides.
            least = float(spec.get("minInclusive", "-inf")) + 1e-9
            most = float(spec.get("maxInclusive", "inf")) - 1e-9

            def found(text: str) -> str | None:
                value = text.strip()
                if _DECIMAL.fullmatch(value) and least < float(value) < most:
                    return None
                return check_value(text, spec)
        else:

            def found(text: str) -> str | None:
                return check_value(text, spec)

        _value_checks[key] = found
    return found


def _content_message(children: list, model: str) -> str:
    got = ", ".join(c.tag for c in children) or "nothing"
    expected = re.sub(r"\(\?:", "(", model).replace("<", "").replace(">", " ").replace(" )", ")")
    expected = re.sub(r"\{0,1\}", "?", expected)
    expected = re.sub(r"\{0,\}", "*", expected)
    expected = re.sub(r"\{1,\}", "+", expected)
    return f"content does not follow the schema: expected {expected.strip()}, got {got}"


# -- values ------------------------------------------------------------------------------------

_STRINGS = frozenset({"string", "anyURI", "normalizedString", "token"})
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DOUBLE = re.compile(r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)", re.ASCII)
_ZONE = r"(Z|[+-](\d{2}):(\d{2}))?"
# XML Schema's years have no upper bound; past 12 digits they are no year we keep, and int() of a
# 5,000-digit one would raise.
_YEAR = r"(-?\d{4,12})"
_DATETIME = re.compile(
    _YEAR + r"-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(\.\d+)?)" + _ZONE, re.ASCII
)
_DATE = re.compile(_YEAR + r"-(\d{2})-(\d{2})" + _ZONE, re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2}(\.\d+)?)" + _ZONE, re.ASCII)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_RANGES = {
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "integer": (None, None),
}
_NAMES = {
    "dateTime": "a date and time (YYYY-MM-DDThh:mm:ss[Z])",
    "date": "a date (YYYY-MM-DD)",
    "time": "a time (hh:mm:ss)",
    "decimal": "a decimal number",
    "double": "a number",
    "float": "a number",
    "boolean": "true or false",
}


def check_value(text: str, spec: dict) -> str | None:
    """Why ``text`` is not a valid value of ``spec`` (a type table entry), or None."""
    base = spec["base"]
    if base in _STRINGS:
        return _check_string(text, spec)
    value = text.strip()  # every other type collapses white space
    if base == "boolean":
        if value not in ("true", "false", "1", "0"):
            return f"{value!r} is not {_NAMES['boolean']}"
        return None
    if base in _RANGES:
        if not _INTEGER.fullmatch(value):
            return f"{value!r} is not an integer"
        low, high = _RANGES[base]
        number = Decimal(value)  # exact, and free of int()'s 4,300-digit limit
        if (low is not None and number < low) or (high is not None and number > high):
            return f"{value} is out of range for {base}"
        return _check_bounds(number, value, spec)
    if base in ("decimal", "double", "float"):
        if not (_DECIMAL if base == "decimal" else _DOUBLE).fullmatch(value):
            return f"{value!r} is not {_NAMES[base]}"
        if base == "decimal":
            digits = _digits(value)
            if "totalDigits" in spec and digits[0] > int(spec["totalDigits"]):
                return f"{value} has more than {spec['totalDigits']} digits"
            if "fractionDigits" in spec and digits[1] > int(spec["fractionDigits"]):
                return f"{value} has more than {spec['fractionDigits']} decimals"
        try:
            number = Decimal(value.replace("INF", "Infinity"))
        except InvalidOperation:
            return f"{value!r} is not {_NAMES[base]}"
        return _check_bounds(number, value, spec)
    if base in ("dateTime", "date", "time"):
        if not _valid_moment(base, value):
            return f"{value!r} is not {_NAMES[base]}"
        return None
    return None  # a type the schemas do not use for values


def _check_string(text: str, spec: dict) -> str | None:
    length = len(text)
    if "enum" in spec and text not in spec["enum"]:
        return f"{text!r} is not one of {', '.join(spec['enum'])}"
    if "minLength" in spec and length < int(spec["minLength"]):
        if length == 0:
            return "must not be empty"
        return f"is {length} characters long, shorter than {spec['minLength']}"
    if "maxLength" in spec and length > int(spec["maxLength"]):
        return f"is {length} characters long, longer than {spec['maxLength']}"
    if "pattern" in spec and not _pattern(spec["pattern"]).fullmatch(text):
        return f"{text!r} does not match the pattern {spec['pattern']}"
    return None


@cache
def _pattern(xsd_pattern: str) -> re.Pattern:
    return re.compile(xsd_pattern)


def _check_bounds(number: Decimal, value: str, spec: dict) -> str | None:
    if "minInclusive" in spec and number < Decimal(spec["minInclusive"]):
        return f"{value} is below the minimum {spec['minInclusive']}"
    if "maxInclusive" in spec and number > Decimal(spec["maxInclusive"]):
        return f"{value} is above the maximum {spec['maxInclusive']}"
    if "enum" in spec and value not in spec["enum"]:
        return f"{value!r} is not one of {', '.join(spec['enum'])}"
    return None


def _digits(value: str) -> tuple[int, int]:
    """Total significant digits and fraction digits of a decimal, as XML Schema counts them."""
    unsigned = value.lstrip("+-")
    whole, _, fraction = unsigned.partition(".")
    fraction = fraction.rstrip("0")
    whole = whole.lstrip("0")
    return len(whole) + len(fraction), len(fraction)


def _valid_moment(base: str, value: str) -> bool:
    pattern = {"dateTime": _DATETIME, "date": _DATE, "time": _TIME}[base]
    match = pattern.fullmatch(value)
    if not match:
        return False
    groups = match.groups()
    if base in ("dateTime", "date"):
        year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
        if year == 0 or not 1 <= month <= 12:
            return False
        astronomical = year if year > 0 else year + 1  # XML Schema 1.0 has no year 0: -1 is 1 BCE
        days = 29 if month == 2 and calendar.isleap(astronomical) else _DAYS[month - 1]
        if not 1 <= day <= days:
            return False
    if base in ("dateTime", "time"):
        offset = 3 if base == "dateTime" else 0
        hour, minute = int(groups[offset]), int(groups[offset + 1])
        second = Decimal(groups[offset + 2])
        midnight = hour == 24 and minute == 0 and second == 0
        if not (midnight or (hour < 24 and minute < 60 and second < 60)):
            return False
    zone_hours, zone_minutes = groups[-2], groups[-1]
    if zone_hours is not None:
        hours, minutes = int(zone_hours), int(zone_minutes)
        if minutes > 59 or hours * 60 + minutes > 14 * 60:
            return False
    return True
