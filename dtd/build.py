"""Write the ingest DTDs and the ECHO 10 type table from the ECHO 10 XML Schemas.

    python -m dtd.build ../shared/schemas/echo10

The DTDs (``collection.dtd``, ``granule.dtd``, ``browse.dtd``) give every element reachable from
the file's root element one content model. XML Schema lets an element name mean different things
in different places (``Campaign`` in a collection, ``Campaign`` as a reference in a granule); a DTD
cannot, so such names get the union of their models, as loose as it takes to accept them all, and
occurrence counts a DTD cannot state (at least 3 points, at most 4 choices) are relaxed to ``+``
and ``*``. The type table (``echo10.json``) keeps what the DTDs lose, per place: each complex type's
exact content model (and whether the DTD already states it exactly), and each simple value's type
and facets; ``ingest.checks`` applies it.

The files are generated, never edited by hand; a test rebuilds them from the schemas and compares.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

XS_NS = "http://www.w3.org/2001/XMLSchema"
XS = "{" + XS_NS + "}"
COMMON = "MetadataCommon.xsd"
#: Each ingest file: its DTD, root element and schema (type names clash between schemas: both
#: Collection.xsd and Granule.xsd have a ``Spatial``, so each is read with the common one alone).
FILES = {
    "collection": ("collection.dtd", "CollectionMetaDataFile", "Collection.xsd"),
    "granule": ("granule.dtd", "GranuleMetaDataFile", "Granule.xsd"),
    "browse": ("browse.dtd", "BrowseMetaDataFile", "Browse.xsd"),
}
TABLE = "echo10.json"
FACETS = (
    "minLength",
    "maxLength",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "totalDigits",
    "fractionDigits",
)
UNBOUNDED = -1


@dataclass
class Particle:
    """An element or a group (sequence/choice) with its occurrence bounds."""

    kind: str  # "element", "sequence", "choice"
    low: int
    high: int  # UNBOUNDED for unbounded
    name: str = ""
    items: list[Particle] = field(default_factory=list)


class Schema:
    def __init__(self, folder: Path, schema_file: str):
        self.complex: dict[str, etree._Element] = {}
        self.simple: dict[str, etree._Element] = {}
        self.elements: dict[str, etree._Element] = {}
        for name in (COMMON, schema_file):
            root = etree.parse(str(folder / name)).getroot()
            for node in root.findall(XS + "complexType"):
                self.complex[node.get("name")] = node
            for node in root.findall(XS + "simpleType"):
                self.simple[node.get("name")] = node
            for node in root.findall(XS + "element"):
                self.elements[node.get("name")] = node
        self.contexts: dict[str, dict] = {}
        self.nodes: dict[str, etree._Element] = {}  # context id → its complexType

    # -- type table ------------------------------------------------------------------------

    def context_of(self, element: etree._Element, parent: str) -> dict:
        """What an element declaration holds: a complex context (by id), EMPTY, or a value; and
        its named type as ``{namespace}name`` (what an ``xsi:type`` on it may name)."""
        holds = self._holds(element, parent)
        if element.get("type"):
            holds["type"] = _qname(element, element.get("type"))
        return holds

    def _holds(self, element: etree._Element, parent: str) -> dict:
        type_name = _local(element.get("type"))
        inline = element.find(XS + "complexType")
        if inline is not None:
            return self._complex(inline, f"{parent}/{element.get('name')}")
        if type_name in self.complex:
            return self._complex(self.complex[type_name], type_name)
        inline_simple = element.find(XS + "simpleType")
        if inline_simple is not None:
            return {"value": self._simple(inline_simple)}
        if type_name in self.simple:
            return {"value": self._simple(self.simple[type_name])}
        return {"value": {"base": type_name or "string"}}

    def _complex(self, node: etree._Element, context_id: str) -> dict:
        if context_id not in self.contexts:
            self.nodes[context_id] = node
            self.contexts[context_id] = {}  # placeholder: types may be recursive
            group = _group_of(node)
            particle = self._particle(group) if group is not None else None
            children: dict[str, dict] = {}
            for element in _declared_elements(group):
                children[element.get("name")] = self.context_of(element, context_id)
            self.contexts[context_id] = {
                "model": _regex(particle) if particle is not None else "",
                "children": children,
            }
        if _group_of(node) is None:
            return {"empty": True}
        return {"complex": context_id}

    def _particle(self, node: etree._Element) -> Particle:
        low = int(node.get("minOccurs", "1"))
        high_text = node.get("maxOccurs", "1")
        high = UNBOUNDED if high_text == "unbounded" else int(high_text)
        kind = _local(node.tag)
        if kind == "element":
            return Particle("element", low, high, name=node.get("name"))
        items = [
            self._particle(child)
            for child in node
            if _local(child.tag) in ("element", "sequence", "choice")
        ]
        return Particle(kind, low, high, items=items)

    def _simple(self, node: etree._Element) -> dict:
        restriction = node.find(XS + "restriction")
        base = _local(restriction.get("base"))
        spec = dict(self._simple(self.simple[base])) if base in self.simple else {"base": base}
        values = [e.get("value") for e in restriction.findall(XS + "enumeration")]
        if values:
            spec["enum"] = values
        for facet in FACETS:
            found = restriction.find(XS + facet)
            if found is not None:
                spec[facet] = found.get("value")
        return spec


def _group_of(node: etree._Element) -> etree._Element | None:
    for child in node:
        if _local(child.tag) in ("sequence", "choice"):
            return child
    return None


def _declared_elements(group: etree._Element | None) -> list[etree._Element]:
    """Element declarations of a group and its nested groups (not of nested elements)."""
    if group is None:
        return []
    out = []
    for child in group:
        kind = _local(child.tag)
        if kind == "element":
            out.append(child)
        elif kind in ("sequence", "choice"):
            out.extend(_declared_elements(child))
    return out


def _qname(node: etree._Element, name: str) -> str:
    """A QName written in the schema, resolved: ``{namespace}local``, or ``local`` when in no
    namespace (the ECHO 10 schemas have no target namespace)."""
    prefix, _, local = name.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    return f"{{{namespace}}}{local}" if namespace else local


def _local(name) -> str:
    if not isinstance(name, str) or not name:  # comments have a function for a tag
        return ""
    return name.split("}")[-1].split(":")[-1]


def _regex(particle: Particle) -> str:
    """The content model as a regular expression over the children's names, each as <Name>."""
    if particle.kind == "element":
        body = f"<{particle.name}>"
    else:
        joiner = "" if particle.kind == "sequence" else "|"
        body = "(?:" + joiner.join(_regex(item) for item in particle.items) + ")"
    if (particle.low, particle.high) == (1, 1):
        return body
    high = "" if particle.high == UNBOUNDED else str(particle.high)
    if particle.kind == "element":
        body = f"(?:{body})"
    return f"{body}{{{particle.low},{high}}}"


# -- DTDs ---------------------------------------------------------------------------------------


def _dtd_model(particle: Particle) -> str:
    """A deterministic DTD content particle that accepts at least what ``particle`` does."""
    expr, nullable, repeats, _ = _dtd_parts(particle)
    return expr + _suffix(nullable, repeats)


def _dtd_parts(particle: Particle) -> tuple[str, bool, bool, bool]:
    """Expression, own occurrence (may be absent, may repeat), and whether it can match nothing."""
    nullable = particle.low == 0
    repeats = particle.high == UNBOUNDED or particle.high > 1
    if particle.kind == "element":
        return particle.name, nullable, repeats, nullable
    if particle.kind == "sequence":
        parts = [_dtd_parts(item) for item in particle.items]
        expr = "(" + ",".join(e + _suffix(n, r) for e, n, r, _ in parts) + ")"
        return expr, nullable, repeats, nullable or all(empty for *_, empty in parts)
    # A choice: its branches' own occurrences move out to the choice (keeps it deterministic).
    branches = [_dtd_parts(item) for item in particle.items]
    expr = (
        "("
        + "|".join(
            e if item.kind == "element" else e + _suffix(n, r)
            for (e, n, r, _), item in zip(branches, particle.items, strict=True)
        )
        + ")"
    )
    pairs = zip(branches, particle.items, strict=True)
    elements = [branch for branch, item in pairs if item.kind == "element"]
    nullable = nullable or any(empty for *_, empty in branches)
    repeats = repeats or any(r for _, _, r, _ in elements)
    return expr, nullable, repeats, nullable


_PLAIN = {(0, 1), (1, 1), (0, UNBOUNDED), (1, UNBOUNDED)}


def _exact(particle: Particle) -> bool:
    """Whether the DTD particle says exactly what the schema's does (no count relaxed, no branch
    occurrence moved out of a choice)."""
    if (particle.low, particle.high) not in _PLAIN:
        return False
    if particle.kind == "element":
        return True
    if particle.kind == "sequence":
        return all(_exact(item) for item in particle.items)
    # (a?|b) is written (a|b)?, the same; (a*|b) is written (a|b)*, which is not.
    once = {(0, 1), (1, 1)}
    return all((item.low, item.high) in once and _exact(item) for item in particle.items)


def _suffix(nullable: bool, repeats: bool) -> str:
    return {(False, False): "", (True, False): "?", (False, True): "+", (True, True): "*"}[
        (nullable, repeats)
    ]


def build_dtd(schema: Schema, root: str) -> tuple[str, set[str]]:
    """The DTD of one ingest file (every element reachable from ``root``, one model each), and
    the contexts whose content model it states exactly wherever they stand."""
    models: dict[str, set[str]] = defaultdict(set)
    holders: dict[str, set[str]] = defaultdict(set)  # context → element names holding it
    inexact: set[str] = set()
    children_of: dict[str, set[str]] = defaultdict(set)
    order: list[str] = []
    seen_contexts: set[str] = set()

    def visit(name: str, holds: dict) -> None:
        if name not in models:
            order.append(name)
        if "value" in holds:
            models[name].add("#PCDATA")
            return
        if "empty" in holds:
            models[name].add("EMPTY")
            return
        context_id = holds["complex"]
        holders[context_id].add(name)
        node = schema.nodes[context_id]
        group = _group_of(node)
        if group is None:
            models[name].add("EMPTY")
        else:
            particle = schema._particle(group)
            models[name].add(_dtd_model(particle))
            if not _exact(particle):
                inexact.add(name)
            children_of[name].update(e.get("name") for e in _declared_elements(group))
        if context_id in seen_contexts:
            return
        seen_contexts.add(context_id)
        for child, child_holds in schema.contexts[context_id]["children"].items():
            visit(child, child_holds)

    visit(root, schema.context_of(schema.elements[root], ""))
    lines = [
        f"<!-- {root}: the project's DTD for ECHO 10 ingest files, generated by dtd/build.py from",
        "     the ECHO 10 XML Schemas. Do not edit by hand. Values are typed in ingest/checks.py",
        "     from echo10.json. -->",
        INSTANCE,
    ]
    for name in order:
        lines.append(f"<!ELEMENT {name} {_union(models[name], children_of[name])}>")
        lines.append(f"<!ATTLIST {name} %instance;>")
    exact = {
        cid
        for cid, names in holders.items()
        if all(len(models[n]) == 1 and n not in inexact for n in names)
    }
    return "\n".join(lines) + "\n", exact


#: The schemas declare no attributes, but an XML Schema validator accepts these on every element
#: (XML Schema Part 1, 3.2.7 and 3.4.4): namespace declarations, which it never sees as attributes,
#: and the schema instance attributes. A DTD only knows them by their prefix: ``xsi`` here;
#: declarations of other prefixes are let through by ``ingest.reader``, and what the values may be
#: (no element is nillable; ``xsi:type`` names the element's own type) is checked in
#: ``ingest.checks``.
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_ATTRIBUTES = ("schemaLocation", "noNamespaceSchemaLocation", "type", "nil")
INSTANCE = (
    '<!ENTITY % instance "xmlns CDATA #IMPLIED xmlns:xsi CDATA #IMPLIED'
    + "".join(f" xsi:{name} CDATA #IMPLIED" for name in XSI_ATTRIBUTES)
    + '">'
)


def _union(models: set[str], children: set[str]) -> str:
    if len(models) == 1:
        (model,) = models
        return "(#PCDATA)" if model == "#PCDATA" else model
    kids = sorted(children)
    if "#PCDATA" in models:
        return "(#PCDATA" + "".join(f"|{k}" for k in kids) + ")*" if kids else "(#PCDATA)"
    if not kids:
        return "EMPTY"
    return "(" + "|".join(kids) + ")*"


def build(folder: Path) -> dict[str, str]:
    """File name → content of every generated file."""
    out = {}
    table = {}
    for kind, (dtd, root, schema_file) in FILES.items():
        schema = Schema(folder, schema_file)
        out[dtd], exact = build_dtd(schema, root)
        contexts = {
            cid: {**context, "dtd_exact": cid in exact}
            for cid, context in sorted(schema.contexts.items())
        }
        table[kind] = {
            "root": root,
            "holds": schema.context_of(schema.elements[root], ""),
            "contexts": contexts,
        }
    out[TABLE] = json.dumps(table, indent=1, sort_keys=True) + "\n"
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    here = Path(__file__).resolve().parent
    for name, content in build(Path(argv[0])).items():
        (here / name).write_text(content)
        print(f"wrote {here / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
