"""What an element's content model expected where a document broke it.

libxml2 reports a content error as the whole model and the whole list of children; a sender
wants the one place it went wrong: "expected QuoteExpirationDate, got ExpirationDate". The model
comes from the compiled DTD (lxml's element declarations), read as a regular expression over
child names and matched by derivatives, so what is expected is the DTD's, never a list of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

# A model is a tuple: ("nothing",) matches no word, ("empty",) the empty one, ("name", n),
# ("seq", a, b), ("or", a, b), ("star", a).
NOTHING = ("nothing",)
EMPTY = ("empty",)


def _seq(a, b):
    if NOTHING in (a, b):
        return NOTHING
    if a == EMPTY:
        return b
    return a if b == EMPTY else ("seq", a, b)


def _or(a, b):
    if a == NOTHING:
        return b
    if b == NOTHING or a == b:
        return a
    return ("or", a, b)


def model(declaration: etree._DTDElementContentDecl | None):
    """lxml's content declaration as a model."""
    if declaration is None:
        return EMPTY
    if declaration.type == "element":
        core = ("name", declaration.name)
    elif declaration.type == "pcdata":
        core = EMPTY  # text is not a child element
    else:
        join = _seq if declaration.type == "seq" else _or
        core = join(model(declaration.left), model(declaration.right))
    occur = declaration.occur
    if occur == "opt":
        return _or(EMPTY, core)
    if occur == "mult":
        return ("star", core)
    if occur == "plus":
        return _seq(core, ("star", core))
    return core


def nullable(m) -> bool:
    kind = m[0]
    if kind in ("empty", "star"):
        return True
    if kind == "seq":
        return nullable(m[1]) and nullable(m[2])
    if kind == "or":
        return nullable(m[1]) or nullable(m[2])
    return False


def after(m, name: str):
    """The model of what may follow once a child ``name`` has been read (a derivative)."""
    kind = m[0]
    if kind == "name":
        return EMPTY if m[1] == name else NOTHING
    if kind == "seq":
        first = _seq(after(m[1], name), m[2])
        return _or(first, after(m[2], name)) if nullable(m[1]) else first
    if kind == "or":
        return _or(after(m[1], name), after(m[2], name))
    if kind == "star":
        return _seq(after(m[1], name), m)
    return NOTHING


def firsts(m) -> list[str]:
    """Every name that may come next, in the DTD's order."""
    kind = m[0]
    if kind == "name":
        return [m[1]]
    if kind == "seq":
        names = firsts(m[1]) + (firsts(m[2]) if nullable(m[1]) else [])
    elif kind == "or":
        names = firsts(m[1]) + firsts(m[2])
    elif kind == "star":
        names = firsts(m[1])
    else:
        names = []
    return list(dict.fromkeys(names))


def required(m) -> list[str]:
    """The names one of which must come before the model can end; optional ones skipped."""
    if nullable(m):
        return []
    kind = m[0]
    if kind == "seq":
        return required(m[2]) if nullable(m[1]) else required(m[1])
    if kind == "or":
        return list(dict.fromkeys(required(m[1]) + required(m[2])))
    return [m[1]] if kind == "name" else []


@dataclass(frozen=True)
class Mismatch:
    """Where children broke a model: ``got`` is None when the element ended too soon."""

    got: str | None
    expected: tuple[str, ...]  # one of these must come here
    optional: tuple[str, ...]  # these may come here too
    may_end: bool  # the element may end here


def mismatch(m, children: list[str]) -> Mismatch | None:
    """The first place ``children`` (tag names) break ``m``; None when they follow it."""
    for name in children:
        rest = after(m, name)
        if rest == NOTHING:
            return _at(m, name)
        m = rest
    return None if nullable(m) else _at(m, None)


def _at(m, got: str | None) -> Mismatch:
    expected = required(m)
    optional = [name for name in firsts(m) if name not in expected]
    return Mismatch(got, tuple(expected), tuple(optional), nullable(m))
