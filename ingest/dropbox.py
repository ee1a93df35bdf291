"""A partner's drop box (CONTRACT §4): its folders, which files in it are ready, in which order.

A file is ready when nothing is writing it (the FTP server holds an exclusive ``flock`` on a file
for as long as it receives it) and, if it looks like XML, it ends with its root's end tag (ECHO's
rule, seed slide 43). A browse file is also waiting until every image it names is there, whole.
Ready files go in the seed's order (slide 44): collections, granules, metadata updates (files of
partial adds and deletes only), browse; within each, oldest first.
"""

from __future__ import annotations

import dataclasses
import enum
import errno
import fcntl
import os
import re
from pathlib import Path

from clearinghouse.errors import ClearinghouseError
from ingest import browse
from ingest.models import FileKind

#: Folders of a partner's home: the drop box, by the kind of file each takes, and the reports.
FOLDERS = {
    FileKind.COLLECTION: Path("data/collection"),
    FileKind.GRANULE: Path("data/granule"),
    FileKind.BROWSE: Path("data/browse"),
}
REPORTS = Path("reports")

_SNIFF = 64 * 1024
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*)")
_PARTIAL = re.compile(rb"<(Collection|Granule)Partial(Adds|Deletes)\b")
_SECTION = re.compile(rb"<(Collection|Granule|BrowseImage)[A-Za-z]*s\b|<\w+Inventor")


class Order(enum.IntEnum):
    COLLECTION = 0
    GRANULE = 1
    UPDATE = 2
    BROWSE = 3


@dataclasses.dataclass(frozen=True)
class Candidate:
    path: Path
    folder: FileKind  # the folder it was dropped in
    order: Order
    mtime: float


def home(root: Path, provider_id: str) -> Path:
    return root / provider_id


def ensure(root: Path, provider_id: str) -> Path:
    """Create a partner's home and its folders (when missing); return the home."""
    partner = home(root, provider_id)
    for folder in [*FOLDERS.values(), REPORTS]:
        (partner / folder).mkdir(parents=True, exist_ok=True)
    return partner


def being_written(path: Path) -> bool:
    """Whether a process (the FTP server, receiving it) holds the file's write lock."""
    try:
        with path.open("rb") as stream:
            try:
                fcntl.flock(stream.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    return True
                raise
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
    except FileNotFoundError:
        return True  # gone while we looked: not ours to take now
    return False


def _head_and_tail(path: Path) -> tuple[bytes, bytes]:
    size = path.stat().st_size
    with path.open("rb") as stream:
        head = stream.read(_SNIFF)
        stream.seek(max(0, size - 1024))
        tail = stream.read()
    return head, tail


def _looks_like_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _root(head: bytes) -> bytes | None:
    for match in _ROOT.finditer(head):
        before = head[match.start() - 1 : match.start()] if match.start() else b""
        if before not in (b"?", b"!"):
            return match.group(1)
    return None


def whole(path: Path) -> bytes | None:
    """The file's head when it is whole: not being written, and, if XML, ending with the end tag
    of its root (a file that is not XML is whole: the pipeline reports it); else None."""
    if being_written(path):
        return None
    head, tail = _head_and_tail(path)
    if not _looks_like_xml(head):
        return head
    root = _root(head)
    complete = root is not None and tail.rstrip().endswith(b"</" + root + b">")
    return head if complete else None


def _order(folder: FileKind, head: bytes) -> Order:
    if folder is FileKind.BROWSE:
        return Order.BROWSE
    first_section = _SECTION.search(head)
    partial = _PARTIAL.search(head)
    if partial is not None and (first_section is None or partial.start() <= first_section.start()):
        return Order.UPDATE
    return Order.COLLECTION if folder is FileKind.COLLECTION else Order.GRANULE


def _images_ready(path: Path) -> bool:
    try:
        named = browse.named_images(path)
    except ClearinghouseError:  # a broken browse file is ready: its report says what is wrong
        return True
    if browse.impossible_images(named):  # no upload can complete it: ready, to say so
        return True
    if browse.missing_images(path, named):
        return False
    return not any(being_written(path.parent / name) for name, _, _ in named)


def ready(root: Path, provider_id: str) -> list[Candidate]:
    """The files of a partner's drop box that can be ingested now, in the order to ingest them."""
    partner = home(root, provider_id)
    found = []
    for kind, folder in FOLDERS.items():
        directory = partner / folder
        if not directory.is_dir():
            continue
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                    continue
                path = Path(entry.path)
                if kind is FileKind.BROWSE and not entry.name.lower().endswith(".xml"):
                    continue  # an image: it goes with the browse file that names it
                head = whole(path)
                if head is None:
                    continue
                if kind is FileKind.BROWSE and _looks_like_xml(head) and not _images_ready(path):
                    continue
                found.append(Candidate(path, kind, _order(kind, head), entry.stat().st_mtime))
    return sorted(found, key=lambda c: (c.order, c.mtime, c.path.name))
