"""Reading an ingest file as a stream of records, each validated where it stands.

The file is parsed with the hardened streaming parser (``clearinghouse.xmlsafe``) and never held
whole: each record (a ``Granule`` of ``Granules``, a ``GranuleDelete`` of ``GranuleDeletes``…) is
validated against the file's DTD and the code checks as soon as its end tag arrives, handed to the
caller, then dropped. A record that fails is handed over with its problems, so that the report can
name it and the rest of the file goes on. What makes the whole file unusable (not XML, no XML
header, a root the project does not ingest, a foreign DOCTYPE, a section out of place, broken XML
part-way) raises :class:`FileRejected`, or :class:`BrokenFile` once records have been read.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

import dtd
from clearinghouse import xmlsafe
from clearinghouse.errors import ClearinghouseError
from dtd.build import XSI_ATTRIBUTES
from ingest.checks import Checker, Problem, attribute_problems
from ingest.models import FileKind


class Action(enum.Enum):
    INSERT = "insert"  # insert, or replace when newer
    PARTIAL_ADD = "partial add"
    PARTIAL_DELETE = "partial delete"
    DELETE = "delete"
    VERIFY = "verify"
    INVENTORY_START = "inventory start"  # which collection an inventory is about
    INVENTORY = "inventory"  # one listed reference
    INVENTORY_END = "inventory end"


#: Per root element: its file kind, DTD and sections (section → action and record element).
LAYOUTS: dict[str, tuple[FileKind, str, dict[str, tuple[Action, str]]]] = {
    "CollectionMetaDataFile": (
        FileKind.COLLECTION,
        "collection.dtd",
        {
            "Collections": (Action.INSERT, "Collection"),
            "CollectionPartialAdds": (Action.PARTIAL_ADD, "CollectionPartialAdd"),
            "CollectionPartialDeletes": (Action.PARTIAL_DELETE, "CollectionPartialDelete"),
            "CollectionDeletes": (Action.DELETE, "CollectionDelete"),
            "CollectionVerifications": (Action.VERIFY, "Collection"),
            "CollectionInventory": (Action.INVENTORY, "CollectionReferences"),
        },
    ),
    "GranuleMetaDataFile": (
        FileKind.GRANULE,
        "granule.dtd",
        {
            "Granules": (Action.INSERT, "Granule"),
            "GranulePartialAdds": (Action.PARTIAL_ADD, "GranulePartialAdd"),
            "GranulePartialDeletes": (Action.PARTIAL_DELETE, "GranulePartialDelete"),
            "GranuleDeletes": (Action.DELETE, "GranuleDelete"),
            "GranuleVerifications": (Action.VERIFY, "Granule"),
            "GranuleInventories": (Action.INVENTORY, "GranuleInventory"),
        },
    ),
    "BrowseMetaDataFile": (
        FileKind.BROWSE,
        "browse.dtd",
        {
            "BrowseImages": (Action.INSERT, "BrowseImage"),
            "BrowseImageDeletes": (Action.DELETE, "BrowseImageDelete"),
            "BrowseInventories": (Action.INVENTORY, "BrowseInventory"),
        },
    ),
}
#: Inventory sections are read reference by reference (one may list millions): per section, the
#: inventory element, the one naming its collection, and the path from it to each reference.
INVENTORIES = {
    "CollectionInventory": ("CollectionReferences", None, ("CollectionRef",)),
    "GranuleInventories": ("GranuleInventory", "CollectionRef", ("GranuleURs", "GranuleUR")),
    "BrowseInventories": (
        "BrowseInventory",
        "CollectionRef",
        ("ProviderBrowseIds", "ProviderBrowseId"),
    ),
}
#: ECHO's own names for its ingest DTDs, which partners' DOCTYPEs may still name.
ECHO_DTD_NAMES = {
    "CollectionMetaDataFile": "collectioningest.dtd",
    "GranuleMetaDataFile": "granuleingest.dtd",
    "BrowseMetaDataFile": "browseingest.dtd",
}
_SNIFF = 4096


class FileRejected(ClearinghouseError):
    """The file as a whole cannot be ingested; nothing of it was read into the catalog."""

    code = "FileRejected"
    status = 400

    def __init__(self, reason: str, message: str, *, line=None, column=None):
        super().__init__(message, line=line, column=column)
        self.reason = reason  # the file error report's category


class BrokenFile(FileRejected):
    """The XML breaks off or goes wrong after some records were read: those stand, none after."""


@dataclass
class Record:
    section: str
    action: Action
    element: etree._Element | None
    line: int
    problems: list[Problem] = field(default_factory=list)
    #: The record as bytes, not yet checked, when it is to be checked elsewhere (``check_raw``).
    raw: bytes | None = None
    #: What to add to the element's own line numbers to get the file's (a record parsed alone).
    line_shift: int = 0


@dataclass
class IngestFile:
    path: Path
    root: str
    kind: FileKind
    records: Iterator[Record]


@cache
def _checker(kind: FileKind) -> Checker:
    return Checker(kind.value)


def open_file(path: Path, *, raw: frozenset[Action] = frozenset()) -> IngestFile:
    """Check the file's head and root, and return its records as a lazy stream. Records of the
    ``raw`` actions come unchecked, as bytes, for ``check_raw`` to check (in another process)."""
    with path.open("rb") as stream:
        head = stream.read(_SNIFF)
    _check_head(head)
    root, doctype_name, system_id = _root_of(path)
    if root not in LAYOUTS:
        known = ", ".join(LAYOUTS)
        raise FileRejected(
            "WrongRoot", f"the root element is {root}; an ingest file's is one of {known}", line=1
        )
    kind, dtd_name, _ = LAYOUTS[root]
    _check_doctype(root, dtd_name, doctype_name, system_id)
    _check_complete(path, root)
    return IngestFile(path, root, kind, _records(path, root, raw))


def _check_head(head: bytes) -> None:
    text = head.lstrip(b"\xef\xbb\xbf")
    if not text.strip():
        raise FileRejected("NotXML", "the file is empty")
    if not text.startswith(b"<?xml"):
        if text.lstrip().startswith(b"<"):
            raise FileRejected("NoXMLHeader", "the file has no XML header (<?xml version=…?>)")
        raise FileRejected("NotXML", "the file does not contain XML", line=1)


def _root_of(path: Path) -> tuple[str, str | None, str | None]:
    try:
        for _, element in xmlsafe.iterparse(str(path), events=("start",)):
            info = element.getroottree().docinfo
            return element.tag, info.root_name if info.doctype else None, info.system_url
    except ClearinghouseError as exc:
        raise FileRejected(exc.code, exc.message, line=exc.line, column=exc.column) from None
    raise FileRejected("NotXML", "the file has no root element")


def _check_doctype(root: str, dtd_name: str, doctype_root: str | None, system_id: str | None):
    if doctype_root is None:
        return
    if doctype_root != root:
        raise FileRejected(
            "ForeignDoctype", f"the DOCTYPE names {doctype_root} but the root is {root}", line=1
        )
    if system_id is None:
        return
    named = system_id.replace("\\", "/").rsplit("/", 1)[-1]
    if named not in (dtd_name, ECHO_DTD_NAMES[root]):
        raise FileRejected(
            "ForeignDoctype",
            f"the DOCTYPE points to {system_id}; {root} files are validated against {dtd_name} "
            "(nothing a DOCTYPE points to is ever fetched)",
            line=1,
        )


def _check_complete(path: Path, root: str) -> None:
    """ECHO's completeness rule: the file ends with its root's end tag."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        stream.seek(max(0, size - _SNIFF))
        tail = stream.read()
    if not tail.rstrip().endswith(f"</{root}>".encode()):
        raise FileRejected(
            "Incomplete", f"the file does not end with </{root}>: it is truncated or still arriving"
        )


def _records(path: Path, root: str, raw: frozenset[Action] = frozenset()) -> Iterator[Record]:
    kind, dtd_name, sections = LAYOUTS[root]
    checker = _checker(kind)
    order = checker.order(checker.root_holds["complex"])
    depth = 0
    section: str | None = None
    last_section = -1
    inventory = False
    seen_records = False
    try:
        for event, element in xmlsafe.iterparse(str(path), events=("start", "end"), huge=True):
            if event == "start":
                depth += 1
                if depth == 2:
                    section = element.tag
                    if section not in order or order.index(section) <= last_section:
                        _misplaced(section, order, root, element, seen_records)
                    last_section = order.index(section)
                    inventory = section in INVENTORIES
                if depth <= 2:  # the root and sections meet no DTD: records do
                    _check_attributes(checker, element, seen_records)
                continue
            depth -= 1
            if depth > 2 and not inventory:
                continue  # inside a record: the record's own end tag is what counts (hot path)
            if inventory and depth >= 2:
                found = _inventory(element, depth, section, checker, dtd_name)
                if found is not None:
                    yield found
                    seen_records = True
                if depth == 2 or found is not None:
                    _drop(element)
            elif depth == 2 and section in sections:
                action, record_tag = sections[section]
                if action in raw:
                    line = element.sourceline or 0
                    raw_bytes = etree.tostring(element, with_tail=False)
                    yield Record(section, action, None, line, raw=raw_bytes)
                else:
                    yield _record(element, section, action, record_tag, checker, dtd_name)
                seen_records = True
                _drop(element)
            elif depth == 1:
                if section not in sections:  # DataCenter: check it, keep nothing
                    _check_other(checker, element, root, section)
                _drop(element)
    except FileRejected:
        raise
    except ClearinghouseError as exc:
        broken = BrokenFile if seen_records else FileRejected
        raise broken(exc.code, exc.message, line=exc.line, column=exc.column) from None


def _inventory(element, depth: int, section: str, checker: Checker, dtd_name) -> Record | None:
    """The inventory record an end tag completes, if any."""
    holder, names_collection, entry_path = INVENTORIES[section]
    if depth == 2:  # the inventory ends: its own structure, references gone, is checked now
        record = Record(section, Action.INVENTORY_END, element, element.sourceline or 0)
        record.problems += checker.check_sequence(element, checker.holds_at(section, holder))
        return record
    if depth == 3 and element.tag == names_collection:
        return _checked(
            element,
            section,
            Action.INVENTORY_START,
            dtd_name,
            checker,
            (section, holder, names_collection),
        )
    if depth == 2 + len(entry_path) and element.tag == entry_path[-1]:
        return _checked(
            element, section, Action.INVENTORY, dtd_name, checker, (section, holder, *entry_path)
        )
    return None


def _checked(element, section, action, dtd_name, checker, place) -> Record:
    record = Record(section, action, element, element.sourceline or 0)
    if _invalid(record, element, dtd_name):
        return record
    record.problems += checker.check(element, checker.holds_at(*place), trust_dtd=True)
    return record


def _check_other(checker: Checker, element, root: str, section: str) -> None:
    problems = checker.check(element, checker.holds_at(section), f"{root}/{section}")
    if problems:
        raise FileRejected("InvalidDocument", str(problems[0]), line=problems[0].line)


def _check_attributes(checker: Checker, element, seen_records: bool) -> None:
    tags = [] if element.getparent() is None else [element.tag]
    problems = attribute_problems(element, checker.holds_at(*tags))
    if problems:
        cls = BrokenFile if seen_records else FileRejected
        raise cls("InvalidDocument", f"{element.tag}: {problems[0]}", line=element.sourceline)


def _misplaced(section, order, root, element, seen_records):
    cls = BrokenFile if seen_records else FileRejected
    if section not in order:
        message = f"{root} has no section {section} (sections: {', '.join(order)})"
    else:
        message = f"section {section} is out of place: the sections come in the order " + ", ".join(
            order
        )
    raise cls("InvalidDocument", message, line=element.sourceline)


def _invalid(record: Record, element, dtd_name: str) -> bool:
    """Whether the DTD refuses the element, its errors then added to the record's problems."""
    problems = _dtd_problems(dtd_name, element)
    record.problems += problems
    return bool(problems)


def _record(element, section, action, record_tag, checker, dtd_name) -> Record:
    record = Record(section, action, element, element.sourceline or 0)
    if element.tag != record_tag:
        message = f"{section} holds {record_tag} elements, not {element.tag}"
        record.problems.append(Problem(element.sourceline, f"{section}/{element.tag}", message))
        return record
    if _invalid(record, element, dtd_name):  # the structure is wrong: its values would be noise
        return record
    record.problems += checker.check(element, checker.holds_at(section, record_tag), trust_dtd=True)
    return record


_UNDECLARED = re.compile(r"No declaration for attribute (\S+) of element")


def _dtd_problems(dtd_name: str, element: etree._Element) -> list[Problem]:
    """The DTD's complaints about a record, less those about what XML Schema may accept and a
    DTD cannot declare, as it knows attributes by their prefix: namespace declarations of any
    prefix, and schema instance attributes under a prefix other than xsi (libxml2 names those
    without their prefix; ``ingest.checks`` judges every attribute by its namespace)."""
    out = []
    for error in dtd.validate(dtd_name, element):
        undeclared = _UNDECLARED.match(error.message)
        if undeclared:
            name = undeclared.group(1)
            if name.startswith("xmlns:") or name in XSI_ATTRIBUTES:
                continue
        out.append(Problem(error.line, element.tag, f"DTD: {error.message}"))
    return out


def check_raw(record: Record, kind: FileKind) -> Record:
    """Check a record read raw: parsed again on its own, validated as ``_record`` would, its lines
    put back where they are in the file."""
    root = next(name for name, layout in LAYOUTS.items() if layout[0] is kind)
    _, dtd_name, sections = LAYOUTS[root]
    _, record_tag = sections[record.section]
    element = xmlsafe.parse(record.raw, huge=True)
    checked = _record(element, record.section, record.action, record_tag, _checker(kind), dtd_name)
    shift = record.line - 1
    checked.line = record.line
    checked.problems = [
        Problem(p.line + shift if p.line else p.line, p.path, p.message) for p in checked.problems
    ]
    checked.line_shift = shift
    return checked


def _drop(element: etree._Element) -> None:
    """Free a consumed element and its already-consumed siblings: flat memory."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
