"""Hostile values and mutations: what the fuzz tests put where a valid value was.

Values are grouped by what a field seems to hold (its element or parameter name), so that a date
field gets both real dates and years 0 and 10000, a count both small numbers and "²"; every field
also gets the generic hostile strings. Mutations work on an lxml tree (drop, duplicate, reorder,
replace, nest) and then on its bytes (truncate, splice raw specials, NUL, bad UTF-8).
"""

from __future__ import annotations

import copy
import re

from hypothesis import strategies as st
from lxml import etree

#: Strings that broke or nearly broke parsers before: Unicode digits (str.isdigit() says yes,
#: int() may say no), years outside datetime, non-finite and huge numbers, XML specials, odd
#: Unicode (RTL override, BOM, combining marks, astral planes), very long text.
STRINGS = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "1.5",
    "²",
    "①",
    "٣",
    "໓",
    "𝟗",
    "²³",
    "1²",
    "१२",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "1e-400",
    "9" * 40,
    "18446744073709551616",
    "-9223372036854775809",
    "2147483648",
    "0x10",
    "1_000",
    "+5",
    "0000-01-01T00:00:00Z",
    "0000-12-31",
    "10000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2020-02-30T00:00:00Z",
    "2020-13-01",
    "2020-01-01T24:00:00Z",
    "2020-01-01T00:00:00+25:00",
    "1969-12-31T23:59:59.999999999Z",
    "-2020-01-01T00:00:00Z",
    "<",
    ">",
    "&",
    "&amp;",
    "]]>",
    "<![CDATA[x]]>",
    "'",
    '"',
    "\\",
    "%",
    "_",
    "*",
    "?",
    "%00",
    "' OR '1'='1",
    "x'); DROP TABLE users; --",
    "${jndi:x}",
    "../../../etc/passwd",
    "\u202e",
    "\ufeff",
    "e\u0301",
    "\U0001f600",
    "\U0010fffd",
    "\u00a0",
    "\u2028",
    "ß",
    "İ",
    "\t",
    "\n",
    "a\nb",
    "x" * 1001,
    "x" * 5000,
    "é" * 4001,
    "9" * 1000,
]
#: Not XML characters: these reach the server only by URL, header or raw bytes.
UNXML = ["\x00", "a\x00b", "\x01", "\x1f", "\ud800", "\uffff", "\x0b"]

DATES = [
    "2020-01-10T00:00:00Z",
    "2020-01-10",
    "2019-12-31T23:59:59.5-05:00",
    "1999-01-01T00:00:00Z",
    "2099-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
]
NUMBERS = [
    "0",
    "1",
    "2",
    "5",
    "10",
    "100",
    "2000",
    "2001",
    "-5.5",
    "45",
    "180",
    "-180",
    "90",
    "-90",
    "1e3",
    "3.14159",
]
WORDS = [
    "true",
    "false",
    "Y",
    "N",
    "DAY",
    "NIGHT",
    "BOTH",
    "RESULTS",
    "HITS",
    "ECHO10",
    "BRIEF",
    "start_time",
    "update_time",
    "natural",
    "SYNC",
    "ASYNC",
    "QUOTE",
    "SUBMIT",
    "CANCEL",
    "STRING",
    "INT",
    "FLOAT",
    "DATETIME",
    "BOOLEAN",
    "CHOICE",
    "SEQUENCE",
    "NONE",
    "SUBMITTED",
    "PROCESSING",
    "CLOSED",
    "NOT_VALIDATED",
    "QUOTED",
    "CANCELLED",
    "GEODETIC",
    "WRS-2",
    "MODIS",
    "TERRA",
    "AST_L1A",
    "DS 1",
    "C1",
    "1",
    "MADE.3",
    "Summer",
    "band",
]

_KINDS = [
    (re.compile(r"date|time|expir|since|updated|temporal", re.I), DATES),
    (
        re.compile(
            r"size|count|quantity|cursor|max|min|number|attempts|seconds|occurs|cover|"
            r"yyyy|mm|dd|hh|mi|ss|lat|lon|lower|upper|price|cost|discount|page|orbit|"
            r"coordinate|radius|int|float|value",
            re.I,
        ),
        NUMBERS,
    ),
]


def text_strategy(
    name: str, known: dict[str, list[str]] | None = None, *, calm: bool = False
) -> st.SearchStrategy:
    """Values for a field called ``name``: those the test knows are valid for it, those its kind
    suggests, words, and (unless ``calm``) hostile strings."""
    plausible = list((known or {}).get(name, []))
    for pattern, values in _KINDS:
        if pattern.search(name):
            plausible += values
    plausible += WORDS
    plausible = st.sampled_from(plausible)
    if calm:
        return plausible
    return st.one_of(  # half of the values plausible, so that messages get past the checks
        plausible,
        plausible,
        st.sampled_from(STRINGS),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    ).filter(_xml_safe)


def _xml_safe(value: str) -> bool:
    try:
        etree.Element("x").text = value
    except ValueError:
        return False
    return True


def raw_strategy(name: str, known: dict[str, list[str]] | None = None) -> st.SearchStrategy:
    """As text_strategy, and characters no XML document may hold (for URLs and headers)."""
    return st.one_of(text_strategy(name, known), st.sampled_from(UNXML))


# -- tree mutations -----------------------------------------------------------------------------

MUTATIONS = ("drop", "duplicate", "reorder", "text", "attribute", "unknown", "nest", "empty")


@st.composite
def mutated_tree(
    draw, root: etree._Element, known: dict[str, list[str]] | None = None, most: int = 3
) -> etree._Element:
    """A copy of ``root``, as it is or with up to ``most`` mutations, each at an element drawn
    from it."""
    tree = copy.deepcopy(root)
    if draw(st.integers(0, 2)) == 0:  # a third go as they came: the checks behind the DTD's
        return tree
    for what in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=most)):
        elements = [e for e in tree.iter() if isinstance(e.tag, str)]
        target = draw(st.sampled_from(elements))
        parent = target.getparent()
        if what == "drop" and parent is not None:
            parent.remove(target)
        elif what == "duplicate" and parent is not None:
            target.addnext(copy.deepcopy(target))
        elif what == "reorder" and len(target) > 1:
            children = list(target)
            order = draw(st.permutations(range(len(children))))
            for child in children:
                target.remove(child)
            for index in order:
                target.append(children[index])
        elif what == "text":
            target.text = draw(text_strategy(target.tag, known))
        elif what == "attribute":
            names = list(target.attrib) or ["value"]
            name = draw(st.sampled_from(names))
            target.set(name, draw(text_strategy(name, known)))
        elif what == "unknown":
            target.append(etree.Element(draw(st.sampled_from(["Bogus", "query", "value", "x"]))))
        elif what == "nest":
            depth = draw(st.sampled_from([2, 30, 300]))
            inner = target
            for _ in range(depth):
                inner = etree.SubElement(inner, target.tag)
        elif what == "empty":
            for child in list(target):
                target.remove(child)
            target.text = None
    return tree


BYTE_MUTATIONS = ("truncate", "splice", "nul", "utf8", "encoding", "doctype")
SPLICES = [
    b"<",
    b"&",
    b"]]>",
    b"&#0;",
    b"&#x1F600;",
    b"&bogus;",
    b"<!-- ",
    b"<?pi?>",
    b"\xef\xbb\xbf",
]


@st.composite
def mutated_bytes(draw, document: bytes) -> bytes:
    """``document``, three times in four as it is, else broken as bytes."""
    what = draw(st.sampled_from((None,) * 3 * len(BYTE_MUTATIONS) + BYTE_MUTATIONS))
    if what is None or not document:
        return document
    at = draw(st.integers(0, len(document)))
    if what == "truncate":
        return document[:at]
    if what == "splice":
        return document[:at] + draw(st.sampled_from(SPLICES)) + document[at:]
    if what == "nul":
        return document[:at] + b"\x00" + document[at:]
    if what == "utf8":
        return document[:at] + b"\xff\xfe" + document[at:]
    if what == "encoding":
        return b'<?xml version="1.0" encoding="UTF-16"?>' + document
    return b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">' + document
