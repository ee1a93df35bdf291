"""A partner's option definitions as an HTML form, and the form's answers as an
``<OptionSelection>`` for the broker to check. The broker alone judges a selection; its problems
come back as ``path: problem`` and are shown beside the field of that path."""

from __future__ import annotations

import dataclasses
import re

from lxml import etree


@dataclasses.dataclass
class Option:
    name: str
    path: str
    complex: bool
    choice: bool = False
    primitive: str = "String"
    valids: list[str] = dataclasses.field(default_factory=list)
    encrypted: bool = False
    required: bool = True
    description: str = ""
    children: list[Option] = dataclasses.field(default_factory=list)

    @property
    def field(self) -> str:
        return ("choice:" if self.choice else "opt:") + self.path


def read(definitions: list[etree._Element]) -> list[Option]:
    """The form's options from ``<OptionDefinition>`` elements."""
    return [_option(d[0], "") for d in definitions if len(d)]


def _option(element: etree._Element, parent: str) -> Option:
    name = element.findtext("Name") or ""
    path = f"{parent}/{name}" if parent else name
    option = Option(
        name=name,
        path=path,
        complex=element.tag == "ComplexOption",
        choice=(element.findtext("Type") or "").upper() == "CHOICE",
        primitive=element.findtext("PrimitiveType") or "String",
        valids=[v.text or "" for v in element.iterfind("Valids/Valid")],
        encrypted=(element.findtext("Encrypted") or "").lower() in ("yes", "true"),
        required=(element.findtext("MinOccurs") or "1").strip() != "0",
        description=element.findtext("Description") or "",
    )
    option.children = [
        _option(child, path) for child in element if child.tag in ("SimpleOption", "ComplexOption")
    ]
    return option


def selection(options: list[Option], form, item: str) -> etree._Element:
    """The ``<OptionSelection>`` the form's answers for one item make (its fields are named
    ``<item>|<field>``; empty ones are left out: the broker says what is required)."""
    root = etree.Element("OptionSelection")
    for option in options:
        _select(option, _Answers(form, f"{item}|"), root)
    return root


class _Answers:
    def __init__(self, form, prefix: str):
        self.form, self.prefix = form, prefix

    def get(self, name: str, default: str = "") -> str:
        return self.form.get(self.prefix + name, default)


def _select(option: Option, form, parent: etree._Element) -> None:
    if not option.complex:
        value = form.get(option.field, "")
        if value != "":
            node = etree.SubElement(parent, "SimpleOptionSelection")
            etree.SubElement(node, "OptionName").text = option.name
            etree.SubElement(node, "Value").text = value
        return
    value = etree.Element("ComplexValue")
    children = option.children
    if option.choice:
        picked = form.get(option.field, "")
        children = [child for child in children if child.name == picked]
    for child in children:
        _select(child, form, value)
    if len(value) or (option.choice and children):
        node = etree.SubElement(parent, "ComplexOptionSelection")
        etree.SubElement(node, "OptionName").text = option.name
        node.append(value)


def problems_by_item(error, forms: dict[str, list[Option]]) -> dict[str, dict]:
    """The problems of a refused selection (``InvalidOptionSelection``) under the item they are
    of (the broker names it first in the message; "" when it is none the form shows) and each
    under the path of the option it names there (see ``problems_by_path``)."""
    item = error.message.partition(": ")[0]
    if item not in forms:
        item = next(iter(forms)) if len(forms) == 1 else ""
    return {item: problems_by_path(error.problems, forms.get(item, []))}


def problems_by_path(problems: list[str], options: list[Option]) -> dict[str, list[str]]:
    """Each problem under the path of the option it names ("" for none the form shows); indexes
    (``Copies[2]``) dropped, since the form shows one of each."""
    known = set(_paths(options))
    found: dict[str, list[str]] = {}
    for problem in problems:
        path, _, text = problem.partition(": ")
        path = re.sub(r"\[\d+\]", "", path)
        while path and path not in known:
            path = path.rpartition("/")[0]
        found.setdefault(path, []).append(text if path else problem)
    return found


def _paths(options: list[Option]):
    for option in options:
        yield option.path
        yield from _paths(option.children)
