"""Reading service messages: parsing with the hardened parser, typed field access (the DTD check
is ``dtd.check``).

Every value error names the element it comes from (``CreateUserRequest/UserName: …``), so a
client developer knows what to fix.
"""

from __future__ import annotations

from lxml import etree
from lxml.builder import E

from clearinghouse import xmlsafe
from clearinghouse.errors import ClearinghouseError, InvalidValue, MalformedXML
from clearinghouse.inputs import whole_number

__all__ = ["E", "Fields", "parse"]

#: Largest message accepted, by kind: session functions are tiny, service messages can carry
#: queries and orders.
SESSION_LIMIT = 64 * 1024
MESSAGE_LIMIT = 4 * 1024 * 1024


def parse(body: bytes | str, *, limit: int = MESSAGE_LIMIT) -> etree._Element:
    root = xmlsafe.parse(body, max_bytes=limit)
    if not isinstance(root.tag, str):
        raise MalformedXML("the document has no root element", line=1)
    return root


_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class Fields:
    """Typed access to the children of an element the DTD has already checked."""

    def __init__(self, element: etree._Element, path: str | None = None):
        self.element = element
        self.path = path or element.tag

    def _where(self, name: str) -> str:
        return f"{self.path}/{name}"

    def has(self, name: str) -> bool:
        return self.element.find(name) is not None

    def text(self, name: str, *, max_length: int | None = 1000) -> str | None:
        """The element's text, stripped; None when absent; an error when present but empty."""
        child = self.element.find(name)
        if child is None:
            return None
        value = (child.text or "").strip()
        if not value:
            raise InvalidValue(f"{self._where(name)}: must not be empty", line=child.sourceline)
        if max_length is not None and len(value) > max_length:
            raise InvalidValue(
                f"{self._where(name)}: at most {max_length} characters, not {len(value)}",
                line=child.sourceline,
            )
        return value

    def required(self, name: str, *, max_length: int | None = 1000) -> str:
        value = self.text(name, max_length=max_length)
        if value is None:
            raise InvalidValue(f"{self._where(name)}: required")
        return value

    def secret(self, name: str) -> str | None:
        """A password: kept exactly as sent (spaces count), never echoed in an error."""
        child = self.element.find(name)
        if child is None:
            return None
        if not child.text:
            raise InvalidValue(f"{self._where(name)}: must not be empty", line=child.sourceline)
        return child.text

    def texts(self, name: str) -> list[str]:
        values = []
        for child in self.element.findall(name):
            value = (child.text or "").strip()
            if not value:
                raise InvalidValue(f"{self._where(name)}: must not be empty", line=child.sourceline)
            values.append(value)
        return values

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise InvalidValue(f"{self._where(name)}: {value!r} is not true or false")

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        return whole_number(value, minimum, maximum, where=self._where(name))

    def choice(self, name: str, choices: list[str]) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        for choice in choices:
            if value.upper() == choice.upper():
                return choice
        raise InvalidValue(f"{self._where(name)}: {value!r} is not one of {', '.join(choices)}")

    def choices(self, name: str, choices: list[str]) -> list[str]:
        """Every ``name`` child, each one of ``choices`` (case-insensitive)."""
        by_upper = {choice.upper(): choice for choice in choices}
        values = []
        for value in self.texts(name):
            if value.upper() not in by_upper:
                raise InvalidValue(
                    f"{self._where(name)}: {value!r} is not one of {', '.join(choices)}"
                )
            values.append(by_upper[value.upper()])
        return values

    def child(self, name: str) -> Fields | None:
        element = self.element.find(name)
        return None if element is None else Fields(element, self._where(name))

    def children(self, name: str) -> list[Fields]:
        return [Fields(el, self._where(name)) for el in self.element.findall(name)]


def error_element(error: ClearinghouseError) -> etree._Element:
    """CONTRACT §6.1's ``<Error><Code/><Message/>[<Line/><Column/>]</Error>``."""
    element = E.Error(E.Code(error.code), E.Message(xmlsafe.xml_text(error.message)))
    if error.line is not None:
        element.append(E.Line(str(error.line)))
    if error.column is not None:
        element.append(E.Column(str(error.column)))
    return element


def boolean_text(value: bool) -> str:
    return "true" if value else "false"
