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

_NAME_FORBIDDEN = ("/", "\\", "\x00")


def named_images(path: Path) -> list[tuple[str | None, int | None, int]]:
    """(FileName, FileSize, line) of every BrowseImage the file holds a file for, streamed."""
    found = []
    for _, element in xmlsafe.iterparse(str(path), events=("end",), tag="BrowseImage", huge=True):
        name = element.findtext("FileName")
        size = element.findtext("FileSize")
        if name is not None:
            number = int(size.strip()) if size and size.strip().lstrip("-").isdigit() else None
            found.append((name.strip(), number, element.sourceline or 0))
        element.clear(keep_tail=False)
    return found


def missing_images(path: Path, named: list | None = None) -> list[str]:
    """Why the images the file names (``named``: as ``named_images`` read them) are not all
    there, complete (empty when they are)."""
    problems = []
    folder = path.parent
    for name, size, line in named_images(path) if named is None else named:
        if not name or any(c in name for c in _NAME_FORBIDDEN) or name in (".", ".."):
            problems.append(f"line {line}: {name!r} is not a plain file name")
            continue
        image = folder / name
        if image.is_symlink():  # a link could point anywhere on this machine
            problems.append(f"line {line}: the image {name} is a link, not a file")
        elif not image.is_file():
            problems.append(f"line {line}: the image {name} is not in the drop box")
        elif size is not None and image.stat().st_size != size:
            problems.append(
                f"line {line}: the image {name} has {image.stat().st_size:,} bytes, "
                f"the XML says {size:,} (still arriving?)"
            )
    return problems


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
