"""The broker's refusals that concern particular order items: the items (catalog item ids) are a
field, so each door names them in its own words without reading the message."""

from __future__ import annotations

from clearinghouse.errors import Conflict, Forbidden, NotFound


class _AboutItems:
    def __init__(self, message: str, *, items: tuple[str, ...] | list[str] = ()):
        super().__init__(message)  # type: ignore[call-arg]
        self.items = tuple(items)


class ItemForbidden(_AboutItems, Forbidden):
    """An item the caller may not order (403)."""


class ItemNotFound(_AboutItems, NotFound):
    """Items that do not exist, or not for the caller (404)."""


class ItemConflict(_AboutItems, Conflict):
    """Items already in the order (409)."""
