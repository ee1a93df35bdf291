"""The ingest DTDs and the code checks accept what the ECHO 10 schemas accept, and between them
reject what the schemas reject.

The judge is the official XSD, loaded with lxml from ../shared; documents are generated at random
from the schemas' particles (dtd.build reads them), valid ones and then broken ones.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import dtd
from dtd.build import FILES, UNBOUNDED, Particle, Schema, _group_of, build
from ingest.checks import Checker, check_value
from tests.conftest import SHARED

ECHO10 = SHARED / "schemas" / "echo10"
SAMPLES = SHARED / "samples" / "echo10"
EXAMPLES = settings(
    max_examples=int(os.environ.get("DTD_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SAMPLE_RECORDS = [
    ("AIRX3STD.006.xml", "collection"),
    ("AST_L1A.003.xml", "collection"),
    ("C179003030-ORNL_DAAC.xml", "collection"),
    ("airx3std_granule.xml", "granule"),
    ("ast_l1a_granule.xml", "granule"),
]


def test_the_generated_files_are_up_to_date():
    for name, content in build(ECHO10).items():
        assert dtd.path(name).read_text() == content, f"rerun: python -m dtd.build {ECHO10}"


@pytest.fixture(scope="module")
def judges():
    """Per kind: the official schema, our DTD, our checker."""
    out = {}
    for kind, (dtd_name, _, xsd) in FILES.items():
        out[kind] = (
            etree.XMLSchema(etree.parse(str(ECHO10 / xsd))),
            etree.DTD(str(dtd.path(dtd_name))),
            Checker(kind),
        )
    return out


def _ours_accept(judge, document: etree._Element) -> bool:
    """As ingest does it: the DTD first, then the checks of what the DTD cannot say."""
    _, ours, checker = judge
    return ours.validate(document) and not checker.check(
        document, checker.root_holds, trust_dtd=True
    )


@pytest.mark.parametrize(("file", "kind"), SAMPLE_RECORDS)
def test_the_real_records_pass(judges, file, kind):
    record = etree.parse(str(SAMPLES / file)).getroot()
    section = {"collection": "Collections", "granule": "Granules"}[kind]
    document = etree.Element(FILES[kind][1])
    etree.SubElement(document, section).append(record)
    official, ours, checker = judges[kind]
    assert official.validate(document), official.error_log
    assert ours.validate(document), ours.error_log
    assert checker.check(document, checker.root_holds) == []


# -- generated documents ----------------------------------------------------------------------


class Generator:
    """Random documents following the schema's particles; values drawn within their facets."""

    def __init__(self, kind: str, rng: random.Random):
        _, self.root, xsd = FILES[kind]
        self.schema = Schema(ECHO10, xsd)
        self.holds = self.schema.context_of(self.schema.elements[self.root], "")
        self.rng = rng

    def document(self) -> etree._Element:
        element = etree.Element(self.root)
        self._fill(element, self.holds, depth=0)
        return element

    def _fill(self, element, holds, depth):
        if "value" in holds:
            element.text = self.value(holds["value"])
            return
        if "empty" in holds:
            return
        context_id = holds["complex"]
        group = _group_of(self.schema.nodes[context_id])
        children = self.schema.contexts[context_id]["children"]
        for name in self._names(self.schema._particle(group), depth):
            child = etree.SubElement(element, name)
            self._fill(child, children[name], depth + 1)

    def _names(self, particle: Particle, depth: int) -> list[str]:
        low = particle.low
        high = 3 if particle.high == UNBOUNDED else particle.high
        if depth > 3:
            high = low  # keep deep documents small
        count = self.rng.randint(low, max(low, min(high, low + 2)))
        out: list[str] = []
        for _ in range(count):
            if particle.kind == "element":
                out.append(particle.name)
            elif particle.kind == "sequence":
                for item in particle.items:
                    out += self._names(item, depth)
            else:
                out += self._names(self.rng.choice(particle.items), depth)
        return out

    def value(self, spec: dict) -> str:
        rng = self.rng
        if "enum" in spec:
            return rng.choice(spec["enum"])
        base = spec["base"]
        if base == "boolean":
            return rng.choice(["true", "false", "1", "0"])
        if base == "dateTime":
            return rng.choice(["2001-02-03T04:05:06Z", "1999-12-31T23:59:59.5-05:00"])
        if base in ("int", "integer", "long", "unsignedLong"):
            return str(rng.randint(0, 1000))
        if base in ("decimal", "double", "float"):
            low = float(spec.get("minInclusive", -1000))
            high = float(spec.get("maxInclusive", 1000))
            return f"{rng.uniform(low, high):.2f}"
        low = int(spec.get("minLength", 0))
        high = min(int(spec.get("maxLength", 12)), low + 12)
        return "".join(rng.choice("abcXYZ019") for _ in range(rng.randint(low, high)))


BREAKAGES = ("value", "missing", "doubled", "unknown")
BAD_VALUES = ("", "x" * 9000, "2001-13-45", "NaN?", "-")


def _break(document: etree._Element, what: str, rng: random.Random) -> bool:
    """Break a valid document in place: a wrong value, or a child missing, doubled or unknown."""
    elements = list(document.iter())
    if what == "value":
        leaves = [e for e in elements if len(e) == 0 and e.text is not None]
        if not leaves:
            return False
        rng.choice(leaves).text = rng.choice(BAD_VALUES)
        return True
    parents = [e for e in elements if len(e)]
    if not parents:
        return False
    parent = rng.choice(parents)
    child = rng.choice(list(parent))
    if what == "missing":
        parent.remove(child)
    elif what == "doubled":
        child.addnext(etree.fromstring(etree.tostring(child)))
    else:
        child.addnext(etree.Element("NotAnEcho10Element"))
    return True


@pytest.mark.parametrize("kind", list(FILES))
@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1))
def test_generated_documents(judges, kind, seed):
    """A valid document passes ours; a broken one the schema rejects, ours rejects too."""
    official = judges[kind][0]
    document = Generator(kind, random.Random(seed)).document()
    assert official.validate(document), f"generator: {official.error_log.last_error}"
    assert _ours_accept(judges[kind], document), _why(judges[kind], document)
    rng = random.Random(seed + 1)
    for what in BREAKAGES:
        broken = Generator(kind, random.Random(seed)).document()
        if not _break(broken, what, rng) or official.validate(broken):
            continue  # nothing to break, or harmless (an optional child gone, a list grown)
        assert not _ours_accept(judges[kind], broken), (what, official.error_log.last_error)
        # The checks alone catch it too: edited records (partial updates) meet no DTD.
        checker = judges[kind][2]
        assert checker.check(broken, checker.root_holds), (what, official.error_log.last_error)


def _why(judge, document) -> str:
    _, ours, checker = judge
    ours.validate(document)
    return f"{ours.error_log.last_error} / {checker.check(document, checker.root_holds)[:3]}"


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec", "ok"),
    [
        ("2001-02-03T04:05:06Z", {"base": "dateTime"}, True),
        (" 2001-02-03T04:05:06.123+14:00 ", {"base": "dateTime"}, True),
        ("2001-02-29T00:00:00Z", {"base": "dateTime"}, False),
        ("2000-02-29T24:00:00", {"base": "dateTime"}, True),
        ("2001-02-03 04:05:06", {"base": "dateTime"}, False),
        ("2001-02-03T04:05:06+15:00", {"base": "dateTime"}, False),
        ("12.50", {"base": "decimal", "totalDigits": "3", "fractionDigits": "1"}, True),
        ("1234.5", {"base": "decimal", "totalDigits": "4"}, False),
        ("1e5", {"base": "decimal"}, False),
        ("1e5", {"base": "double"}, True),
        ("-90.5", {"base": "decimal", "minInclusive": "-90"}, False),
        ("2147483648", {"base": "int"}, False),
        ("-1", {"base": "unsignedLong"}, False),
        ("yes", {"base": "boolean"}, False),
        ("", {"base": "string", "minLength": "1"}, False),
        ("DAY", {"base": "string", "enum": ["DAY", "NIGHT"]}, True),
        ("day", {"base": "string", "enum": ["DAY", "NIGHT"]}, False),
        ("a/b", {"base": "string", "pattern": r"[^\\/:\s]{1,255}"}, False),
    ],
)
def test_values(text, spec, ok):
    assert (check_value(text, spec) is None) is ok, check_value(text, spec)


def test_a_problem_names_its_place_and_line():
    checker = Checker("granule")
    document = etree.fromstring(
        b"<GranuleMetaDataFile>\n<Granules>\n<Granule>\n<GranuleUR>g</GranuleUR>\n"
        b"<InsertTime>2001-02-03T04:05:06Z</InsertTime>\n<LastUpdate>yesterday</LastUpdate>\n"
        b"<Collection><DataSetId>d</DataSetId></Collection>\n</Granule>\n</Granules>\n"
        b"</GranuleMetaDataFile>"
    )
    (problem,) = checker.check(document, checker.root_holds)
    assert problem.line == 6
    assert problem.path == "GranuleMetaDataFile/Granules/Granule/LastUpdate"
    assert "'yesterday' is not a date and time" in problem.message


def test_records_are_checked_where_they_stand():
    checker = Checker("granule")
    assert checker.holds_at("Granules", "Granule") == {"complex": "Granule", "type": "Granule"}
    with pytest.raises(KeyError):
        checker.holds_at("Granules", "Collection")


@pytest.mark.parametrize(
    ("lon", "ok"),
    [
        ("180", True),
        ("-180.000", True),
        ("179.9999999999", True),
        ("180.0000000001", False),
        ("-180.00000000001", False),
        ("1e2", False),
        (" 12.5 ", True),
    ],
)
def test_coordinates_are_checked_exactly_at_their_bounds(lon, ok):
    checker = Checker("granule")
    points = "".join(
        f"<Point><PointLongitude>{x}</PointLongitude><PointLatitude>{y}</PointLatitude></Point>"
        for x, y in [(lon, 0), (0, 1), (1, 1)]
    )
    document = etree.fromstring(
        "<GranuleMetaDataFile><Granules><Granule><GranuleUR>g</GranuleUR>"
        "<InsertTime>2001-02-03T04:05:06Z</InsertTime><LastUpdate>2001-02-03T04:05:06Z"
        "</LastUpdate><Collection><DataSetId>d</DataSetId></Collection><Spatial>"
        "<HorizontalSpatialDomain><Geometry><GPolygon><Boundary>"
        + points
        + "</Boundary></GPolygon></Geometry></HorizontalSpatialDomain></Spatial></Granule>"
        "</Granules></GranuleMetaDataFile>"
    )
    problems = checker.check(document, checker.root_holds, trust_dtd=True)
    assert (problems == []) is ok, problems


# -- attributes: what an XML Schema validator accepts on any element ---------------------------

XSI_DECL = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
ATTRIBUTES = [
    f'{XSI_DECL} xsi:noNamespaceSchemaLocation="Granule.xsd"',
    f'{XSI_DECL} xsi:schemaLocation="urn:a a.xsd"',
    f'{XSI_DECL} xsi:type="Granule"',
    f'{XSI_DECL} xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="xs:dateTime"',
    f'{XSI_DECL} xsi:type="xs:dateTime"',
    f'{XSI_DECL} xsi:nil="false"',
    f'{XSI_DECL} xsi:nil="true"',
    f'{XSI_DECL} xsi:other="1"',
    'xmlns=""',
    'xmlns="urn:elsewhere"',
    'xmlns:foo="urn:foo"',
    'xmlns:foo="urn:foo" foo:bar="1"',
    'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:noNamespaceSchemaLocation="G.xsd"',
    'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"',
    'plain="1"',
]


@pytest.mark.parametrize("place", ["GranuleMetaDataFile", "Granule", "InsertTime", "GranuleUR"])
@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_attributes_are_judged_as_the_schema_judges_them(judges, tmp_path, place, attributes):
    """Schema locations, xsi:type, xsi:nil and namespace declarations on the file's root, a
    record or an element inside it: ingest refuses the record exactly when the XSD does."""
    from ingest.reader import FileRejected, open_file

    record = (SAMPLES / "ast_l1a_granule.xml").read_text().split("?>", 1)[-1]
    document = f"<GranuleMetaDataFile><Granules>{record}</Granules></GranuleMetaDataFile>"
    document = document.replace(f"<{place}>", f"<{place} {attributes}>", 1)
    assert f"<{place} " in document
    official = judges["granule"][0]
    expected = official.validate(etree.fromstring(document.encode()))
    path = tmp_path / "g.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + document)
    try:
        (read,) = open_file(path).records
        problems = read.problems
    except FileRejected as exc:  # the file's own root or section is wrong
        problems = [exc.message]
    assert (problems == []) is expected, (official.error_log.last_error, problems)
