"""dtd/aql.dtd accepts what the AQL schemas accept (the current CMR port and the 2014 first port)
and rejects the structural breakages they reject. Documents are generated at random from the
schemas themselves."""

from __future__ import annotations

import random
import re

import pytest
from lxml import etree

import dtd
from tests.conftest import SHARED

AQL = SHARED / "schemas" / "aql"
XSDS = {
    "current": AQL / "IIMSAQLQueryLanguage.xsd",
    "2014": AQL / "cmr-first-port-2014-08" / "IIMSAQLQueryLanguage.xsd",
}
XS = "{http://www.w3.org/2001/XMLSchema}"


def _local(node) -> str:
    return node.tag.replace(XS, "") if isinstance(node.tag, str) else ""


class Generator:
    """Random instances of an XSD of AQL's kind (named complex types, sequences, choices,
    attributes, simple content); values drawn within their facets."""

    def __init__(self, path, rng: random.Random):
        root = etree.parse(str(path)).getroot()
        self.complex = {n.get("name"): n for n in root.findall(XS + "complexType")}
        self.simple = {n.get("name"): n for n in root.findall(XS + "simpleType")}
        self.rng = rng

    def document(self) -> etree._Element:
        element = etree.Element("query")
        self._complex(element, self.complex["query"], depth=0)
        return element

    def _complex(self, element, node, depth):
        for child in node:
            tag = _local(child)
            if tag in ("sequence", "choice"):
                self._group(element, child, depth)
            elif tag == "attribute":
                self._attribute(element, child)
            elif tag in ("complexContent", "simpleContent"):
                extension = child.find(XS + "extension")
                base = extension.get("base")
                if base in self.complex:
                    self._complex(element, self.complex[base], depth)
                else:
                    element.text = self._value(base, None)
                self._complex(element, extension, depth)

    def _times(self, node, depth) -> int:
        """How many times to repeat a particle, within its bounds (deep ones: as few as may)."""
        low = int(node.get("minOccurs", "1"))
        high = node.get("maxOccurs", "1")
        high = 3 if high == "unbounded" else int(high)
        if depth > 4:
            high = low
        return self.rng.randint(low, max(low, high))

    def _group(self, element, node, depth):
        for _ in range(self._times(node, depth)):
            items = [c for c in node if _local(c) in ("element", "sequence", "choice")]
            if node.tag == XS + "choice":
                items = [self.rng.choice(items)]
            for item in items:
                if item.tag == XS + "element":
                    self._element(element, item, depth)
                else:
                    self._group(element, item, depth)

    def _element(self, parent, node, depth):
        for _ in range(self._times(node, depth)):
            child = etree.SubElement(parent, node.get("name"))
            kind = node.get("type")
            if kind in self.complex:
                self._complex(child, self.complex[kind], depth + 1)
            elif kind is not None:
                child.text = self._value(kind, None)
            elif node.find(XS + "complexType") is not None:
                self._complex(child, node.find(XS + "complexType"), depth + 1)

    def _attribute(self, element, node):
        if node.get("use") != "required" and self.rng.random() < 0.4:
            return
        element.set(node.get("name"), self._value(node.get("type"), node.find(XS + "simpleType")))

    def _value(self, kind, simple) -> str:
        rng = self.rng
        if simple is None and kind in self.simple:
            simple = self.simple[kind]
        if simple is not None:
            union = simple.find(XS + "union")
            if union is not None:
                simple = rng.choice(union.findall(XS + "simpleType"))
            restriction = simple.find(XS + "restriction")
            values = [e.get("value") for e in restriction.findall(XS + "enumeration")]
            if values:
                return rng.choice(values)
            pattern = restriction.find(XS + "pattern")
            if pattern is not None:  # digit patterns: [0-5][0-9], [0-9]{1,2}, …
                return _digits(pattern.get("value"), rng)
            if restriction.find(XS + "length") is not None:
                return ""
            low = restriction.find(XS + "minInclusive")
            high = restriction.find(XS + "maxInclusive")
            kind = restriction.get("base")
            if low is not None:
                bounds = float(low.get("value")), float(high.get("value"))
                if kind == "xs:integer":
                    return str(rng.randint(int(bounds[0]), int(bounds[1])))
                return f"{rng.uniform(*bounds):.3f}"
        if kind in ("xs:integer", "xs:int"):
            return str(rng.randint(-50, 500))
        if kind in ("xs:float", "xs:decimal"):
            return f"{rng.uniform(-100, 100):.2f}"
        return "".join(rng.choice("abcXYZ019%_ ") for _ in range(rng.randint(0, 8)))


def _digits(pattern: str, rng: random.Random) -> str:
    for _ in range(1000):
        width = rng.choice([1, 2, 4])
        candidate = str(rng.randint(0, 10**width - 1)).zfill(width)
        if re.fullmatch(pattern, candidate):
            return candidate
    raise AssertionError(f"no value for {pattern}")


def _break(document, rng) -> str:
    parents = [e for e in document.iter() if len(e)]
    parent = rng.choice(parents)
    child = rng.choice(list(parent))
    what = rng.choice(["missing", "doubled", "unknown", "moved"])
    if what == "missing":
        parent.remove(child)
    elif what == "doubled":
        child.addnext(etree.fromstring(etree.tostring(child)))
    elif what == "unknown":
        child.addnext(etree.Element("notAnAqlElement"))
    else:
        parent.remove(child)
        parent.insert(0, child)
    return what


@pytest.fixture(scope="module")
def schemas():
    return {name: etree.XMLSchema(etree.parse(str(path))) for name, path in XSDS.items()}


@pytest.mark.parametrize("port", list(XSDS))
@pytest.mark.parametrize("seed", range(150))
def test_what_the_schema_accepts_the_dtd_accepts(schemas, port, seed):
    rng = random.Random(seed)
    document = Generator(XSDS[port], rng).document()
    assert schemas[port].validate(document), schemas[port].error_log.last_error
    assert dtd.validate("aql.dtd", document) == [], etree.tostring(document)[:800]
    for _ in range(3):
        broken = etree.fromstring(etree.tostring(document))
        what = _break(broken, rng)
        official = [s.validate(broken) for s in schemas.values()]
        if any(official):
            continue  # harmless (an optional element gone, a list grown) to one of the ports
        assert dtd.validate("aql.dtd", broken), (what, schemas[port].error_log.last_error)
