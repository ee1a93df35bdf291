"""What every service object shares: its session and the service's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from clearinghouse_client.errors import InvalidValue

if TYPE_CHECKING:
    from clearinghouse_client.session import Session


class Service:
    """A service of the message interface, reached through a :class:`Session`."""

    #: The service's element name (``OrderEntryService``…).
    name = ""

    def __init__(self, session: Session):
        self._session = session

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._session!r}>"

    def _perform(self, request: etree._Element) -> etree._Element:
        return self._session.perform(self.name, request)


def required(path: str, value: str | None) -> str:
    """A field the server requires, refused before sending as the server words it."""
    if value is None:
        raise InvalidValue(f"{path}: required")
    if not str(value).strip():
        raise InvalidValue(f"{path}: must not be empty")
    return value
