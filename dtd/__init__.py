"""The project's DTDs (ingest files, service messages, AQL), shipped as package data."""

from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from lxml import etree


def path(name: str) -> Traversable:
    return files(__name__) / name


@cache
def compiled(name: str) -> etree.DTD:
    """A DTD of ours, compiled once per process. Ours only: it may include its siblings."""
    with as_file(path(name)) as file:
        return etree.DTD(str(file))
