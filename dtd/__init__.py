"""The project's DTDs (ingest files, service messages, partner messages, AQL), shipped as package
data, and the one way to validate against them: :func:`validate` (every error, as values) and
:func:`check` (the first, raised as the project's InvalidXML, for the documents clients send).

A compiled ``lxml.etree.DTD`` keeps the error log of its last validation on itself, and libxml2
fills in its content automata as it goes; one shared by threads tells one sender another's errors
(or none: an IndexError). So each thread compiles its own, once, and the errors leave as values.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from lxml import etree

from clearinghouse.errors import InvalidXML
from dtd.content import Mismatch, mismatch, model

__all__ = ["Invalid", "check", "names", "path", "validate"]


def path(name: str) -> Traversable:
    return files(__name__) / name


@cache
def names() -> frozenset[str]:
    """The DTD files we ship."""
    return frozenset(f.name for f in files(__name__).iterdir() if f.name.endswith(".dtd"))


@dataclass(frozen=True)
class Invalid:
    """One way an element breaks a DTD. ``element`` is the tag the error is about; for a content
    error ``mismatch`` says what was expected where, and the message says it in words."""

    message: str
    line: int | None = None
    column: int | None = None
    element: str | None = None
    mismatch: Mismatch | None = None

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"

    def without(self, names: Collection[str]) -> Invalid:
        """The same error, ``names`` no longer offered: a caller that knows they cannot come here
        (say, an outcome that answers another request) narrows what the sender is told."""
        if self.mismatch is None:
            return self
        m = self.mismatch
        narrowed = dataclasses.replace(
            m,
            expected=tuple(n for n in m.expected if n not in names),
            optional=tuple(n for n in m.optional if n not in names),
        )
        return dataclasses.replace(
            self, mismatch=narrowed, message=describe(self.element, narrowed)
        )


def validate(name: str, element: etree._Element) -> list[Invalid]:
    """Every error of ``element`` (a document or a subtree) against ``dtd/{name}``; [] if valid."""
    schema = _schema(name)
    if schema.compiled.validate(element):
        return []
    return [schema.typed(e, element) for e in schema.compiled.error_log.filter_from_errors()]


def check(name: str, element: etree._Element) -> None:
    """Raise InvalidXML for the first error of a client's document (or subtree) against
    ``dtd/{name}``, naming the DTD. Blank leaves are read as empty first: ``<X>\n</X>`` is as
    empty as ``<X/>`` to a client's eye."""
    for node in element.iter(etree.Element):
        if node.text is not None and len(node) == 0 and not node.text.strip():
            node.text = None
    errors = validate(name, element)
    if errors:
        raise InvalidXML(f"{errors[0].message} ({name})", line=errors[0].line)


def describe(tag: str, m: Mismatch) -> str:
    got = m.got if m.got is not None else f"the end of {tag}"
    if m.expected:
        text = f"{tag}: expected {_or(m.expected)}, got {got}"
        if m.optional:
            text += f" ({_or(m.optional)} may come before it)"
        return text
    could = list(m.optional) + ([f"the end of {tag}"] if m.may_end else [])
    return f"{tag}: expected {_or(could) if could else 'nothing'}, got {got}"


def _or(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


_CONTENT = re.compile(r"Element (\S+) content does not follow the DTD")


class _Schema:
    """One thread's compiled DTD and the content models read from it when first needed."""

    def __init__(self, name: str):
        with as_file(path(name)) as file:  # ours only: it may include its siblings
            self.compiled = etree.DTD(str(file))
        self._models: dict[str, tuple] | None = None

    def model(self, tag: str):
        if self._models is None:
            declared = self.compiled.iterelements()
            self._models = {d.name: model(d.content) for d in declared if d.type == "element"}
        return self._models.get(tag)

    def typed(self, error: etree._LogEntry, root: etree._Element) -> Invalid:
        line = error.line if error.line and error.line > 0 else None
        column = error.column if error.column and error.column > 0 else None
        found = _CONTENT.match(error.message)
        if found is None:
            return Invalid(error.message, line or root.sourceline, column)
        tag = found.group(1)
        content = self.model(tag)
        for node in _candidates(root, tag, line):
            where = None if content is None else mismatch(content, _child_tags(node))
            if where is not None:
                return Invalid(describe(tag, where), line or node.sourceline, column, tag, where)
        return Invalid(error.message, line or root.sourceline, column, tag)


def _candidates(root: etree._Element, tag: str, line: int | None):
    nodes = [n for n in root.iter(tag) if isinstance(n.tag, str)]
    on_line = [n for n in nodes if line is not None and n.sourceline == line]
    return on_line + [n for n in nodes if n not in on_line]


def _child_tags(node: etree._Element) -> list[str]:
    return [child.tag for child in node if isinstance(child.tag, str)]


_local = threading.local()


def _schema(name: str) -> _Schema:
    schemas = _local.__dict__.setdefault("schemas", {})
    schema = schemas.get(name)
    if schema is None:
        schema = schemas[name] = _Schema(name)
    return schema
