"""The message API's ``<OptionSelection>`` (Options.dtd) as the broker's values
(``broker.api.Selection``): the door translates, the broker checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from broker.api import InvalidOptionSelection, OptionProblem, Selection, check_selection

if TYPE_CHECKING:
    from broker.crypto import OptionCipher

_TAGS = ("SimpleOptionSelection", "ComplexOptionSelection")


def selections(element: etree._Element | None) -> list[Selection] | None:
    """The selections of a DTD-valid ``<OptionSelection>`` (None: no element, nothing chosen)."""
    if element is None:
        return None
    if element.tag != "OptionSelection":
        raise InvalidOptionSelection(
            [OptionProblem(element.tag, "an OptionSelection was expected")]
        )
    return _children(element, "")


def _children(element: etree._Element | None, path: str) -> list[Selection]:
    if element is None:
        return []
    found = []
    for node in element:
        if not isinstance(node.tag, str):
            continue  # comments are no options
        if node.tag not in _TAGS:  # only without the DTD (the message API always has it)
            raise InvalidOptionSelection(
                [
                    OptionProblem(
                        path or "OptionSelection", f"<{node.tag}> is not an option selection"
                    )
                ]
            )
        name = node.findtext("OptionName") or ""
        if node.tag == "SimpleOptionSelection":
            values = tuple(value.text or "" for value in node.findall("Value"))
            found.append(Selection(name, values=values))
        else:
            inner = f"{path}/{name.strip()}" if path else name.strip()
            children = tuple(_children(node.find("ComplexValue"), inner))
            found.append(Selection(name, children=children))
    return found


def read_selection(
    element: etree._Element | None, definitions: list[dict], cipher: OptionCipher
) -> list[dict]:
    """The stored form of an ``<OptionSelection>`` checked against ``definitions``."""
    return check_selection(selections(element), definitions, cipher)
