"""Option selections (CONTRACT §7.3, seed slides 68–70): a user's choices, handed over by a door
as :class:`Selection` values, checked against the definitions that apply to the item, stored as
JSON, and rendered back as ``<OptionSelection>`` XML (for the partner and the message API).

Every violation is collected and reported at once, each as ``path: problem``, so a client fixes a
form in one round trip. An encrypted option's value is encrypted as soon as it is read, and is
never written into a message, a log line or a client's answer ("the value" stands in for it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml.builder import E

from broker.option_definitions import BadValue, Node, bound_problem, key, normalise
from clearinghouse.errors import InvalidValue

if TYPE_CHECKING:
    from broker.crypto import OptionCipher

MASK = "********"
MAX_SELECTIONS = 1000
MAX_VALUE_BYTES = 64 * 1024
_SHOWN_LENGTH = 60  # of a value or unknown name quoted in a message


@dataclasses.dataclass(frozen=True)
class Selection:
    """One option selected, as every door hands it to the broker: a simple option's ``values``,
    or a complex option's own ``children`` selections (exactly one of the two is not None)."""

    name: str
    values: tuple[str, ...] | None = None
    children: tuple[Selection, ...] | None = None

    @property
    def simple(self) -> bool:
        return self.children is None


@dataclasses.dataclass(frozen=True)
class OptionProblem:
    """One way a selection breaks its definitions: where (an option path such as
    ``Package/MediaType/FTPPush``, or ``OptionSelection`` for the whole) and what."""

    path: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


class InvalidOptionSelection(InvalidValue):
    """A selection breaking its definitions: ``found`` holds each problem with its path,
    ``problems`` the same as ``path: problem`` text, ``item`` the catalog item id (if known)."""

    code = "InvalidOptionSelection"

    def __init__(self, found: list[OptionProblem], *, item: str | None = None):
        self.found = list(found)
        self.item = item
        self.problems = [str(problem) for problem in self.found]
        joined = "; ".join(self.problems)
        super().__init__(f"{item}: {joined}" if item else joined)

    def about(self, item: str) -> InvalidOptionSelection:
        """The same problems, as those of the order item ``item``."""
        return InvalidOptionSelection(self.found, item=item)


def check_selection(
    selections: list[Selection] | None, definitions: list[Node], cipher: OptionCipher
) -> list[Node]:
    """The stored form of ``selections`` (None: nothing selected), checked against the root
    definitions that apply, which it selects among as a STRUCTURE would."""
    nodes = list(selections or [])
    _check_size(nodes)
    reader = _Reader(cipher)
    stored = reader.group(nodes, definitions, "", choice=False)
    if reader.problems:
        raise InvalidOptionSelection(reader.problems)
    return stored


def _walk(selections: list[Selection] | tuple[Selection, ...]) -> Iterator[Selection]:
    for selection in selections:
        yield selection
        yield from _walk(selection.children or ())


def _check_size(selections: list[Selection]) -> None:
    # Before any work: the walk below is linear, but the message listing problems must stay small.
    count = sum(1 for _ in _walk(selections))
    if count > MAX_SELECTIONS:
        raise InvalidOptionSelection(
            [
                OptionProblem(
                    "OptionSelection", f"at most {MAX_SELECTIONS} option selections, not {count}"
                )
            ]
        )
    size = sum(len(value.encode()) for s in _walk(selections) for value in s.values or ())
    if size > MAX_VALUE_BYTES:
        raise InvalidOptionSelection(
            [
                OptionProblem(
                    "OptionSelection", f"at most {MAX_VALUE_BYTES} bytes of values, not {size}"
                )
            ]
        )


def stored_selections(stored: list[Node], cipher: OptionCipher) -> list[Selection]:
    """A stored selection as the values it was made of (encrypted values revealed), to check it
    again against definitions that may have changed since."""
    return [
        Selection(
            node["name"],
            values=tuple(
                cipher.decrypt(v["encrypted"]) if isinstance(v, dict) else v for v in node["values"]
            ),
        )
        if "values" in node
        else Selection(node["name"], children=tuple(stored_selections(node["children"], cipher)))
        for node in stored
    ]


class _Reader:
    def __init__(self, cipher: OptionCipher):
        self.cipher = cipher
        self.problems: list[OptionProblem] = []

    def problem(self, path: str, text: str) -> None:
        self.problems.append(OptionProblem(path or "OptionSelection", text))

    def group(
        self, nodes: list[Selection], definitions: list[Node], path: str, *, choice: bool
    ) -> list[Node]:
        """The selections inside one container: the roots, a STRUCTURE or a CHOICE."""
        by_name: dict[str, Node] = {}
        for definition in definitions:
            by_name.setdefault(definition["name"], definition)  # the first of a repeated name wins
        picked: dict[str, list[Selection]] = {}
        for node in nodes:
            name = self.option_name(node, path, list(by_name))
            if name is not None:
                picked.setdefault(name, []).append(node)
        if choice:
            self.check_choice(path, list(by_name), [name for name in by_name if name in picked])
        stored: list[Node] = []
        for name, definition in by_name.items():  # stored in definition order, the partner's
            stored += self.option(definition, picked.get(name, []), _join(path, name), choice)
        return stored

    def option_name(self, node: Selection, path: str, names: list[str]) -> str | None:
        """The defined option a node selects, or None after reporting why there is none."""
        name = node.name.strip()
        if not name:
            self.problem(path, "an option selection has an empty OptionName")
        elif name not in names:
            here = f"options here are {', '.join(names)}" if names else "no options apply here"
            self.problem(_join(path, _shown(name)), f"no such option; {here}")
        else:
            return name
        return None

    def check_choice(self, path: str, names: list[str], chosen: list[str]) -> None:
        if not chosen:
            self.problem(path, f"choose one of {', '.join(names)}")
        elif len(chosen) > 1:
            self.problem(path, f"choose only one of {', '.join(names)}, not {_and(chosen)}")

    def option(
        self, definition: Node, nodes: list[Selection], path: str, in_choice: bool
    ) -> list[Node]:
        simple = definition["kind"] == "simple"
        if any(node.simple != simple for node in nodes):
            self.problem(
                path,
                "is a simple option: give its values in Value elements, not a ComplexValue"
                if simple
                else "is a complex option: select its children in a ComplexValue, not Values",
            )
            return []  # its count and contents would only repeat the same mistake
        if in_choice and not nodes:
            return []  # an option not chosen: its MinOccurs does not apply
        if simple:
            return self.simple(definition, nodes, path, in_choice)
        return self.complex(definition, nodes, path, in_choice)

    def simple(
        self, definition: Node, nodes: list[Selection], path: str, in_choice: bool
    ) -> list[Node]:
        texts = [value for node in nodes for value in node.values or ()]
        self.check_count(definition, len(texts), path, "value", in_choice)
        if not nodes:
            return []
        values = [self.value(definition, text, path) for text in texts]
        return [{"name": definition["name"], "values": values}]

    def complex(
        self, definition: Node, nodes: list[Selection], path: str, in_choice: bool
    ) -> list[Node]:
        self.check_count(definition, len(nodes), path, "selection", in_choice)
        stored = []
        for index, node in enumerate(nodes, 1):
            where = path if len(nodes) == 1 else f"{path}[{index}]"  # which of several is wrong
            children = self.group(
                list(node.children or ()),
                definition["children"],
                where,
                choice=definition["type"] == "CHOICE",
            )
            stored.append({"name": definition["name"], "children": children})
        return stored

    def check_count(
        self, definition: Node, count: int, path: str, unit: str, in_choice: bool
    ) -> None:
        low = max(definition["min"], 1) if in_choice else definition["min"]
        high = definition["max"]
        if count < low:
            if low == 1 and count == 0:
                self.problem(path, "required")
            else:
                self.problem(path, f"at least {low} {_plural(unit, low)}, not {count}")
        elif high is not None and count > high:
            self.problem(path, f"at most {high} {_plural(unit, high)}, not {count}")

    def value(self, definition: Node, raw: str, path: str) -> Any:
        """The stored value (a normalised string, or its encrypted token in a dict)."""
        text = raw.strip()
        secret = definition["encrypted"]
        subject = "the value" if secret else f"'{_shown(text)}'"
        kind = definition["type"]
        if not text:
            self.problem(path, "a Value must not be empty")
            return None
        try:
            normal = normalise(kind, text)
        except BadValue as exc:
            self.problem(path, f"{subject} {exc}")
            return None
        valids = definition.get("valids")
        if valids is not None and key(kind, normal) not in {key(kind, v) for v in valids}:
            self.problem(path, f"{subject} is not one of {', '.join(valids)}")
        else:
            bound = bound_problem(kind, normal, definition["min_value"], definition["max_value"])
            if bound is not None:
                self.problem(path, bound if kind == "String" else f"{subject} {bound}")
        return {"encrypted": self.cipher.encrypt(normal)} if secret else normal


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _plural(unit: str, count: int) -> str:
    return unit if count == 1 else unit + "s"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- showing a stored selection -------------------------------------------------------------------


def selection_element(
    stored: list[Node],
    definitions: list[Node],
    cipher: OptionCipher | None = None,
    *,
    reveal: bool,
) -> etree._Element:
    """The stored selection as ``<OptionSelection>`` XML following Options.dtd. Encrypted values
    are ``********`` unless ``reveal`` (the partner's order message only, which needs the cipher).
    The definitions mask a value stored in clear before its option became encrypted."""
    return E.OptionSelection(*_selection_elements(stored, definitions, cipher, reveal))


def _selection_elements(
    stored: list[Node], definitions: list[Node], cipher: OptionCipher | None, reveal: bool
) -> Iterator[etree._Element]:
    by_name: dict[str, Node] = {}
    for definition in definitions:
        by_name.setdefault(definition["name"], definition)
    for node in stored:
        definition = by_name.get(node["name"], {})
        name = E.OptionName(node["name"])
        if "values" in node:
            secret = bool(definition.get("encrypted"))
            values = [E.Value(_text(v, secret, cipher, reveal)) for v in node["values"]]
            yield E.SimpleOptionSelection(name, *values)
        else:
            children = _selection_elements(
                node["children"], definition.get("children", []), cipher, reveal
            )
            yield E.ComplexOptionSelection(name, E.ComplexValue(*children))


def _text(value: Any, secret: bool, cipher: OptionCipher | None, reveal: bool) -> str:
    if isinstance(value, dict):
        if not reveal:
            return MASK
        if cipher is None:
            raise ValueError("revealing encrypted option values needs the option cipher")
        return cipher.decrypt(value["encrypted"])
    return MASK if secret and not reveal else value


def masked(stored: list[Node]) -> list[Node]:
    """A copy of a stored selection fit for logs and JSON answers: encrypted values masked."""
    return [_masked_node(node) for node in stored]


def _masked_node(node: Node) -> Node:
    if "values" in node:
        values = [MASK if isinstance(v, dict) else v for v in node["values"]]
        return {"name": node["name"], "values": values}
    return {"name": node["name"], "children": masked(node["children"])}
