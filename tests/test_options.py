"""The order option framework (CONTRACT §7.3, seed slides 63–70): definitions read, checked and
rendered back; selections checked against them with every violation reported by path; encrypted
values stored encrypted and never shown back. No database needed."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from broker import crypto
from broker.crypto import OptionCipher, OptionKeyError, cipher_from_key, load_or_create_key
from broker.options import (
    MASK,
    InvalidOptionSelection,
    definition_element,
    masked,
    parse_definition,
    selection_element,
)
from clearinghouse.api.option_selection import read_selection
from clearinghouse.errors import InvalidValue, SettingsError

OPTIONS_DTD = Path(__file__).resolve().parents[1] / "dtd" / "Options.dtd"
SECRET = "s3cr3t-Pa55word"


# --- building test XML ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def options_dtd(tmp_path_factory: pytest.TempPathFactory) -> etree.DTD:
    """Options.dtd with the Name that EchoCommon.dtd declares for the service DTDs."""
    wrapper = tmp_path_factory.mktemp("dtd") / "options-test.dtd"
    wrapper.write_text(
        "<!ELEMENT Name (#PCDATA)>\n"
        f'<!ENTITY % options SYSTEM "{OPTIONS_DTD.as_uri()}">\n'
        "%options;\n"
    )
    return etree.DTD(str(wrapper))


def assert_valid(schema: etree.DTD, element: etree._Element) -> None:
    assert schema.validate(element), schema.error_log.filter_from_errors()


def _fields(**fields: object) -> str:
    tags = {
        "description": "Description",
        "min": "MinOccurs",
        "max": "MaxOccurs",
        "encrypted": "Encrypted",
        "type": "PrimitiveType",
        "min_value": "MinValue",
        "max_value": "MaxValue",
    }
    return "".join(f"<{tags[k]}>{v}</{tags[k]}>" for k, v in fields.items() if v is not None)


def simple(
    name: str,
    primitive: str = "String",
    *,
    description: str | None = None,
    min: object = None,
    max: object = None,
    encrypted: str | None = None,
    valids: list[str] | None = None,
    min_value: object = None,
    max_value: object = None,
) -> str:
    head = _fields(description=description, min=min, max=max, encrypted=encrypted, type=primitive)
    listed = "" if valids is None else "".join(f"<Valid>{v}</Valid>" for v in valids)
    return (
        f"<SimpleOption><Name>{name}</Name>{head}"
        + (f"<Valids>{listed}</Valids>" if valids is not None else "")
        + _fields(min_value=min_value, max_value=max_value)
        + "</SimpleOption>"
    )


def complex_(name: str, kind: str, *children: str, min: object = None, max: object = None) -> str:
    head = _fields(min=min, max=max)
    inside = "".join(children)
    return f"<ComplexOption><Name>{name}</Name>{head}<Type>{kind}</Type>{inside}</ComplexOption>"


def option_xml(option: str) -> etree._Element:
    return etree.fromstring(f"<OptionDefinition>{option}</OptionDefinition>")


@pytest.fixture
def define(options_dtd: etree.DTD):
    """parse_definition of a DTD-valid definition (the inputs are checked to be DTD-valid)."""

    def define(option: str) -> dict:
        element = option_xml(option)
        assert_valid(options_dtd, element)
        return parse_definition(element)

    return define


def definition_error(option: str) -> str:
    with pytest.raises(InvalidValue) as caught:
        parse_definition(option_xml(option))
    assert caught.value.status == 400 and caught.value.code == "InvalidValue"
    return caught.value.message


def sv(name: str, *values: str) -> str:
    return (
        f"<SimpleOptionSelection><OptionName>{name}</OptionName>"
        + "".join(f"<Value>{value}</Value>" for value in values)
        + "</SimpleOptionSelection>"
    )


def cv(name: str, *children: str) -> str:
    return (
        f"<ComplexOptionSelection><OptionName>{name}</OptionName>"
        f"<ComplexValue>{''.join(children)}</ComplexValue></ComplexOptionSelection>"
    )


@pytest.fixture
def selection(options_dtd: etree.DTD):
    def selection(*nodes: str) -> etree._Element:
        element = etree.fromstring(f"<OptionSelection>{''.join(nodes)}</OptionSelection>")
        assert_valid(options_dtd, element)
        return element

    return selection


@pytest.fixture(scope="module")
def cipher() -> OptionCipher:
    return OptionCipher(Fernet.generate_key())


# Seed slide 69 (CD's details were removed there; these are ours).
MEDIA_TYPE = complex_(
    "MediaType",
    "CHOICE",
    complex_(
        "FTPPush",
        "STRUCTURE",
        simple("FTPDir", min=1, max=1, encrypted="No", min_value=1, max_value=100),
        simple("UserName", min=1, max=1, encrypted="No", min_value=1, max_value=50),
        simple("Password", min=1, max=1, encrypted="Yes", min_value=1, max_value=50),
        simple("Compressed", min=1, max=1, encrypted="No", valids=["UnixCompress", "GZip"]),
    ),
    complex_(
        "CD",
        "STRUCTURE",
        simple("Copies", "Integer", min=0, min_value=1, max_value=10),
        simple("Label", min=0, max="unbounded", max_value=30),
    ),
)


@pytest.fixture
def media(define) -> dict:
    return define(MEDIA_TYPE)


@pytest.fixture
def package(define) -> dict:
    """STRUCTURE > CHOICE > STRUCTURE: slide 69's MediaType inside a package."""
    return define(
        complex_(
            "Package",
            "STRUCTURE",
            simple("Format", valids=["HDF", "NetCDF"]),
            MEDIA_TYPE,
            simple("Notes", min=0, max=3),
        )
    )


def ftp_push(
    directory: str = "/pub/out", user: str = "anonymous", password: str = SECRET, zip_: str = "GZip"
) -> str:
    return cv(
        "FTPPush",
        sv("FTPDir", directory),
        sv("UserName", user),
        sv("Password", password),
        sv("Compressed", zip_),
    )


def selection_error(element: etree._Element | None, definitions: list[dict], cipher) -> str:
    with pytest.raises(InvalidOptionSelection) as caught:
        read_selection(element, definitions, cipher)
    error = caught.value
    assert isinstance(error, InvalidValue)
    assert (error.code, error.status) == ("InvalidOptionSelection", 400)
    assert error.message == "; ".join(error.problems) == str(error)
    return error.message


# --- definitions ----------------------------------------------------------------------------------


def test_slide_69_definition(media):
    assert media["kind"] == "complex" and media["type"] == "CHOICE"
    ftp = media["children"][0]
    assert [child["name"] for child in ftp["children"]] == [
        "FTPDir",
        "UserName",
        "Password",
        "Compressed",
    ]
    assert ftp["children"][2] == {
        "kind": "simple",
        "name": "Password",
        "description": None,
        "min": 1,
        "max": 1,
        "encrypted": True,
        "type": "String",
        "valids": None,
        "min_value": "1",
        "max_value": "50",
    }
    assert ftp["children"][3]["valids"] == ["UnixCompress", "GZip"]
    json.dumps(media)  # stored as JSONB


def test_defaults(define):
    tree = define(complex_("Box", "STRUCTURE", simple("Colour")))
    assert {k: tree[k] for k in ("min", "max", "description")} == {
        "min": 1,
        "max": 1,
        "description": None,
    }
    leaf = tree["children"][0]
    assert (leaf["min"], leaf["max"], leaf["encrypted"], leaf["valids"]) == (1, 1, False, None)
    assert (leaf["min_value"], leaf["max_value"]) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(text, True) for text in ("true", "TRUE", "1", "Yes", "yes")],
        *[(text, False) for text in ("false", "False", "0", "No", "NO")],
    ],
)
def test_encrypted_spellings(define, text, expected):
    assert define(simple("Secret", encrypted=text))["encrypted"] is expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("string", "String"),
        ("INTEGER", "Integer"),
        ("boolean", "Boolean"),
        ("date", "Date"),
        ("dOuBlE", "Double"),
    ],
)
def test_primitive_type_is_case_insensitive(define, given, expected):
    assert define(simple("X", given))["type"] == expected


def test_complex_type_is_case_insensitive(define):
    tree = define(complex_("C", "choice", simple("A"), simple("B")))
    assert tree["type"] == "CHOICE"
    assert define(complex_("S", "Structure", simple("A")))["type"] == "STRUCTURE"


def test_occurrences_and_unbounded(define):
    tree = define(simple("Tags", min=0, max="unbounded"))
    assert (tree["min"], tree["max"]) == (0, None)
    assert define(simple("Tags", max="UNBOUNDED"))["max"] is None
    assert (define(simple("Pair", min=2, max=2))["min"], 2) == (2, 2)


def test_description_and_whitespace(define):
    tree = define(simple("  Spaced Name ", description="  Where to put it  ", min=" 0 "))
    assert (tree["name"], tree["description"], tree["min"]) == ("Spaced Name", "Where to put it", 0)
    assert define(simple("X", description=""))["description"] is None


def test_valids_and_bounds_are_normalised(define):
    integer = define(simple("N", "Integer", valids=["+007", "-0", "12"], min_value="-05"))
    assert (integer["valids"], integer["min_value"]) == (["7", "0", "12"], "-5")
    boolean = define(simple("B", "Boolean", valids=["TRUE", "0"]))
    assert boolean["valids"] == ["true", "false"]
    double = define(simple("D", "Double", valids=["1.50", ".5"], max_value="1e3"))
    assert (double["valids"], double["max_value"]) == (["1.50", ".5"], "1e3")
    date = define(simple("When", "Date", min_value="2020-01-01", max_value="2030-01-01T00:00Z"))
    assert (date["min_value"], date["max_value"]) == ("2020-01-01", "2030-01-01T00:00Z")
    string = define(simple("S", min_value="007", max_value="10"))
    assert (string["min_value"], string["max_value"]) == ("7", "10")


LONG_NAME = "N" * 101


def _nested(depth: int) -> str:
    option = simple("Leaf")
    for level in range(depth - 1, 0, -1):
        option = complex_(f"L{level}", "STRUCTURE", option)
    return option


def _wide(count: int) -> str:
    return complex_("Wide", "STRUCTURE", *(simple(f"O{i}") for i in range(count - 1)))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (simple(""), "OptionDefinition: Name must not be empty"),
        (complex_("Box", "STRUCTURE", simple("A"), simple("   ")), "Box: option 2: Name must"),
        (simple(LONG_NAME), "OptionDefinition: Name has 101 characters; at most 100 allowed"),
        (
            complex_("Box", "STRUCTURE", simple("A"), complex_("A", "STRUCTURE", simple("B"))),
            "Box: two options here are named 'A'",
        ),
        (simple("X", min="-1"), "X: MinOccurs '-1' is not a whole number from 0 to 2147483647"),
        (simple("X", min="one"), "X: MinOccurs 'one' is not a whole number"),
        (simple("X", max="0"), "X: MaxOccurs must be at least 1, not 0"),
        (simple("X", max="many"), "X: MaxOccurs 'many' is not a whole number"),
        (simple("X", max="99999999999"), "X: MaxOccurs '99999999999' is not a whole number"),
        (simple("X", min=""), "X: MinOccurs must not be empty"),
        (simple("X", min=3), "X: MinOccurs 3 is greater than MaxOccurs 1"),
        (simple("X", encrypted="maybe"), "X: Encrypted 'maybe' is not true or false"),
        (simple("X", "Float"), "X: PrimitiveType 'Float' is not one of String, Integer, Boolean"),
        (complex_("C", "SEQUENCE", simple("A")), "C: Type 'SEQUENCE' is not one of STRUCTURE"),
        (
            complex_("MediaType", "CHOICE", simple("Only")),
            "MediaType: a CHOICE needs at least 2 options to choose from, not 1",
        ),
        (simple("N", "Integer", valids=["1", "one"]), "N: Valid 'one' is not an integer"),
        (simple("N", "Integer", valids=["1", " "]), "N: a Valid must not be empty"),
        (simple("N", "Integer", valids=["7", "007"]), "N: Valid '007' is listed twice"),
        (simple("D", "Double", valids=["1", "1.0"]), "D: Valid '1.0' is listed twice"),
        (simple("S", valids=["a", "b", "a"]), "S: Valid 'a' is listed twice"),
        (simple("D", "Double", valids=["nan"]), "D: Valid 'nan' is not a number"),
        (simple("D", "Double", valids=["1e999"]), "D: Valid '1e999' is too large for a Double"),
        (simple("B", "Boolean", valids=["yes"]), "B: Valid 'yes' is not true or false"),
        (simple("T", "Date", valids=["2024-02-30"]), "T: Valid '2024-02-30' is not a valid ISO"),
        (simple("T", "Date", min_value="yesterday"), "T: MinValue 'yesterday' is not an ISO 8601"),
        (simple("N", "Integer", max_value="ten"), "N: MaxValue 'ten' is not an integer"),
        (simple("N", "Integer", max_value=2**63), "N: MaxValue '9223372036854775808' is not an"),
        (simple("D", "Double", min_value="inf"), "D: MinValue 'inf' is not a number"),
        (simple("S", min_value="-1"), "S: MinValue '-1' is not a whole number from 0"),
        (simple("S", max_value="5.5"), "S: MaxValue '5.5' is not a whole number"),
        (simple("B", "Boolean", min_value="0"), "B: MinValue does not apply to a Boolean option"),
        (simple("B", "Boolean", max_value="1"), "B: MaxValue does not apply to a Boolean option"),
        (
            simple("N", "Integer", min_value=5, max_value=4),
            "N: MinValue 5 is greater than MaxValue",
        ),
        (simple("D", "Double", min_value="1e2", max_value="99.5"), "D: MinValue 1e2 is greater"),
        (simple("S", min_value=10, max_value=9), "S: MinValue 10 is greater than MaxValue 9"),
        (
            simple("T", "Date", min_value="2024-06-02", max_value="2024-06-01T23:59:59Z"),
            "T: MinValue 2024-06-02 is greater than MaxValue 2024-06-01T23:59:59Z",
        ),
        (
            simple("N", "Integer", valids=["5", "11"], max_value=10),
            "N: Valid '11' is greater than the maximum 10",
        ),
        (
            simple("N", "Double", valids=["0.5"], min_value=1),
            "N: Valid '0.5' is less than the minimum 1",
        ),
        (
            simple("S", valids=["GZip", "UnixCompress"], max_value=5),
            "S: Valid 'UnixCompress' must have at most 5 characters, not 12",
        ),
        (
            simple("T", "Date", valids=["2019-12-31"], min_value="2020-01-01"),
            "T: Valid '2019-12-31' is earlier than the minimum 2020-01-01",
        ),
        (_nested(17), "L1/L2/L3/L4/L5/L6/L7/L8/L9/L10/L11/L12/L13/L14/L15/L16/Leaf: options nest"),
        (_wide(501), "OptionDefinition: at most 500 options, not 501"),
    ],
)
def test_definition_errors(option, message):
    assert message in definition_error(option)


def test_definition_error_names_the_full_path():
    option = complex_(
        "MediaType",
        "CHOICE",
        complex_("FTPPush", "STRUCTURE", simple("UserName", min=2, max=1)),
        complex_("CD", "STRUCTURE", simple("Copies")),
    )
    assert (
        definition_error(option)
        == "MediaType/FTPPush/UserName: MinOccurs 2 is greater than MaxOccurs 1"
    )


def test_definition_errors_carry_the_line():
    element = etree.fromstring(
        "<OptionDefinition>\n<ComplexOption><Name>C</Name><Type>CHOICE</Type>\n"
        "<SimpleOption><Name>A</Name><PrimitiveType>Integer</PrimitiveType>\n"
        "<MinValue>x</MinValue></SimpleOption>\n"
        "<SimpleOption><Name>B</Name><PrimitiveType>String</PrimitiveType></SimpleOption>\n"
        "</ComplexOption></OptionDefinition>"
    )
    with pytest.raises(InvalidValue) as caught:
        parse_definition(element)
    assert caught.value.line == 3 and str(caught.value).startswith("line 3: C/A: MinValue 'x'")


def test_the_limits_themselves_are_accepted(define):
    assert define(_nested(16))["name"] == "L1"
    assert len(define(_wide(500))["children"]) == 499


def test_not_an_option_definition():
    with pytest.raises(InvalidValue, match="exactly one SimpleOption or ComplexOption"):
        parse_definition(etree.fromstring("<OptionSelection/>"))


# --- rendering definitions ------------------------------------------------------------------------


FULL = complex_(
    "Order Package",
    "STRUCTURE",
    simple("Count", "Integer", description="How many", min=0, max="unbounded", min_value="-3"),
    simple("Ratio", "Double", valids=["0.5", "1.5e0"], min_value="0", max_value="2"),
    simple("Flag", "boolean", encrypted="1"),
    simple("When", "Date", min_value="2020-01-01", max_value="2030-12-31T23:59:59+02:00"),
    MEDIA_TYPE,
)


@pytest.mark.parametrize("option", [MEDIA_TYPE, FULL, simple("Lone"), _nested(16)])
def test_definition_round_trip(define, options_dtd, option):
    tree = define(option)
    rendered = definition_element(tree)
    assert_valid(options_dtd, rendered)
    again = etree.fromstring(etree.tostring(rendered))
    assert parse_definition(again) == tree
    # Rendering is canonical: the same tree gives the same bytes.
    assert etree.tostring(definition_element(parse_definition(again))) == etree.tostring(rendered)


def test_rendering_writes_defaults_out(media):
    password = definition_element(media).find("ComplexOption/ComplexOption/SimpleOption[3]")
    assert [child.tag for child in password] == [
        "Name",
        "MinOccurs",
        "MaxOccurs",
        "Encrypted",
        "PrimitiveType",
        "MinValue",
        "MaxValue",
    ]
    assert password.findtext("Encrypted") == "true"
    label = definition_element(media).find("ComplexOption/ComplexOption[2]/SimpleOption[2]")
    assert label.findtext("MaxOccurs") == "unbounded"


_names = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij _-0123456789", min_size=1, max_size=12
)
_names = _names.map(str.strip).filter(bool)


def _simple_trees() -> st.SearchStrategy[dict]:
    def build(name, occurs, encrypted, kind, description):
        low, high = occurs
        valids, lo, hi = {
            "String": (["a", "bb"], "1", "5"),
            "Integer": (None, "-5", "70"),
            "Boolean": (["true"], None, None),
            "Date": (None, "2001-01-01", None),
            "Double": (["0.5", "2"], None, "2.5"),
        }[kind]
        return {
            "kind": "simple",
            "name": name,
            "description": description,
            "min": low,
            "max": None if high is None else max(low, high),
            "encrypted": encrypted,
            "type": kind,
            "valids": valids,
            "min_value": lo,
            "max_value": hi,
        }

    return st.builds(
        build,
        _names,
        st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(1, 4))),
        st.booleans(),
        st.sampled_from(["String", "Integer", "Boolean", "Date", "Double"]),
        st.one_of(st.none(), st.just("Some words")),
    )


def _complex_trees(children: st.SearchStrategy[list[dict]]) -> st.SearchStrategy[dict]:
    def build(name, kind, members):
        unique = list({member["name"]: member for member in members}.values())
        if kind == "CHOICE" and len(unique) < 2:
            kind = "STRUCTURE"
        return {
            "kind": "complex",
            "name": name,
            "description": None,
            "min": 1,
            "max": 1,
            "type": kind,
            "children": unique,
        }

    return st.builds(build, _names, st.sampled_from(["STRUCTURE", "CHOICE"]), children)


_trees = st.recursive(
    _simple_trees(),
    lambda inner: _complex_trees(st.lists(inner, min_size=1, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(_trees)
def test_any_canonical_tree_survives_rendering(tree):
    assert parse_definition(etree.fromstring(etree.tostring(definition_element(tree)))) == tree


# --- selections: the good ones --------------------------------------------------------------------


def test_slide_69_selection_is_stored(media, selection, cipher):
    stored = read_selection(selection(cv("MediaType", ftp_push())), [media], cipher)
    [push] = stored[0]["children"]
    password = push["children"][2]
    assert stored == [
        {
            "name": "MediaType",
            "children": [
                {
                    "name": "FTPPush",
                    "children": [
                        {"name": "FTPDir", "values": ["/pub/out"]},
                        {"name": "UserName", "values": ["anonymous"]},
                        password,
                        {"name": "Compressed", "values": ["GZip"]},
                    ],
                }
            ],
        }
    ]
    json.dumps(stored)


def test_nested_structure_choice_structure(package, selection, cipher):
    stored = read_selection(
        selection(
            cv(
                "Package",
                sv("Notes", "rush", "fragile"),
                cv("MediaType", cv("CD", sv("Label", "Disk A", "Disk B"), sv("Copies", "2"))),
                sv("Format", "HDF"),
            )
        ),
        [package],
        cipher,
    )
    # Stored in definition order, whatever the order sent.
    assert stored == [
        {
            "name": "Package",
            "children": [
                {"name": "Format", "values": ["HDF"]},
                {
                    "name": "MediaType",
                    "children": [
                        {
                            "name": "CD",
                            "children": [
                                {"name": "Copies", "values": ["2"]},
                                {"name": "Label", "values": ["Disk A", "Disk B"]},
                            ],
                        }
                    ],
                },
                {"name": "Notes", "values": ["rush", "fragile"]},
            ],
        }
    ]


def test_optional_roots_may_be_left_out(define, selection, cipher):
    optional = define(simple("Notes", min=0))
    assert read_selection(None, [optional], cipher) == []
    assert read_selection(selection(), [optional], cipher) == []
    assert read_selection(None, [], cipher) == []


def test_values_of_separate_selections_are_merged_and_counted_together(define, selection, cipher):
    tags = define(simple("Tags", max=3))
    stored = read_selection(selection(sv("Tags", "a", "b"), sv("Tags", "c")), [tags], cipher)
    assert stored == [{"name": "Tags", "values": ["a", "b", "c"]}]
    message = selection_error(selection(sv("Tags", "a", "b"), sv("Tags", "c", "d")), [tags], cipher)
    assert message == "Tags: at most 3 values, not 4"


def test_unbounded_values(define, selection, cipher):
    many = define(simple("Granule", "Integer", max="unbounded"))
    values = [str(n) for n in range(300)]
    stored = read_selection(selection(sv("Granule", *values)), [many], cipher)
    assert stored[0]["values"] == values


def test_unbounded_complex_selections(define, selection, cipher):
    address = define(complex_("Address", "STRUCTURE", simple("Zip"), min=0, max="unbounded"))
    nodes = [cv("Address", sv("Zip", str(10000 + n))) for n in range(5)]
    stored = read_selection(selection(*nodes), [address], cipher)
    assert [node["children"][0]["values"] for node in stored] == [
        [str(10000 + n)] for n in range(5)
    ]


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        ("Integer", " +007 ", "7"),
        ("Integer", "-0", "0"),
        ("Integer", "-9223372036854775808", "-9223372036854775808"),
        ("Integer", "9223372036854775807", "9223372036854775807"),
        ("Integer", "000000000000000000000000042", "42"),
        ("Boolean", "TRUE", "true"),
        ("Boolean", " 1 ", "true"),
        ("Boolean", "False", "false"),
        ("Boolean", "0", "false"),
        ("Double", " 1.50 ", "1.50"),
        ("Double", "-.5", "-.5"),
        ("Double", "5.", "5."),
        ("Double", "6.02E23", "6.02E23"),
        ("Double", "1e-400", "1e-400"),
        ("Date", "2024-02-29", "2024-02-29"),
        ("Date", "2024-02-29T10:20", "2024-02-29T10:20"),
        ("Date", "2024-02-29T10:20:30Z", "2024-02-29T10:20:30Z"),
        ("Date", "2024-02-29T10:20:30.123456789+05:30", "2024-02-29T10:20:30.123456789+05:30"),
        ("Date", "2024-02-29T10:20:30-0800", "2024-02-29T10:20:30-0800"),
        ("Date", "2024-02-29T10:20:30+01", "2024-02-29T10:20:30+01"),
        ("String", "  two words  ", "two words"),
        ("String", "ünïcödé ✓", "ünïcödé ✓"),
    ],
)
def test_values_are_checked_and_normalised(define, selection, cipher, kind, given, stored):
    definition = define(simple("V", kind))
    assert read_selection(selection(sv("V", given)), [definition], cipher) == [
        {"name": "V", "values": [stored]}
    ]


@pytest.mark.parametrize(
    ("kind", "given", "problem"),
    [
        ("Integer", "12a", "'12a' is not an integer"),
        ("Integer", "1.0", "'1.0' is not an integer"),
        ("Integer", "١٢", "'١٢' is not an integer"),  # digits, but not ASCII ones
        ("Integer", "9223372036854775808", "is not an integer within the signed 64-bit range"),
        ("Integer", "-9223372036854775809", "is not an integer within the signed 64-bit range"),
        ("Integer", "9" * 5000, "is not an integer within the signed 64-bit range"),
        ("Double", "nan", "'nan' is not a number"),
        ("Double", "-inf", "'-inf' is not a number"),
        ("Double", "Infinity", "'Infinity' is not a number"),
        ("Double", "1e999", "'1e999' is too large for a Double"),
        ("Double", "1,5", "'1,5' is not a number"),
        ("Double", "0x10", "'0x10' is not a number"),
        ("Double", "1_000", "'1_000' is not a number"),
        ("Double", ".", "'.' is not a number"),
        ("Boolean", "yes", "'yes' is not true or false"),
        ("Boolean", "2", "'2' is not true or false"),
        ("Date", "2024-1-5", "'2024-1-5' is not an ISO 8601 date (YYYY-MM-DD) or date-time"),
        ("Date", "2024-02-30", "'2024-02-30' is not a valid ISO 8601 date or date-time"),
        ("Date", "2024-01-01T25:00", "is not a valid ISO 8601 date or date-time"),
        ("Date", "2024-01-01T10:00+24:00", "is not a valid ISO 8601 date or date-time"),
        ("Date", "2024-01-01Z", "is not an ISO 8601 date"),
        ("Date", "2024-01-01 10:00", "is not an ISO 8601 date"),
        ("Date", "20240101", "is not an ISO 8601 date"),
        ("Date", "0000-01-01", "is not a valid ISO 8601 date"),
        ("String", "   ", "V: a Value must not be empty"),
    ],
)
def test_bad_values(define, selection, cipher, kind, given, problem):
    definition = define(simple("V", kind))
    message = selection_error(selection(sv("V", given)), [definition], cipher)
    assert message.startswith("V: ") and problem in message


def test_an_empty_value_is_refused_whatever_the_type(define, selection, cipher):
    definition = define(simple("V", "Integer"))
    assert selection_error(selection(sv("V", "")), [definition], cipher) == (
        "V: a Value must not be empty"
    )


def test_long_values_are_shortened_in_messages(define, selection, cipher):
    definition = define(simple("V", "Integer"))
    message = selection_error(selection(sv("V", "x" * 500)), [definition], cipher)
    assert len(message) < 120 and "x" * 59 + "…" in message


@pytest.mark.parametrize(
    ("option", "given", "problem"),
    [
        (
            simple("V", valids=["UnixCompress", "GZip"]),
            "gzip",
            "'gzip' is not one of UnixCompress, GZip",
        ),
        (simple("V", "Integer", valids=["10", "20"]), "+010", None),
        (simple("V", "Integer", valids=["10", "20"]), "15", "'15' is not one of 10, 20"),
        (simple("V", "Double", valids=["1", "2.5"]), "1.000", None),
        (simple("V", "Double", valids=["1", "2.5"]), "25e-1", None),
        (simple("V", "Double", valids=["1", "2.5"]), "2.4", "'2.4' is not one of 1, 2.5"),
        (simple("V", "Boolean", valids=["true"]), "1", None),
        (simple("V", "Boolean", valids=["true"]), "FALSE", "'FALSE' is not one of true"),
        (simple("V", "Date", valids=["2024-01-01"]), "2024-01-01", None),
    ],
)
def test_valids(define, selection, cipher, option, given, problem):
    definition = define(option)
    if problem is None:
        read_selection(selection(sv("V", given)), [definition], cipher)
    else:
        assert problem in selection_error(selection(sv("V", given)), [definition], cipher)


@pytest.mark.parametrize(
    ("option", "given", "problem"),
    [
        (simple("V", "Integer", min_value=1, max_value=10), "1", None),
        (simple("V", "Integer", min_value=1, max_value=10), "10", None),
        (simple("V", "Integer", min_value=1, max_value=10), "0", "'0' is less than the minimum 1"),
        (
            simple("V", "Integer", min_value=1, max_value=10),
            "11",
            "'11' is greater than the maximum 10",
        ),
        (simple("V", "Integer", min_value=-5), "-6", "'-6' is less than the minimum -5"),
        (simple("V", "Double", min_value="0.5", max_value="1e1"), "10.0", None),
        (
            simple("V", "Double", min_value="0.5", max_value="1e1"),
            "10.01",
            "is greater than the maximum 1e1",
        ),
        (
            simple("V", "Double", min_value="0.5", max_value="1e1"),
            "0.49",
            "is less than the minimum 0.5",
        ),
        (simple("V", min_value=3, max_value=5), "abc", None),
        (simple("V", min_value=3, max_value=5), "  ab  ", "V: at least 3 characters, not 2"),
        (simple("V", min_value=3, max_value=5), "abcdef", "V: at most 5 characters, not 6"),
        (
            simple("V", "Date", min_value="2020-01-01", max_value="2020-12-31"),
            "2020-12-31T23:59:59Z",
            None,
        ),
        (
            simple("V", "Date", min_value="2020-01-01", max_value="2020-12-31"),
            "2020-01-01T00:00Z",
            None,
        ),
        (
            simple("V", "Date", max_value="2020-12-31"),
            "2021-01-01",
            "'2021-01-01' is later than the maximum 2020-12-31",
        ),
        (
            simple("V", "Date", min_value="2020-01-01"),
            "2019-12-31T23:59:59",
            "'2019-12-31T23:59:59' is earlier than the minimum 2020-01-01",
        ),
        # Date-times against date-times compare as instants: 01:00+02:00 is 23:00Z the day before.
        (
            simple("V", "Date", min_value="2020-01-01T00:00:00Z"),
            "2020-01-01T01:00:00+02:00",
            "earlier",
        ),
        (simple("V", "Date", max_value="2020-01-01T00:00:00Z"), "2020-01-01T01:00:00+02:00", None),
    ],
)
def test_bounds(define, selection, cipher, option, given, problem):
    definition = define(option)
    if problem is None:
        read_selection(selection(sv("V", given)), [definition], cipher)
    else:
        assert problem in selection_error(selection(sv("V", given)), [definition], cipher)


# --- selections: structure and occurrences --------------------------------------------------------


def test_a_required_root_must_be_selected(media, define, selection, cipher):
    notes = define(simple("Notes", min=0))
    assert selection_error(None, [media, notes], cipher) == "MediaType: required"
    assert (
        selection_error(selection(sv("Notes", "x")), [media, notes], cipher)
        == "MediaType: required"
    )


def test_unknown_option(media, define, selection, cipher):
    notes = define(simple("Notes", min=0))
    message = selection_error(
        selection(cv("MediaType", ftp_push()), sv("Colour", "red")), [media, notes], cipher
    )
    assert message == "Colour: no such option; options here are MediaType, Notes"
    message = selection_error(
        selection(cv("MediaType", cv("FTPPush", sv("Port", "21")))), [media], cipher
    )
    assert (
        "MediaType/FTPPush/Port: no such option; "
        "options here are FTPDir, UserName, Password, Compressed" in message
    )
    assert "OptionSelection: " not in message
    assert selection_error(selection(sv("X", "1")), [], cipher) == (
        "X: no such option; no options apply here"
    )


def test_option_names_match_exactly(media, selection, cipher):
    assert "mediatype: no such option" in selection_error(
        selection(cv("mediatype", ftp_push())), [media], cipher
    )


def test_simple_and_complex_mixed_up(media, package, selection, cipher):
    assert selection_error(selection(sv("MediaType", "CD")), [media], cipher) == (
        "MediaType: is a complex option: select its children in a ComplexValue, not Values"
    )
    message = selection_error(
        selection(cv("Package", cv("Format", sv("HDF", "yes")), cv("MediaType", ftp_push()))),
        [package],
        cipher,
    )
    assert message == (
        "Package/Format: is a simple option: give its values in Value elements, not a ComplexValue"
    )


def test_occurrence_counts(define, selection, cipher):
    pair = define(simple("Pair", "Integer", min=2, max=2))
    assert selection_error(selection(sv("Pair", "1")), [pair], cipher) == (
        "Pair: at least 2 values, not 1"
    )
    assert selection_error(selection(), [pair], cipher) == "Pair: at least 2 values, not 0"
    assert selection_error(selection(sv("Pair", "1", "2", "3")), [pair], cipher) == (
        "Pair: at most 2 values, not 3"
    )
    box = define(complex_("Box", "STRUCTURE", simple("A", min=0), min=2, max=3))
    assert selection_error(selection(cv("Box")), [box], cipher) == (
        "Box: at least 2 selections, not 1"
    )
    assert selection_error(selection(*[cv("Box")] * 4), [box], cipher) == (
        "Box: at most 3 selections, not 4"
    )
    once = define(complex_("Once", "STRUCTURE", simple("A", min=0)))
    assert selection_error(selection(cv("Once"), cv("Once")), [once], cipher) == (
        "Once: at most 1 selection, not 2"
    )


def test_choice_needs_exactly_one(media, selection, cipher):
    assert selection_error(selection(cv("MediaType")), [media], cipher) == (
        "MediaType: choose one of FTPPush, CD"
    )
    message = selection_error(
        selection(cv("MediaType", cv("CD", sv("Copies", "1")), ftp_push())), [media], cipher
    )
    assert message == "MediaType: choose only one of FTPPush, CD, not FTPPush and CD"


def test_choice_of_three(define, selection, cipher):
    pick = define(complex_("Pick", "CHOICE", simple("A"), simple("B"), simple("C")))
    message = selection_error(
        selection(cv("Pick", sv("C", "3"), sv("A", "1"), sv("B", "2"))), [pick], cipher
    )
    assert message == "Pick: choose only one of A, B, C, not A, B and C"
    assert read_selection(selection(cv("Pick", sv("B", "2"))), [pick], cipher) == [
        {"name": "Pick", "children": [{"name": "B", "values": ["2"]}]}
    ]


def test_a_chosen_option_keeps_its_own_limits(define, selection, cipher):
    pick = define(complex_("Pick", "CHOICE", simple("A", max=2), simple("B", min=0)))
    assert selection_error(selection(cv("Pick", sv("A", "1", "2", "3"))), [pick], cipher) == (
        "Pick/A: at most 2 values, not 3"
    )
    # B's MinOccurs 0 does not make the choice optional.
    assert read_selection(selection(cv("Pick", sv("B", "x"))), [pick], cipher)[0]["children"] == [
        {"name": "B", "values": ["x"]}
    ]


def test_the_briefs_example_message(media, selection, cipher):
    push = cv(
        "FTPPush",
        sv("FTPDir", "/pub"),
        sv("Password", "p" * 51),
        sv("Compressed", "GZip"),
    )
    assert selection_error(selection(cv("MediaType", push)), [media], cipher) == (
        "MediaType/FTPPush/UserName: required; "
        "MediaType/FTPPush/Password: at most 50 characters, not 51"
    )


def test_every_violation_is_reported_with_its_path(package, define, selection, cipher):
    priority = define(simple("Priority", "Integer", min_value=1, max_value=5))
    element = selection(
        cv(
            "Package",
            sv("Format", "GRIB"),
            sv("Notes", "a", "b", "c", "d"),
            cv("MediaType", ftp_push(directory="d" * 101, zip_="Zip"), sv("Bogus", "1")),
        ),
        sv("Priority", "9"),
        sv("Extra", "1"),
    )
    with pytest.raises(InvalidOptionSelection) as caught:
        read_selection(element, [package, priority], cipher)
    assert sorted(caught.value.problems) == sorted(
        [
            "Extra: no such option; options here are Package, Priority",
            "Package/Format: 'GRIB' is not one of HDF, NetCDF",
            "Package/MediaType/Bogus: no such option; options here are FTPPush, CD",
            "Package/MediaType/FTPPush/FTPDir: at most 100 characters, not 101",
            "Package/MediaType/FTPPush/Compressed: 'Zip' is not one of UnixCompress, GZip",
            "Package/Notes: at most 3 values, not 4",
            "Priority: '9' is greater than the maximum 5",
        ]
    )
    assert SECRET not in caught.value.message


def test_repeated_complex_selections_are_told_apart(define, selection, cipher):
    address = define(
        complex_("Address", "STRUCTURE", simple("Zip", "Integer"), min=0, max="unbounded")
    )
    message = selection_error(
        selection(cv("Address", sv("Zip", "1")), cv("Address", sv("Zip", "x")), cv("Address")),
        [address],
        cipher,
    )
    assert message == "Address[2]/Zip: 'x' is not an integer; Address[3]/Zip: required"


def test_size_limits(define, selection, cipher):
    tags = define(simple("Tags", min=0, max="unbounded"))
    box = define(complex_("Box", "STRUCTURE", simple("A", min=0), min=0, max="unbounded"))
    under = selection(*[cv("Box")] * 999, sv("Tags", "x"))
    assert len(read_selection(under, [tags, box], cipher)) == 1000
    over = selection(*[cv("Box")] * 1000, sv("Tags", "x"))
    assert selection_error(over, [tags, box], cipher) == (
        "OptionSelection: at most 1000 option selections, not 1001"
    )
    fits = selection(sv("Tags", *["v" * 1024] * 64))
    assert len(read_selection(fits, [tags], cipher)[0]["values"]) == 64
    big = selection(sv("Tags", *["v" * 1024] * 64, "é"))  # é is two bytes in UTF-8
    assert selection_error(big, [tags], cipher) == (
        "OptionSelection: at most 65536 bytes of values, not 65538"
    )


def test_not_an_option_selection(media, cipher):
    assert selection_error(etree.fromstring("<Options/>"), [media], cipher) == (
        "Options: an OptionSelection was expected"
    )


def test_comments_are_ignored(define, cipher):
    notes = define(simple("Notes", min=0))
    element = etree.fromstring(
        "<OptionSelection><!-- a note --><SimpleOptionSelection><OptionName>Notes</OptionName>"
        "<Value>x</Value></SimpleOptionSelection></OptionSelection>"
    )
    assert read_selection(element, [notes], cipher) == [{"name": "Notes", "values": ["x"]}]


# --- encrypted values -----------------------------------------------------------------------------


def _password(stored: list[dict]) -> object:
    return stored[0]["children"][0]["children"][2]["values"][0]


def test_encrypted_values_are_stored_encrypted(media, selection, cipher):
    stored = read_selection(selection(cv("MediaType", ftp_push())), [media], cipher)
    value = _password(stored)
    assert isinstance(value, dict) and set(value) == {"encrypted"}
    assert value["encrypted"] != SECRET and SECRET not in json.dumps(stored)
    assert cipher.decrypt(value["encrypted"]) == SECRET
    again = read_selection(selection(cv("MediaType", ftp_push())), [media], cipher)
    assert _password(again) != value  # Fernet tokens are salted: equal passwords do not show


def test_encrypted_values_are_masked_for_clients(media, selection, options_dtd, cipher):
    stored = read_selection(selection(cv("MediaType", ftp_push())), [media], cipher)
    shown = selection_element(stored, [media], cipher, reveal=False)
    assert_valid(options_dtd, shown)
    text = etree.tostring(shown, encoding="unicode")
    assert (
        SECRET not in text
        and stored[0]["children"][0]["children"][2]["values"][0]["encrypted"] not in text
    )
    assert shown.findtext(".//SimpleOptionSelection[OptionName='Password']/Value") == MASK
    assert shown.findtext(".//SimpleOptionSelection[OptionName='UserName']/Value") == "anonymous"
    # Showing needs no key at all.
    assert etree.tostring(selection_element(stored, [media], reveal=False)) == etree.tostring(shown)


def test_encrypted_values_are_revealed_to_the_partner_only(media, selection, options_dtd, cipher):
    sent = selection(cv("MediaType", ftp_push()))
    stored = read_selection(sent, [media], cipher)
    revealed = selection_element(stored, [media], cipher, reveal=True)
    assert_valid(options_dtd, revealed)
    assert revealed.findtext(".//SimpleOptionSelection[OptionName='Password']/Value") == SECRET
    # What the partner gets reads back as the same selection.
    assert masked(read_selection(revealed, [media], cipher)) == masked(stored)
    with pytest.raises(ValueError, match="needs the option cipher"):
        selection_element(stored, [media], None, reveal=True)


def test_masked_copy(media, selection, cipher):
    stored = read_selection(selection(cv("MediaType", ftp_push())), [media], cipher)
    before = json.dumps(stored)
    copy = masked(stored)
    assert _password(copy) == MASK and SECRET not in json.dumps(copy)
    assert copy[0]["children"][0]["children"][0] == {"name": "FTPDir", "values": ["/pub/out"]}
    assert json.dumps(stored) == before  # the stored form is left alone


def test_a_value_stored_before_its_option_became_encrypted_is_masked(define, cipher):
    secret = define(simple("Key", encrypted="true"))
    stored = [{"name": "Key", "values": ["plain-old"]}]
    shown = selection_element(stored, [secret], cipher, reveal=False)
    assert shown.findtext(".//Value") == MASK
    assert (
        selection_element(stored, [secret], cipher, reveal=True).findtext(".//Value") == "plain-old"
    )


def test_stored_options_no_longer_defined_are_still_shown(cipher):
    stored = [{"name": "Gone", "children": [{"name": "Old", "values": ["v", {"encrypted": "t"}]}]}]
    shown = selection_element(stored, [], cipher, reveal=False)
    assert [value.text for value in shown.iter("Value")] == ["v", MASK]


@pytest.mark.parametrize(
    ("option", "values"),
    [
        (simple("Pin", "Integer", encrypted="yes"), [SECRET]),
        (simple("Pin", "Integer", encrypted="yes", max_value=99), ["12345"]),
        (simple("Pin", "Double", encrypted="yes"), ["1e999"]),
        (simple("Pin", "Boolean", encrypted="yes"), [SECRET]),
        (simple("Pin", "Date", encrypted="yes"), [SECRET]),
        (simple("Pin", "Date", encrypted="yes", min_value="2020-01-01"), ["2019-05-05"]),
        (simple("Pin", encrypted="yes", valids=["alpha", "beta"]), [SECRET]),
        (simple("Pin", encrypted="yes", max_value=5), [SECRET]),
        (simple("Pin", encrypted="yes", min=2, max=2), [SECRET]),
        (simple("Pin", encrypted="yes"), [SECRET, SECRET + "2"]),
    ],
)
def test_encrypted_values_never_appear_in_errors(define, selection, cipher, option, values):
    definition = define(option)
    message = selection_error(selection(sv("Pin", *values)), [definition], cipher)
    assert message.startswith("Pin: ")
    for value in values:
        assert value not in message


def test_other_errors_beside_an_encrypted_value(media, selection, cipher):
    message = selection_error(
        selection(cv("MediaType", ftp_push(user="u" * 51, password=SECRET * 5))), [media], cipher
    )
    assert message == (
        "MediaType/FTPPush/UserName: at most 50 characters, not 51; "
        "MediaType/FTPPush/Password: at most 50 characters, not 75"
    )
    assert SECRET not in message


def test_a_token_from_another_key_is_refused_clearly(media, selection, cipher):
    stored = read_selection(selection(cv("MediaType", ftp_push())), [media], cipher)
    other = OptionCipher(Fernet.generate_key())
    with pytest.raises(OptionKeyError, match="made with another key") as caught:
        selection_element(stored, [media], other, reveal=True)
    assert caught.value.status == 500 and SECRET not in caught.value.message
    # Masking never needs the key.
    selection_element(stored, [media], other, reveal=False)


# --- the cipher and its key -----------------------------------------------------------------------


def test_cipher_round_trip(cipher):
    for text in ["", "plain", "ünïcödé ✓ 🔑", "x" * 10_000]:
        token = cipher.encrypt(text)
        assert isinstance(token, str) and token != text
        assert cipher.decrypt(token) == text


@pytest.mark.parametrize("token", ["", "garbage", "gAAAAABgarbage==", "ünïcödé"])
def test_cipher_refuses_tokens_it_did_not_make(cipher, token):
    with pytest.raises(OptionKeyError):
        cipher.decrypt(token)


def test_cipher_refuses_an_altered_token(cipher):
    token = cipher.encrypt(SECRET)
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(OptionKeyError):
        cipher.decrypt(altered)


def test_cipher_from_key():
    key = Fernet.generate_key().decode()
    cipher = cipher_from_key(f"  {key}\n")
    assert OptionCipher(key).decrypt(cipher.encrypt("x")) == "x"
    for bad in ["", "not-a-key", key[:-2], "A" * 44]:
        with pytest.raises(SettingsError, match="not a Fernet key") as caught:
            cipher_from_key(bad)
        if bad:
            assert bad not in caught.value.message  # a key is a secret too


def test_load_or_create_key(tmp_path):
    path = tmp_path / "deep" / "keys" / "options.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key
    assert OptionCipher(key).decrypt(OptionCipher(key).encrypt("x")) == "x"
    assert os.listdir(path.parent) == ["options.key"]  # no temporary file left behind


def test_load_or_create_key_reads_an_existing_key(tmp_path):
    path = tmp_path / "options.key"
    key = Fernet.generate_key()
    path.write_bytes(key + b"\n")
    assert load_or_create_key(path) == key


def test_load_or_create_key_refuses_a_broken_file(tmp_path):
    path = tmp_path / "options.key"
    path.write_text("hello\n")
    with pytest.raises(SettingsError, match=r"options\.key: not a Fernet key"):
        load_or_create_key(path)


def test_the_first_key_written_wins(tmp_path):
    path = tmp_path / "options.key"
    first, second = Fernet.generate_key(), Fernet.generate_key()
    crypto._publish(path, first)
    crypto._publish(path, second)  # the process that lost the race
    assert load_or_create_key(path) == first
    assert os.listdir(tmp_path) == ["options.key"]


def test_processes_starting_together_share_one_key(tmp_path):
    path = tmp_path / "keys" / "options.key"
    start = threading.Barrier(8)
    keys: list[bytes] = []

    def run() -> None:
        start.wait()
        keys.append(load_or_create_key(path))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert path.read_bytes().strip() == keys[0]


def test_an_unusable_key_path_is_a_settings_error(tmp_path):
    (tmp_path / "options.key").mkdir()
    with pytest.raises(SettingsError, match="cannot read or create the option key"):
        load_or_create_key(tmp_path / "options.key")
    (tmp_path / "file").write_text("")
    with pytest.raises(SettingsError, match="cannot read or create the option key"):
        load_or_create_key(tmp_path / "file" / "options.key")
