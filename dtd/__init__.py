"""The project's DTDs (ingest files, service messages, AQL), shipped as package data."""

from importlib.resources import files
from importlib.resources.abc import Traversable


def path(name: str) -> Traversable:
    return files(__name__) / name
