"""CMR's UMM-G and UMM-C JSON schemas (tests/data/umm, copied from CMR's umm-spec-lib) as
validators, for the translation tests and the search tests alike."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "data" / "umm"


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


@cache
def validator(kind: str) -> Draft7Validator:
    """``granule`` or ``collection``; both schemas name umm-cmn by its file name."""
    common = Resource.from_contents(_load("umm-cmn-json-schema.json"))
    registry = Registry().with_resource("umm-cmn-json-schema.json", common)
    name = {"granule": "umm-g-json-schema.json", "collection": "umm-c-json-schema.json"}[kind]
    return Draft7Validator(_load(name), registry=registry)


def problems(kind: str, record: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(kind).iter_errors(record)]
