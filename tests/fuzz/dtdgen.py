"""Valid messages drawn from our DTDs: every element, choice and repetition a DTD allows, with
values from tests.fuzz.hostile. A generated message follows its DTD, so the fuzz tests reach the
handlers behind validation; the mutations then break it from there."""

from __future__ import annotations

import functools

from hypothesis import strategies as st
from lxml import etree

import dtd
from tests.fuzz.hostile import text_strategy

#: Below this depth repetitions take their least count: deep documents stay small.
DEEP = 6


@functools.cache
def declarations(dtd_name: str) -> dict[str, etree._DTDElementDecl]:
    # a DTD of the generator's own: dtd.validate's are per thread and not handed out
    with dtd.path(dtd_name).open("rb") as stream:
        return {e.name: e for e in etree.DTD(stream).elements()}


def roots(dtd_name: str) -> list[str]:
    """Elements no other element of the DTD holds: a message's possible roots."""
    decls = declarations(dtd_name)
    held: set[str] = set()

    def walk(content):
        if content is None:
            return
        if content.type == "element":
            held.add(content.name)
        walk(content.left)
        walk(content.right)

    for decl in decls.values():
        walk(decl.content)
    return sorted(set(decls) - held)


def _count(draw, occur: str, depth: int) -> int:
    low = {"once": 1, "opt": 0, "mult": 0, "plus": 1}[occur]
    high = {"once": 1, "opt": 1, "mult": 2, "plus": 3}[occur]
    return low if depth > DEEP else draw(st.integers(low, high))


def _children(draw, content, depth: int) -> list[str]:
    """Names of the children one pass through a content particle makes (None: text)."""
    out: list[str | None] = []
    for _ in range(_count(draw, content.occur, depth)):
        if content.type == "pcdata":
            out.append(None)
        elif content.type == "element":
            out.append(content.name)
        elif content.type == "seq":
            out += _children(draw, content.left, depth)
            out += _children(draw, content.right, depth)
        else:  # or: binary, the right branch holding the rest of the choice
            branches = []
            node = content
            while node.type == "or" and (node is content or node.occur == "once"):
                branches.append(node.left)
                node = node.right
            branches.append(node)
            out += _children(draw, draw(st.sampled_from(branches)), depth)
    return out


@st.composite
def element(
    draw,
    dtd_name: str,
    name: str,
    known: dict | None = None,
    depth: int = 0,
    calm: bool | None = None,
):
    """One element ``name`` following ``dtd_name``, and its content: values plausible only
    (``calm``), or hostile too; drawn once per message when not given."""
    if calm is None:
        calm = draw(st.booleans())
    decl = declarations(dtd_name)[name]
    node = etree.Element(name)
    for attribute in decl.iterattributes():
        if attribute.default != "required" and draw(st.integers(0, 3)) == 0:
            continue
        if attribute.type == "enumeration":
            value = draw(st.sampled_from(attribute.values()))
        else:
            value = draw(text_strategy(attribute.name, known, calm=calm))
        node.set(attribute.name, value)
    if decl.type in ("empty", "undefined") or decl.content is None:
        return node
    if decl.type == "any":
        node.text = draw(text_strategy(name, known, calm=calm))
        return node
    children = _children(draw, decl.content, depth)
    if decl.type == "mixed" and None not in children and draw(st.booleans()):
        children.append(None)
    for child in children:
        if child is None:
            text = draw(text_strategy(name, known, calm=calm))
            if len(node):
                node[-1].tail = (node[-1].tail or "") + text
            else:
                node.text = (node.text or "") + text
        elif child in declarations(dtd_name):
            node.append(draw(element(dtd_name, child, known, depth + 1, calm)))
    return node
