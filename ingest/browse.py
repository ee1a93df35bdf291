"""Browse images: the files a BrowseMetaDataFile names, checked and stored.

ECHO's completeness rule (seed slide 43): every image the XML names must be present beside it with
the size the XML gives, or nothing of the file is loaded. Stored images are kept under
``$CLEARINGHOUSE_HOME/browse/<provider>/`` by content (a new version of an image never overwrites
the one the catalog still points to until the new row is committed), and served by name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from clearinghouse import xmlsafe
from clearinghouse.errors import InvalidValue
from clearinghouse.inputs import quoted, whole_number

_NAME_FORBIDDEN = ("/", "\\", "\x00")
_NAME_BYTES = 255  # the most a file name may have on the file systems drop boxes live on
_SIZE_MAX = 2**63 - 1  # browse_images.file_size is a bigint


def named_images(path: Path) -> list[tuple[str | None, int | None, int]]:
    """(FileName, FileSize, line) of every BrowseImage the file holds a file for, streamed; a
    FileSize that is not a size is None here (the record's ingest refuses it, saying why)."""
    found = []
    for _, element in xmlsafe.iterparse(str(path), events=("end",), tag="BrowseImage", huge=True):
        name = element.findtext("FileName")
        if name is not None:
            size = _size(element.findtext("FileSize"))
            found.append((name.strip(), size, element.sourceline or 0))
        element.clear(keep_tail=False)
    return found


def file_size(text: str | None) -> int | None:
    """A FileSize as a number of bytes; InvalidValue when it is not one."""
    return None if text is None else whole_number(text, 0, _SIZE_MAX, where="FileSize")


def _size(text: str | None) -> int | None:
    try:
        return file_size(text)
    except InvalidValue:
        return None


def plain_name(name: str | None) -> bool:
    """Whether ``name`` can be a file beside the browse file (no folder, no link, not too long)."""
    return bool(
        name
        and not any(c in name for c in _NAME_FORBIDDEN)
        and name not in (".", "..")
        and len(name.encode("utf-8", "surrogatepass")) <= _NAME_BYTES
    )


def impossible_images(named: list) -> list[str]:
    """What is wrong with the names (as ``named_images`` read them) no upload can ever satisfy."""
    return [
        f"line {line}: {quoted(name)} is not a plain file name of at most {_NAME_BYTES} bytes"
        for name, _, line in named
        if not plain_name(name)
    ]


def missing_images(path: Path, named: list | None = None) -> list[str]:
    """Why the images the file names (``named``: as ``named_images`` read them) are not all
    there, complete (empty when they are)."""
    named = named_images(path) if named is None else named
    problems = impossible_images(named)
    for name, size, line in named:
        if not plain_name(name):
            continue
        try:
            problem = _absent(path.parent / name, size)
        except OSError as exc:  # whatever the file system says, it is this image's problem
            problem = f"the image {name} cannot be read ({exc.strerror})"
        if problem is not None:
            problems.append(f"line {line}: {problem}")
    return problems


def _absent(image: Path, size: int | None) -> str | None:
    if image.is_symlink():  # a link could point anywhere on this machine
        return f"the image {image.name} is a link, not a file"
    if not image.is_file():
        return f"the image {image.name} is not in the drop box"
    if size is not None and image.stat().st_size != size:
        return (
            f"the image {image.name} has {image.stat().st_size:,} bytes, the XML says"
            f" {size:,} (still arriving?)"
        )
    return None


def store(folder: Path, name: str, root: Path, provider_id: str) -> str:
    """Copy an image into the store; return its path relative to ``root``."""
    source = folder / name
    digest = hashlib.sha256()
    with source.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    relative = Path(provider_id) / digest.hexdigest()[:20] / name
    target = root / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{name}.{os.getpid()}.part")
        shutil.copyfile(source, partial)
        os.replace(partial, target)  # atomic: a reader never sees half an image
    return str(relative)
