"""Order options between the broker's shapes and OSEO's XML.

* Definitions (the broker's option definition trees) become SWE Common 2.0 components for
  GetOptions: a simple option a ``swe:Category``/``Text``/``Count``/``Quantity``/``Boolean``/
  ``Time`` with its allowed values, a STRUCTURE a ``swe:DataRecord``, a CHOICE a
  ``swe:DataChoice``, an option that may repeat a ``swe:DataArray`` of them.
* Selections (the broker's stored shape: ``{"name", "values": [...]}`` or
  ``{"name", "children": [...]}``) are read from, and written as, ``ParameterData`` in
  XMLEncoding: one element per option, its local name the option's name.

Option names are free text, SWE field names and XML element names are NCNames: :func:`ncname`
maps one to the other the way .NET's XmlConvert.EncodeLocalName does (``Output Format`` ->
``Output_x0020_Format``), which is injective, so :func:`option_name` maps back. Names that already
are NCNames (most of them) stay as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from broker.options import MASK
from clearinghouse.oseo.errors import InvalidParameterValue
from clearinghouse.oseo.names import E_OSEO, E_SWE, OPTIONS, OSEO, SWE, XLINK, qname

Node = dict[str, Any]

#: What an encrypted value the caller forgot to mask is shown as: never its ciphertext.
#: How deep a client's option elements may nest (the broker's definitions nest far less).
MAX_DEPTH = 16
ISO8601_UOM = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

_START = re.compile(r"[A-Za-z_]")
_CHAR = re.compile(r"[A-Za-z0-9._-]")
_ESCAPE = re.compile(r"_x([0-9A-F]{4}|[0-9A-F]{8})_")
# xs:double's lexical space (the SWE value lists are doubles).
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?")


# ------------------------------------------------------------------------------------ names


def ncname(name: str) -> str:
    """The NCName standing for an option name in SWE field names and option elements."""
    out = []
    for index, char in enumerate(name):
        if char == "_" and _ESCAPE.match(name, index):
            out.append("_x005F_")  # a literal "_x0020_" must not read back as a space
        elif (_START if index == 0 else _CHAR).fullmatch(char):
            out.append(char)
        else:
            code = ord(char)
            out.append(f"_x{code:04X}_" if code <= 0xFFFF else f"_x{code:08X}_")
    return "".join(out) or "_"


def option_name(text: str) -> str:
    """The option name an NCName from :func:`ncname` stands for (other text comes back as is)."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(decode, text)


def names_match(given: str, name: str) -> bool:
    """Whether an option element's name designates the option called ``name``: clients may use
    the NCName of our GetOptions answer or, where it is one, the name itself."""
    return given == name or given == ncname(name)


# ------------------------------------------------------------------- selections from requests


def selection_of(values: Iterable[etree._Element]) -> list[Node]:
    """The stored selection shape of the option elements inside ``values`` elements.

    An element with child elements is a complex option; repeated childless elements of one name
    are one simple option with several values. Namespaces are ignored, values stripped.
    """
    return _nodes([child for element in values for child in element], depth=1)


def _nodes(elements: list[etree._Element], depth: int) -> list[Node]:
    nodes: list[Node] = []
    simple: dict[str, Node] = {}
    for element in elements:
        if not isinstance(element.tag, str):
            continue  # comments
        name = etree.QName(element).localname
        children = [child for child in element if isinstance(child.tag, str)]
        if children:
            if depth >= MAX_DEPTH:
                raise InvalidParameterValue(
                    f"option {name} nests more than {MAX_DEPTH} levels deep", locator="values"
                )
            nodes.append({"name": name, "children": _nodes(children, depth + 1)})
        elif name in simple:
            simple[name]["values"].append((element.text or "").strip())
        else:
            simple[name] = {"name": name, "values": [(element.text or "").strip()]}
            nodes.append(simple[name])
    return nodes


# --------------------------------------------------------------------- selections in answers


def parameter_data(selection: list[Node]) -> etree._Element:
    """``ParameterData`` in XMLEncoding holding a stored selection, options in :data:`OPTIONS`."""
    values = etree.Element(qname(OSEO, "values"), nsmap={"opt": OPTIONS})
    _append_options(values, selection)
    return E_OSEO.ParameterData(E_OSEO.encoding("XMLEncoding"), values)


def _append_options(parent: etree._Element, nodes: list[Node]) -> None:
    for node in nodes:
        tag = qname(OPTIONS, ncname(node["name"]))
        if "children" in node:
            _append_options(etree.SubElement(parent, tag), node["children"])
            continue
        for value in node.get("values", []):
            etree.SubElement(parent, tag).text = MASK if isinstance(value, dict) else str(value)


# -------------------------------------------------------------------- definitions for GetOptions


def option_descriptor(definition: Node) -> etree._Element:
    """An ``orderOptions/option``: a DataRecord with one field, the option (as the samples do)."""
    field = E_SWE.field(component(definition), name=ncname(definition["name"]))
    return E_OSEO.option(E_SWE.DataRecord(field))


def component(definition: Node) -> etree._Element:
    """The SWE component describing one option definition, repetition included."""
    high = definition.get("max", 1)
    if high is not None and high <= 1:
        return _single(definition, described=True)
    low = max(int(definition.get("min", 1)), 0)
    count = E_SWE.Count(
        E_SWE.constraint(E_SWE.AllowedValues(E_SWE.interval(f"{low} {high or 'INF'}")))
    )
    array = _base("DataArray", definition, described=True)
    array.append(E_SWE.elementCount(count))
    item = _single(definition, described=False)
    array.append(E_SWE.elementType(item, name=ncname(definition["name"])))
    return array


def _single(definition: Node, *, described: bool) -> etree._Element:
    if definition.get("kind") == "complex":
        return _complex(definition, described)
    return _simple(definition, described)


def _base(tag: str, definition: Node, *, described: bool) -> etree._Element:
    """The component element with what every SWE component may say first: optional, label,
    description (they precede the type's own children)."""
    element = etree.Element(qname(SWE, tag))
    if not described:
        return element
    if int(definition.get("min", 1)) == 0:
        element.set("optional", "true")
    element.append(E_SWE.label(str(definition["name"])))
    if definition.get("description"):
        element.append(E_SWE.description(str(definition["description"])))
    return element


def _complex(definition: Node, described: bool) -> etree._Element:
    children = definition.get("children") or []
    if not children:  # the broker refuses these; a DataRecord needs a field
        return _base("Text", definition, described=described)
    choice = definition.get("type") == "CHOICE" and len(children) >= 2
    element = _base("DataChoice" if choice else "DataRecord", definition, described=described)
    for child in children:
        member = E_SWE.item if choice else E_SWE.field
        element.append(member(component(child), name=ncname(child["name"])))
    return element


def _simple(definition: Node, described: bool) -> etree._Element:
    kind = definition.get("type", "String")
    valids = definition.get("valids")
    low, high = definition.get("min_value"), definition.get("max_value")
    if kind == "Boolean":
        return _base("Boolean", definition, described=described)
    if kind in ("Integer", "Double"):
        tag = "Count" if kind == "Integer" else "Quantity"
        element = _base(tag, definition, described=described)
        if kind == "Double":
            element.append(E_SWE.uom(code="1"))  # a pure number: UCUM's unity
        _constrain(element, "AllowedValues", _numbers(valids, low, high))
        return element
    if kind == "Date":
        element = _base("Time", definition, described=described)
        uom = E_SWE.uom()
        uom.set(qname(XLINK, "href"), ISO8601_UOM)
        element.append(uom)
        _constrain(element, "AllowedTimes", _times(valids, low, high))
        return element
    if valids:
        element = _base("Category", definition, described=described)
        _constrain(element, "AllowedTokens", [E_SWE.value(str(v)) for v in valids])
        return element
    element = _base("Text", definition, described=described)
    if low is not None or high is not None:  # a String's bounds are lengths
        pattern = f".{{{low or 0},{'' if high is None else high}}}"
        _constrain(element, "AllowedTokens", [E_SWE.pattern(pattern)])
    return element


def _constrain(element: etree._Element, tag: str, members: list[etree._Element] | None) -> None:
    if members:
        constraint = etree.SubElement(element, qname(SWE, "constraint"))
        etree.SubElement(constraint, qname(SWE, tag)).extend(members)


def _numbers(valids: list[str] | None, low: str | None, high: str | None) -> list | None:
    """swe:value per valid, else one swe:interval from the bounds; None when some value is no
    xs:double (no constraint rather than an invalid document)."""
    if valids:
        texts = [_number(v) for v in valids]
        return None if None in texts else [E_SWE.value(t) for t in texts]
    return _interval(
        "-INF" if low is None else _number(low), "INF" if high is None else _number(high)
    )


def _times(valids: list[str] | None, low: str | None, high: str | None) -> list | None:
    if valids:
        texts = [_time(v) for v in valids]
        return None if None in texts else [E_SWE.value(t) for t in texts]
    return _interval("-INF" if low is None else _time(low), "INF" if high is None else _time(high))


def _interval(low: str | None, high: str | None) -> list | None:
    if low is None or high is None or (low, high) == ("-INF", "INF"):
        return None
    return [E_SWE.interval(f"{low} {high}")]


def _number(text: str) -> str | None:
    text = str(text).strip()
    if _DOUBLE.fullmatch(text) and math.isfinite(float(text)):
        return text
    return None


def _time(text: str) -> str | None:
    """An xs:date or xs:dateTime for a broker Date value (which may lack seconds or a zone)."""
    text = str(text).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the broker reads a zoneless time as UTC
    return moment.isoformat()
