"""The XML layer of the OSEO 1.0 interface, without database or HTTP: every official sample message
read (or refused with the right code) in SOAP 1.2, SOAP 1.1 and bare XML; every answer we build
valid against the official oseo.xsd; every fault's ExceptionReport valid against OWS 2.0."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from clearinghouse.oseo import envelope, errors, options, requests, responses
from clearinghouse.oseo.names import (
    OPTIONS,
    OSEO,
    OWS,
    PASSWORD_DIGEST,
    PASSWORD_TEXT,
    SOAP11,
    SOAP12,
    SWE,
    WSA,
    WSA_2004,
    WSSE,
    XML,
    qname,
)
from clearinghouse.oseo.requests import (
    Cancel,
    Delivery,
    DescribeResultAccess,
    GetCapabilities,
    GetOptions,
    GetQuotation,
    GetStatus,
    MailAddress,
    OrderItem,
    ProductId,
    Submit,
    read_request,
)
from clearinghouse.oseo.responses import ItemView, OrderView, Price, ProviderPrice, Quotation
from tests.oseo_support import SAMPLES, UNRESOLVED, assert_valid, oseo_schema, ows_schema, sample

SOAPS = [None, "1.1", "1.2"]
ESA = "http://www.opengis.net/def/EOP/ESA/0/ESA.EECF.ENVISAT_ASA_IMx_xS"
PRODUCT = ProductId(f"{ESA}/EN1-05121921114570-3322.XI", ESA)
JOHN = MailAddress(
    first_name="John",
    last_name="Smith",
    company="DTMT",
    street="Esrin Esa No. 1",
    city="Frascati",
    state="-",
    postal_code="00100",
    country="IT",
    post_box="-",
    telephone="00390694180999",
)
MEDIA = {
    "method": "mediaDelivery",
    "package_medium": "CD-ROM",
    "shipping_instructions": None,
    "number_of_copies": None,
    "product_annotation": None,
    "special_instructions": None,
}
QUOTA = {"method": "quota", "order_account": "project_10000"}
TIMES = {
    "name": "sceneStartStopTime",
    "children": [
        {"name": "min", "values": ["2010-01-01T11:55:00.00Z"]},
        {"name": "max", "values": ["2010-01-01T12:00:00.00Z"]},
    ],
}
SUBMIT_OPTIONS = [
    {"name": "processingLevel", "values": ["1B"]},
    {"name": "productType", "values": ["ASA_IMS_1P"]},
    {"name": "qualityOfService", "values": ["STANDARD"]},
]


def _item(options, scene):
    return OrderItem(
        item_id="item_0001",
        product=PRODUCT,
        collection_id=ESA,
        options=options,
        scene_selection=scene,
        remark="First product",
        delivery_options=MEDIA,
        payment=QUOTA,
    )


def _spec(options, scene, mail=JOHN):
    return requests.OrderSpecification(
        order_reference="example_0001",
        order_remark="example",
        delivery=Delivery(mail, None),
        order_type="PRODUCT_ORDER",
        options=[],
        items=[_item(options, scene)],
    )


#: What each official sample request reads as.
ACCEPTED = {
    "Cancel.xml": Cancel("urn:ESA:EECF:order_id_0001", "Final"),
    "DescribeResultAccess.xml": DescribeResultAccess("urn:ESA:EECF:order_id_0001", "allReady"),
    "GetCapabilities.xml": GetCapabilities([]),
    "GetOptions.xml": GetOptions(ESA, [], None),
    "GetOptions_subscription_with_restriction.xml": GetOptions(
        "http://www.opengis.net/def/EOP/ESA/0/TEST.DLR.TSX.SUBSCRIPTION", [], None
    ),
    "GetQuotation.xml": GetQuotation(
        _spec(
            [{"name": "processingLevel", "values": ["1B"]}],
            [{"name": "sceneType", "values": ["FloatingScene"]}, TIMES],
        ),
        None,
    ),
    "GetStatus.xml": GetStatus("urn:ESA:EECF:order_id_0001", presentation="full"),
    "Submit.xml": Submit(
        _spec(
            SUBMIT_OPTIONS,
            [
                {"name": "sceneType", "values": ["FloatingScene"]},
                TIMES,
                {"name": "frame", "values": ["7191"]},
            ],
        ),
        None,
        "Final",
    ),
    "Submit2.xml": Submit(
        _spec(
            SUBMIT_OPTIONS,
            [
                {"name": "sceneType", "values": ["FloatingScene"]},
                TIMES,
                {"name": "frame", "values": ["7191"]},
                {
                    "name": "SubSatellitePosition",
                    "children": [
                        {"name": "SubSatelliteLongitudePosition", "values": ["57.0"]},
                        {"name": "Satellite", "values": ["MSG"]},
                    ],
                },
            ],
            mail=MailAddress(**{**JOHN.__dict__, "company": None}),
        ),
        None,
        "Final",
    ),
}
ALL_SAMPLES = sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*.xml"))
REFUSED = [name for name in ALL_SAMPLES if name not in ACCEPTED]
WSN_SAMPLES = {"Notify.xml", "Subscribe.xml", "SubscribeResponse.xml"}


# ------------------------------------------------------------------------------- the judges


def test_the_schemas_compile_offline_and_judge_the_official_samples():
    schema = oseo_schema()
    ows_schema()
    assert UNRESOLVED == []
    assert len(ALL_SAMPLES) == 51
    for name in ALL_SAMPLES:
        if name not in WSN_SAMPLES:  # WS-N messages: b-2.xsd is no part of oseo.xsd
            assert_valid(schema, etree.fromstring(sample(name)))


# -------------------------------------------------------------------------- sample requests


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_each_sample_request_reads_as_expected(name):
    assert read_request(etree.fromstring(sample(name))) == ACCEPTED[name]


@pytest.mark.parametrize("name", REFUSED)
def test_every_other_sample_is_refused_as_an_operation_not_offered(name):
    element = etree.fromstring(sample(name))
    with pytest.raises(errors.OperationNotSupported) as caught:
        read_request(element)
    assert caught.value.locator == etree.QName(element).localname
    assert caught.value.status == 400


def wrap(
    body: bytes,
    soap: str | None,
    *,
    password_type: str | None = PASSWORD_TEXT,
    reply_to: str = "http://client.example/oseo/callback",
    addressing: str = WSA,
) -> bytes:
    """A request in an envelope of that version with UsernameToken, MessageID and ReplyTo."""
    request = etree.fromstring(body)
    if soap is None:
        return etree.tostring(request)
    ns = SOAP12 if soap == "1.2" else SOAP11
    env = etree.Element(qname(ns, "Envelope"), nsmap={"s": ns})
    header = etree.SubElement(env, qname(ns, "Header"))
    security = etree.SubElement(header, qname(WSSE, "Security"), nsmap={"wsse": WSSE})
    security.set(qname(ns, "mustUnderstand"), "true" if soap == "1.2" else "1")
    token = etree.SubElement(security, qname(WSSE, "UsernameToken"))
    etree.SubElement(token, qname(WSSE, "Username")).text = " alice "
    password = etree.SubElement(token, qname(WSSE, "Password"))
    password.text = " s3cret pw"
    if password_type:
        password.set("Type", password_type)
    etree.SubElement(header, qname(addressing, "MessageID")).text = "urn:uuid:1234"
    reply = etree.SubElement(header, qname(addressing, "ReplyTo"))
    etree.SubElement(reply, qname(addressing, "Address")).text = reply_to
    etree.SubElement(env, qname(ns, "Body")).append(request)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("soap", SOAPS)
@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_sample_requests_come_through_every_envelope(name, soap):
    read = envelope.read(wrap(sample(name), soap))
    assert read.soap == soap
    assert read_request(read.body) == ACCEPTED[name]
    if soap is None:
        assert (read.username, read.password, read.reply_to, read.message_id) == (None,) * 4
    else:
        assert (read.username, read.password) == ("alice", " s3cret pw")
        assert read.reply_to == "http://client.example/oseo/callback"
        assert read.message_id == "urn:uuid:1234"
        assert "s3cret" not in repr(read)


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_notifications_get_through_the_envelope_and_are_refused(soap):
    read = envelope.read(wrap(sample("Subscribe.xml"), soap))
    with pytest.raises(errors.OperationNotSupported, match="notifications"):
        read_request(read.body)


def test_addressing_details():
    anonymous = envelope.read(wrap(sample("Cancel.xml"), "1.2", reply_to=f"{WSA}/anonymous"))
    assert anonymous.reply_to is None
    old = envelope.read(wrap(sample("Cancel.xml"), "1.1", addressing=WSA_2004))
    assert (old.reply_to, old.message_id) == (
        "http://client.example/oseo/callback",
        "urn:uuid:1234",
    )
    untyped = envelope.read(wrap(sample("Cancel.xml"), "1.2", password_type=None))
    assert untyped.password == " s3cret pw"  # no Type: PasswordText


# ------------------------------------------------------------------------- envelope refusals


def _refused(
    body: bytes, kind: type[errors.OseoError], match: str | None, **kw
) -> errors.OseoError:
    with pytest.raises(kind, match=match) as caught:
        envelope.read(body, **kw)
    return caught.value


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_a_password_digest_is_refused(soap):
    error = _refused(
        wrap(sample("Cancel.xml"), soap, password_type=PASSWORD_DIGEST),
        errors.AuthenticationFailed,
        "only PasswordText is supported",
    )
    assert (error.status, error.locator) == (401, "identity_token")
    _refused(
        wrap(sample("Cancel.xml"), soap, password_type="urn:x#Kerberos"),
        errors.AuthenticationFailed,
        "not supported",
    )


def test_malformed_xml_is_refused_with_its_line_and_column():
    broken = b'<?xml version="1.0"?>\n<Cancel>\n  <orderId>1</order>'
    error = _refused(broken, errors.NoApplicableCode, None)
    assert error.status == 400
    assert re.search(r"line 3, column \d+: the request is not well-formed XML", str(error))


def test_entities_empty_and_oversized_documents_are_refused():
    bomb = b'<!DOCTYPE c [<!ENTITY a "aaaa">]><Cancel xmlns="%s">&a;</Cancel>' % OSEO.encode()
    assert _refused(bomb, errors.NoApplicableCode, "entity").status == 400
    assert _refused(b"  ", errors.NoApplicableCode, "empty").status == 400
    big = b"<Cancel>" + b" " * 100 + b"</Cancel>"
    assert _refused(big, errors.NoApplicableCode, "bytes", max_bytes=50).status == 413


@pytest.mark.parametrize(
    "body",
    [b"<Cancel/>", b'<x:Cancel xmlns:x="urn:other"/>', b'<s:Body xmlns:s="%s"/>' % SOAP12.encode()],
)
def test_documents_that_are_no_oseo_request_are_refused(body):
    error = _refused(body, errors.NoApplicableCode, None)
    assert error.status == 400
    assert "OSEO" in str(error) or "Envelope" in str(error)


def _soap(inner: str, ns: str = SOAP12, header: str = "") -> bytes:
    return f'<s:Envelope xmlns:s="{ns}">{header}{inner}</s:Envelope>'.encode()


def test_the_soap_body_must_hold_exactly_one_oseo_request():
    cancel = sample("Cancel.xml").decode()
    assert _refused(_soap(""), errors.MissingParameterValue, "no Body").locator == "Body"
    assert _refused(_soap("<s:Body/>"), errors.MissingParameterValue, "empty").locator == "Body"
    two = _soap(f"<s:Body>{cancel}{cancel}</s:Body>", SOAP11)
    assert _refused(two, errors.NoApplicableCode, "exactly one").status == 400
    foreign = _soap('<s:Body><x:Cancel xmlns:x="urn:x"/></s:Body>')
    _refused(foreign, errors.NoApplicableCode, "not an OSEO request")


def test_must_understand_headers_we_do_not_process_are_refused():
    cancel = sample("Cancel.xml").decode()
    header = '<s:Header><t:Tx xmlns:t="urn:t" s:mustUnderstand="{}"/></s:Header>'
    body = f"<s:Body>{cancel}</s:Body>"
    _refused(_soap(body, header=header.format("true")), errors.NoApplicableCode, "mustUnderstand")
    assert envelope.read(_soap(body, header=header.format("false"))).soap == "1.2"


# -------------------------------------------------------------------------- request refusals


def _request(operation: str, inner: str, **attributes: str) -> etree._Element:
    attrs = {"service": "OS", "version": "1.0.0", **attributes}
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items() if v is not None)
    return etree.fromstring(f'<{operation} xmlns="{OSEO}" {text}>{inner}</{operation}>')


def _bad(element, kind: type[errors.OseoError], locator: str | None) -> errors.OseoError:
    with pytest.raises(kind) as caught:
        read_request(element)
    assert caught.value.locator == locator, str(caught.value)
    return caught.value


CANCEL = "<orderId>o1</orderId><statusNotification>None</statusNotification>"


def test_service_and_version_are_checked():
    _bad(_request("Cancel", CANCEL, service="WPS"), errors.InvalidParameterValue, "service")
    _bad(_request("Cancel", CANCEL, service=None), errors.MissingParameterValue, "service")
    _bad(_request("Cancel", CANCEL, version="2.0.0"), errors.InvalidParameterValue, "version")
    _bad(_request("Cancel", CANCEL, version=None), errors.MissingParameterValue, "version")
    caps = '<o:AcceptVersions xmlns:o="{}"><o:Version>2.0.0</o:Version></o:AcceptVersions>'
    _bad(
        _request("GetCapabilities", caps.format(OWS), version=None),
        errors.VersionNegotiationFailed,
        None,
    )
    sections = '<ows:Sections xmlns:ows="{}"><ows:Section>{}</ows:Section></ows:Sections>'
    _bad(
        _request("GetCapabilities", sections.format(OWS, "Everything"), version=None),
        errors.InvalidParameterValue,
        "Sections",
    )
    asked = read_request(_request("GetCapabilities", sections.format(OWS, "Contents")))
    assert asked == GetCapabilities(["Contents"])


def test_get_status_refusals():
    nothing = _request("GetStatus", "<presentation>full</presentation>")
    _bad(nothing, errors.MissingParameterValue, "orderId")
    unpresented = _request("GetStatus", "<orderId>o1</orderId>")
    _bad(unpresented, errors.MissingParameterValue, "presentation")
    verbose = "<orderId>o1</orderId><presentation>verbose</presentation>"
    error = _bad(_request("GetStatus", verbose), errors.InvalidParameterValue, "presentation")
    assert "brief, full" in str(error)
    criteria = "<filteringCriteria>{}</filteringCriteria><presentation>brief</presentation>"
    unknown = criteria.format("<orderStatus>Done</orderStatus>")
    _bad(_request("GetStatus", unknown), errors.InvalidParameterValue, "orderStatus")
    when = criteria.format("<lastUpdate>yesterday</lastUpdate>")
    _bad(_request("GetStatus", when), errors.InvalidParameterValue, "lastUpdate")
    both = "<orderId>o1</orderId>" + criteria.format("")
    _bad(_request("GetStatus", both), errors.InvalidParameterValue, "filteringCriteria")


def test_get_status_by_criteria():
    inner = (
        "<filteringCriteria><lastUpdate>2024-03-01T10:00:00+02:00</lastUpdate>"
        "<lastUpdateEnd>2024-03-31</lastUpdateEnd><orderStatus>Completed</orderStatus>"
        "<orderStatus>Failed</orderStatus><orderReference>ref 1</orderReference>"
        "</filteringCriteria><presentation>brief</presentation>"
    )
    asked = read_request(_request("GetStatus", inner))
    assert asked.order_id is None
    assert asked.last_update == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert asked.last_update_end == datetime(2024, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert (asked.order_status, asked.order_statuses) == ("Completed", ["Completed", "Failed"])
    assert (asked.order_reference, asked.presentation) == ("ref 1", "brief")


def test_other_operations_refusals():
    _bad(
        _request("DescribeResultAccess", "<subFunction>allReady</subFunction>"),
        errors.MissingParameterValue,
        "orderId",
    )
    _bad(
        _request("DescribeResultAccess", "<orderId>o</orderId><subFunction>all</subFunction>"),
        errors.InvalidParameterValue,
        "subFunction",
    )
    _bad(
        _request("Cancel", "<orderId> </orderId><statusNotification>All</statusNotification>"),
        errors.MissingParameterValue,
        "orderId",
    )
    _bad(_request("GetOptions", ""), errors.MissingParameterValue, "collectionId")
    both = "<collectionId>C1-P</collectionId><identifier>G1-P</identifier>"
    _bad(_request("GetOptions", both), errors.InvalidParameterValue, "collectionId")
    identifiers = "<identifier>G1-P</identifier><identifier>G2-P</identifier>"
    products = read_request(_request("GetOptions", identifiers))
    assert products == GetOptions(None, [ProductId("G1-P"), ProductId("G2-P")], "G1-P")
    tasking = "<taskingRequestId><ID>urn:t1</ID></taskingRequestId>"
    _bad(_request("GetOptions", tasking), errors.OptionNotSupported, "taskingRequestId")
    monitoring = read_request(_request("GetQuotation", "<quotationId>q1</quotationId>"))
    assert monitoring == GetQuotation(spec=None, quotation_id="q1")
    _bad(_request("Frobnicate", ""), errors.OperationNotSupported, "Frobnicate")
    _bad(_request("SubmitResponse", ""), errors.OperationNotSupported, "SubmitResponse")


def _submit(item: str = "", spec_extra: str = "", notification: str = "Final") -> etree._Element:
    item = item or (
        "<orderItem><itemId>i1</itemId><productId><identifier>G1-P</identifier></productId>"
        "</orderItem>"
    )
    spec = (
        f"<orderSpecification>{spec_extra}<orderType>PRODUCT_ORDER</orderType>{item}"
        "</orderSpecification>"
    )
    tail = f"<statusNotification>{notification}</statusNotification>" if notification else ""
    return _request("Submit", spec + tail)


def _option(encoding: str, values: str) -> str:
    return (
        f"<option><ParameterData><encoding>{encoding}</encoding><values>{values}</values>"
        "</ParameterData></option>"
    )


def test_submit_refusals():
    _bad(_submit(notification=""), errors.MissingParameterValue, "statusNotification")
    _bad(_submit(notification="Sometimes"), errors.InvalidParameterValue, "statusNotification")
    _bad(
        _submit(spec_extra=f"<orderReference>{'r' * 31}</orderReference>"),
        errors.InvalidParameterValue,
        "orderReference",
    )
    text_encoded = (
        f"<orderItem><itemId>i1</itemId>{_option('TextEncoding', 'a,b')}"
        "<productId><identifier>G1-P</identifier></productId></orderItem>"
    )
    error = _bad(_submit(text_encoded), errors.OptionNotSupported, "encoding")
    assert "orderItem[1]/option[1]/ParameterData/encoding" in str(error)
    twice = _submit().find(f".//{{{OSEO}}}orderItem")
    doubled = _submit(etree.tostring(twice).decode() * 2)
    _bad(doubled, errors.InvalidParameterValue, "itemId")
    no_items = re.sub(r"<orderItem>.*</orderItem>", "", etree.tostring(_submit()).decode())
    _bad(etree.fromstring(no_items), errors.MissingParameterValue, "orderItem")
    nameless = "<orderItem><itemId>i1</itemId></orderItem>"
    _bad(_submit(nameless), errors.MissingParameterValue, "productId")
    bad_type = etree.tostring(_submit()).decode().replace("PRODUCT_ORDER", "BULK_ORDER")
    _bad(etree.fromstring(bad_type), errors.InvalidParameterValue, "orderType")


def test_submit_variants():
    quoted = "<quotationId>q1</quotationId><statusNotification>None</statusNotification>"
    by_quotation = read_request(_request("Submit", quoted))
    assert by_quotation == Submit(None, "q1", "None")
    subscription = (
        "<orderItem><itemId>s1</itemId><subscriptionId><collectionId>C1-P</collectionId>"
        "</subscriptionId></orderItem>"
    )
    item = read_request(_submit(subscription)).spec.items[0]
    assert (item.product, item.collection_id) == (None, "C1-P")
    repeated = (
        "<orderItem><itemId>i1</itemId>"
        + _option("XMLEncoding", '<a:Band xmlns:a="urn:a">1</a:Band><Band>3</Band>')
        + _option("XMLEncoding", "<Grid><X> 1 </X></Grid>")
        + _option("XMLEncoding", "<Band>4</Band>")
        + "<productId><identifier>G1-P</identifier></productId></orderItem>"
    )
    options_read = read_request(_submit(repeated)).spec.items[0].options
    assert options_read == [
        {"name": "Band", "values": ["1", "3", "4"]},
        {"name": "Grid", "children": [{"name": "X", "values": ["1"]}]},
    ]


# ------------------------------------------------------------------------------ option names


ESCAPES = st.text(alphabet="_x0123456789ABCDEFabcdef :", min_size=1, max_size=30)


@given(st.one_of(st.text(min_size=1, max_size=40), ESCAPES))
def test_ncname_is_a_valid_ncname_that_maps_back(name):
    encoded = options.ncname(name)
    etree.Element(qname(OPTIONS, encoded))  # lxml refuses an invalid name
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9._-]*", encoded)
    assert options.option_name(encoded) == name
    assert options.names_match(encoded, name)


def test_ncname_keeps_ncnames_and_escapes_the_rest():
    assert options.ncname("processingLevel") == "processingLevel"
    assert options.ncname("Output Format") == "Output_x0020_Format"
    assert options.ncname("3D") == "_x0033_D"
    assert options.ncname("a_x0020_b") == "a_x005F_x0020_b"


# ------------------------------------------------------------------------ answers we build


def _simple(name, kind="String", **kw):
    return {
        "kind": "simple",
        "name": name,
        "description": kw.pop("description", None),
        "min": kw.pop("min", 1),
        "max": kw.pop("max", 1),
        "encrypted": kw.pop("encrypted", False),
        "type": kind,
        "valids": kw.pop("valids", None),
        "min_value": kw.pop("low", None),
        "max_value": kw.pop("high", None),
    }


def _complex(name, kind, children, **kw):
    return {
        "kind": "complex",
        "name": name,
        "description": kw.get("description"),
        "min": kw.get("min", 1),
        "max": kw.get("max", 1),
        "type": kind,
        "children": children,
    }


DEFINITIONS = [
    _simple("Output Format", valids=["HDF-EOS", "GeoTIFF"], description="the file format"),
    _simple("comment", min=0, max=None, low="1", high="200"),
    _simple("notes"),
    _simple("bits per sample", "Integer", valids=["8", "16"]),
    _simple("bands", "Integer", min=0, max=12, low="1", high="12"),
    _simple("scale", "Double", low="0.5"),
    _simple("resample", "Boolean", min=0),
    _simple("start", "Date", low="2020-01-01", high="2024-12-31T23:00"),
    _simple("day", "Date", valids=["2021-06-01", "2021-06-02T12:00:00Z"]),
    _simple("FTP password", encrypted=True),
    _complex(
        "Subset: area",
        "STRUCTURE",
        [
            _simple("west", "Double", low="-180", high="180"),
            _complex(
                "method", "CHOICE", [_simple("bbox"), _simple("tile id", "Integer")], max=None
            ),
        ],
        min=0,
        description="spatial subsetting",
    ),
]


def test_get_options_response_describes_every_kind_of_option():
    answer = responses.get_options_response("C1200000001-PROV", DEFINITIONS)
    assert_valid(oseo_schema(), answer)
    fields = answer.findall(f".//{{{OSEO}}}option/{{{SWE}}}DataRecord/{{{SWE}}}field")
    assert [f.get("name") for f in fields] == [options.ncname(d["name"]) for d in DEFINITIONS]
    assert fields[0].findtext(f".//{{{SWE}}}label") == "Output Format"
    kinds = [etree.QName(f[0]).localname for f in fields]
    assert kinds == [
        "Category",
        "DataArray",
        "Text",
        "Count",
        "DataArray",
        "Quantity",
        "Boolean",
        "Time",
        "Time",
        "Text",
        "DataRecord",
    ]
    assert answer.find(f".//{{{SWE}}}DataChoice") is not None
    several = responses.options_response(
        responses.order_options("C1-A", DEFINITIONS[:2], identifier="G1-A"),
        responses.order_options("C2-B", []),
    )
    assert_valid(oseo_schema(), several)


def _views() -> list[OrderView]:
    """One order per status; two providers' items with nested, masked options."""
    selection = [
        {"name": "Output Format", "values": ["GeoTIFF"]},
        {"name": "FTP password", "values": ["********"]},
        {"name": "Band", "values": ["1", "2"]},
        {
            "name": "Subset: area",
            "children": [
                {"name": "west", "values": ["-10.5"]},
                {"name": "token", "values": [{"encrypted": "gAAAAABsecret"}]},
            ],
        },
    ]
    delivery = Delivery(JOHN, "ftp://john@ftp.example.org:2121/in/box")
    views = []
    start = datetime(2024, 5, 1, 12, 0)
    for n, status in enumerate(requests.STATUSES):
        items = [
            ItemView(
                f"item_{k}",
                ProductId(f"G{k}-PROV{k % 2}", f"C{k % 2}-PROV{k % 2}"),
                selection if k % 2 else [],
                f"remark {k}" if k else None,
                requests.STATUSES[(n + k) % 9],
                f"provider order state {k}" if k else "",
            )
            for k in range(3)
        ]
        views.append(
            OrderView(
                f"urn:uuid:order-{n}",
                f"ref {n}" if n % 2 else None,
                "a remark" * n,
                "PRODUCT_ORDER",
                delivery if n % 3 else None,
                status,
                "x" * 5000 if n == 1 else None,
                start - timedelta(hours=n),
                items,
            )
        )
    return views


@pytest.mark.parametrize("full", [False, True])
def test_get_status_response_covers_every_status(full):
    answer = responses.get_status_response(_views(), full=full)
    assert_valid(oseo_schema(), answer)
    specs = answer.findall(f"{{{OSEO}}}orderMonitorSpecification")
    shown = {spec.findtext(f"{{{OSEO}}}orderStatusInfo/{{{OSEO}}}status") for spec in specs}
    assert shown == set(requests.STATUSES)
    assert (answer.find(f".//{{{OSEO}}}orderItem") is not None) == full
    text = etree.tostring(answer).decode()
    assert "gAAAAABsecret" not in text
    if full:
        assert "Subset_x003A__x0020_area" in text and "********" in text


def test_order_options_read_back_as_they_were_stored():
    selection = _views()[0].items[1].options
    data = options.parameter_data(selection)
    read = options.selection_of([data.find(f"{{{OSEO}}}values")])

    def names(nodes):
        return [
            {
                "name": options.option_name(n["name"]),
                **(
                    {"children": names(n["children"])}
                    if "children" in n
                    else {"values": n["values"]}
                ),
            }
            for n in nodes
        ]

    stored = selection[3]["children"][1]["values"]
    masked = [options.MASK if isinstance(v, dict) else v for v in stored]
    assert names(read)[:3] == selection[:3]
    assert names(read)[3]["children"][1]["values"] == masked


def _quotation(unpriced: bool = False) -> Quotation:
    lpdaac = [("item_0", ProductId("G0-LPDAAC", "C0-LPDAAC")), ("item_1", ProductId("G1-LPDAAC"))]
    nsidc_price = None if unpriced else Price(Decimal("7"), "USD")
    groups = [
        ProviderPrice("LPDAAC order desk", "LP DAAC", Price(Decimal("12.50"), "USD"), lpdaac),
        ProviderPrice(
            "NSIDC order desk with a very long name indeed",
            "NSIDC",
            nsidc_price,
            [("item_2", ProductId("G2-NSIDC"))],
        ),
    ]
    total = None if unpriced else Price(Decimal("19.50"), "USD")
    return Quotation("urn:uuid:quote-1", datetime(2024, 6, 1, tzinfo=UTC), total, groups)


@pytest.mark.parametrize("unpriced", [False, True])
def test_quotations_are_valid(unpriced):
    for answer in (
        responses.quotation_ack(_quotation(unpriced)),
        responses.get_quotation_response(_quotation(unpriced)),
    ):
        assert_valid(oseo_schema(), answer)
        assert answer.findtext(f"{{{OSEO}}}status") == ("partial" if unpriced else "success")
        assert len(answer.findall(f".//{{{OSEO}}}orderItemGroupPrice")) == 2
    assert_valid(oseo_schema(), responses.quotation_pending_ack("urn:uuid:quote-1"))


def test_other_answers_are_valid():
    view = _views()[4]
    when = datetime(2024, 5, 2, 8, 30, tzinfo=UTC)
    for answer in (
        responses.capabilities(
            "https://ch.example/oseo",
            [("C1-P", "one"), ("C2-Q", "two")],
            [
                "GetCapabilities",
                "GetOptions",
                "GetQuotation",
                "Submit",
                "GetStatus",
                "DescribeResultAccess",
                "Cancel",
            ],
        ),
        responses.capabilities("https://ch.example/oseo", [], ["GetStatus"], sections=["Contents"]),
        responses.submit_ack("urn:uuid:order-1", "example_0001"),
        responses.submit_ack("urn:uuid:order-1"),
        responses.submit_response(view, when),
        responses.cancel_ack(),
        responses.cancel_response(view, when),
        responses.describe_result_access_response(
            [
                ("item_0", "ftp://ftp.example.org/out/G0.hdf"),
                ("item_1", "https://dl.example.org/G1"),
            ]
        ),
        responses.describe_result_access_response([]),
    ):
        assert_valid(oseo_schema(), answer)


# ----------------------------------------------------------------------- envelopes we write


@pytest.mark.parametrize("soap", SOAPS)
def test_answers_in_every_envelope(soap):
    document, content_type = envelope.write(responses.cancel_ack(), soap, relates_to="urn:uuid:1")
    assert (
        content_type
        == {
            None: "application/xml",
            "1.1": "text/xml; charset=utf-8",
            "1.2": "application/soap+xml; charset=utf-8",
        }[soap]
    )
    assert document.startswith(b"<?xml")
    root = etree.fromstring(document)
    if soap is None:
        answer = root
    else:
        ns = SOAP12 if soap == "1.2" else SOAP11
        assert root.findtext(f"{{{ns}}}Header/{{{WSA}}}RelatesTo") == "urn:uuid:1"
        assert root.findtext(f"{{{ns}}}Header/{{{WSA}}}Action") == "CancelAck"
        (answer,) = root.find(f"{{{ns}}}Body")
    assert_valid(oseo_schema(), answer)


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_callbacks_carry_their_addressing(soap):
    message = responses.submit_response(_views()[5], datetime(2024, 5, 2, tzinfo=UTC))
    document, _ = envelope.write_callback(
        message, soap, "http://client.example/cb", "urn:uuid:n1", relates_to="urn:uuid:1234"
    )
    ns = SOAP12 if soap == "1.2" else SOAP11
    header = etree.fromstring(document).find(f"{{{ns}}}Header")
    assert [etree.QName(h).localname for h in header] == ["To", "Action", "MessageID", "RelatesTo"]
    assert header.findtext(f"{{{WSA}}}Action") == "SubmitResponse"
    (body,) = etree.fromstring(document).find(f"{{{ns}}}Body")
    assert_valid(oseo_schema(), body)
    headers = envelope.http_headers(message, soap)
    if soap == "1.1":
        assert headers["SOAPAction"] == '"SubmitResponse"'
    else:
        assert headers["Content-Type"].endswith('action="SubmitResponse"')


# ---------------------------------------------------------------------------------- faults


@pytest.mark.parametrize("soap", SOAPS)
@pytest.mark.parametrize("kind", errors.ALL)
def test_faults_carry_a_valid_exception_report(kind, soap):
    error = kind("something is wrong with <this> & that", locator="orderId")
    document, content_type = envelope.fault(error, soap)
    assert content_type == envelope.content_type(soap)
    root = etree.fromstring(document)
    client = error.status < 500
    if soap is None:
        report = root
    elif soap == "1.2":
        fault = root.find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault")
        code = fault.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value")
        assert code == ("env:Sender" if client else "env:Receiver")
        assert code.split(":")[0] in {p for p, ns in fault.nsmap.items() if ns == SOAP12}
        reason = fault.find(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text")
        assert (reason.get(qname(XML, "lang")), reason.text) == ("en", str(error))
        (report,) = fault.find(f"{{{SOAP12}}}Detail")
    else:
        fault = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
        assert fault.findtext("faultcode") == ("soap:Client" if client else "soap:Server")
        assert fault.findtext("faultstring") == str(error)
        (report,) = fault.find("detail")
    assert_valid(ows_schema(), report)
    (exception,) = report
    assert exception.get("exceptionCode") == error.code
    assert exception.get("locator") == "orderId"
    assert exception.findtext(f"{{{OWS}}}ExceptionText") == str(error)
    assert envelope.fault_status(error, soap) == (500 if soap == "1.1" else error.status)


def test_exception_codes_and_statuses():
    assert {k.code: k.status for k in errors.ALL} == {
        "OperationNotSupported": 400,
        "MissingParameterValue": 400,
        "InvalidParameterValue": 400,
        "VersionNegotiationFailed": 400,
        "OptionNotSupported": 400,
        "NoApplicableCode": 500,
        "AuthenticationFailed": 401,
        "AuthorizationFailed": 403,
        "InvalidOrderIdentifier": 404,
        "UnsupportedCollection": 400,
        "ProductUnavailable": 404,
        "InvalidNotificationValue": 400,
        "ProductOrderingNotSupported": 400,
        "SubscriptionNotSupported": 400,
        "FutureProductNotSupported": 400,
    }
    malformed = errors.NoApplicableCode("not XML", status=400)
    assert (malformed.status, malformed.server_side) == (400, False)
    two = [errors.MissingParameterValue("a"), errors.NoApplicableCode("b")]
    report = envelope.exception_report(two)
    assert_valid(ows_schema(), report)
    assert report.get("version") == "2.0.0" and "locator" not in report[1].attrib
