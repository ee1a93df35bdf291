"""The official OSEO 1.0 and OWS 2.0 schemas as judges, compiled offline from ../shared.

oseo.xsd imports SWE Common, OWS and SWES by absolute http://schemas.opengis.net/... URLs (and
those import GML, ISO 19139, XLink, WS-Addressing...). An lxml ``etree.Resolver`` on the parser
that reads the schema maps those URL prefixes onto the local mirror, as the rewrite rules of
``schemas/oseo/catalog.xml`` do; the parser forbids the network, so a URL the resolver misses fails
the compilation instead of being fetched. (Setting ``XML_CATALOG_FILES`` at run time only works
while libxml2 has not loaded its catalogs yet, i.e. before any external resource was loaded in the
process: too fragile inside a test session.)
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree


def _shared() -> Path:
    sibling = Path(__file__).resolve().parents[2] / "shared"
    return sibling if sibling.is_dir() else Path("/work/shared")


SHARED = _shared()
OSEO_SCHEMAS = SHARED / "schemas" / "oseo"
OSEO_XSD = OSEO_SCHEMAS / "schemas.opengis.net" / "oseo" / "1.0" / "oseo.xsd"
OWS_EXCEPTION_XSD = OSEO_SCHEMAS / "schemas.opengis.net" / "ows" / "2.0" / "owsExceptionReport.xsd"
SAMPLES = OSEO_XSD.parent / "SampleMessages"

#: The catalog's rewrite rules: URL prefix -> folder of the local mirror.
MIRRORS = {
    "http://schemas.opengis.net/": OSEO_SCHEMAS / "schemas.opengis.net",
    "http://docs.oasis-open.org/": OSEO_SCHEMAS / "docs.oasis-open.org",
    "http://www.w3.org/": OSEO_SCHEMAS / "www.w3.org",
}
#: Remote URLs asked for that no mirror holds (a test asserts there are none).
UNRESOLVED: list[str] = []


class LocalSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):
        for prefix, folder in MIRRORS.items():
            if url.startswith(prefix):
                return self.resolve_filename(str(folder / url[len(prefix) :]), context)
        if "://" in url and not url.startswith("file:"):
            UNRESOLVED.append(url)
        return None  # a local path: libxml2 reads it itself


def _compile(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(path), parser))


@functools.cache
def oseo_schema() -> etree.XMLSchema:
    """oseo.xsd with everything it imports."""
    return _compile(OSEO_XSD)


@functools.cache
def ows_schema() -> etree.XMLSchema:
    """OWS 2.0 owsExceptionReport.xsd (for ows:ExceptionReport)."""
    return _compile(OWS_EXCEPTION_XSD)


def assert_valid(schema: etree.XMLSchema, element: etree._Element) -> None:
    """Validate a fresh parse of the serialised element (what a client would receive)."""
    document = etree.fromstring(etree.tostring(element))
    if not schema.validate(document):
        errors = "\n".join(str(e) for e in list(schema.error_log)[:10])
        raise AssertionError(f"<{etree.QName(element).localname}> is invalid:\n{errors}")


def sample(name: str) -> bytes:
    """An official sample message (``GetStatus.xml``, ``OrderOptions/...``)."""
    return (SAMPLES / name).read_bytes()
