"""Building and reading the interface's XML, kept in this one module so the rest of the toolkit
deals in Python values."""

from __future__ import annotations

import functools

from lxml import etree
from lxml.builder import E as _E

__all__ = ["E", "child", "flag", "optional", "serialize", "text", "texts"]


class _Builder:
    """lxml's element maker, refusing text XML cannot carry (a NUL, a control character) as the
    toolkit's InvalidValue rather than lxml's ValueError."""

    def __call__(self, tag: str, *children, **attributes) -> etree._Element:
        try:
            return _E(tag, *children, **attributes)
        except ValueError:
            from clearinghouse_client.errors import InvalidValue

            # The value is not shown: it may be a password.
            raise InvalidValue(
                f"{tag}: holds a character XML cannot carry (a NUL or another control character)"
            ) from None

    def __getattr__(self, tag: str):
        return functools.partial(self, tag)


#: Builds elements: ``E.Login(E.UserName("ann"))``.
E = _Builder()


def serialize(document: etree._Element | bytes) -> bytes:
    """A document as the bytes sent (UTF-8, declared)."""
    if isinstance(document, bytes):
        return document
    return etree.tostring(document, encoding="UTF-8", xml_declaration=True)


def optional(tag: str, value) -> list[etree._Element]:
    """``[<tag>value</tag>]``, or ``[]`` when the value is None; booleans as true/false."""
    if value is None:
        return []
    if isinstance(value, bool):
        value = "true" if value else "false"
    return [E(tag, str(value))]


def text(element: etree._Element | None, path: str, default: str | None = None) -> str | None:
    """The stripped text at ``path``, or ``default`` when it is absent."""
    if element is None:
        return default
    found = element.find(path)
    if found is None:
        return default
    return (found.text or "").strip()


def texts(element: etree._Element | None, path: str) -> list[str]:
    """The stripped texts of every element at ``path``."""
    if element is None:
        return []
    return [(found.text or "").strip() for found in element.findall(path)]


def flag(element: etree._Element | None, path: str) -> bool | None:
    """A true/false field."""
    value = text(element, path)
    return None if value is None else value.lower() in ("true", "1", "yes", "y")


def child(element: etree._Element, tag: str) -> etree._Element:
    """The one child of ``element`` with ``tag``; an UnexpectedAnswer when missing."""
    found = element.find(tag)
    if found is None:
        from clearinghouse_client.errors import UnexpectedAnswer

        raise UnexpectedAnswer(f"<{element.tag}> has no <{tag}>")
    return found
