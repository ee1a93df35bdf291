"""OGC OSEO at POST /oseo, end to end: SOAP 1.2, SOAP 1.1 and bare XML with WS-Security
UsernameTokens, orders placed through the broker to simulated partners, SubmitResponse and
CancelResponse callbacks received by a callback server of the test's own, GetStatus polled,
result URLs described. Every answer is checked against the official oseo.xsd."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest
import requests
from lxml import etree

from clearinghouse.accounts.models import AccessRule, Grantee, Group, Permission
from partner_sim import Behaviour
from tests.api_support import PASSWORD, act_for, login, performed
from tests.broker_support import MEDIA_TYPE, PROFILE
from tests.oseo_support import oseo_schema, ows_schema
from tests.shop_support import Shop

OS = "http://www.opengis.net/oseo/1.0"
OWS = "http://www.opengis.net/ows/2.0"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSA = "http://www.w3.org/2005/08/addressing"
NS = {"os": OS, "ows": OWS, "s12": SOAP12, "s11": SOAP11}
SAMPLES = (
    Path(__file__).resolve().parents[2]
    / "shared/schemas/oseo/schemas.opengis.net/oseo/1.0/SampleMessages"
)


class Callbacks(http.server.BaseHTTPRequestHandler):
    """The client's own endpoint for the server's messages (wsa:ReplyTo)."""

    received: list[etree._Element]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(etree.fromstring(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def callbacks():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callbacks)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/notifications"
    yield server
    server.shutdown()


def envelope(
    body: str,
    *,
    user: str | None,
    password: str = PASSWORD,
    soap: str = "1.2",
    reply_to: str | None = None,
) -> bytes:
    if soap is None:
        return body.encode()
    namespace = SOAP12 if soap == "1.2" else SOAP11
    header = ""
    if user:
        header += (
            f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
            f"<wsse:Username>{user}</wsse:Username><wsse:Password>{password}"
            "</wsse:Password></wsse:UsernameToken></wsse:Security>"
        )
    if reply_to:
        header += (
            f'<wsa:MessageID xmlns:wsa="{WSA}">urn:uuid:1</wsa:MessageID>'
            f'<wsa:ReplyTo xmlns:wsa="{WSA}"><wsa:Address>{reply_to}</wsa:Address>'
            "</wsa:ReplyTo>"
        )
    return (
        f'<env:Envelope xmlns:env="{namespace}"><env:Header>{header}</env:Header>'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    ).encode()


def call(
    shop: Shop,
    body: str,
    *,
    user: str | None = "",
    status: int = 200,
    soap: str = "1.2",
    reply_to: str | None = None,
) -> etree._Element:
    """POST an OSEO request; the answer's body element, checked against the schemas."""
    user = shop.username if user == "" else user
    headers = {"Content-Type": "application/soap+xml" if soap == "1.2" else "text/xml"}
    response = requests.post(
        f"{shop.url}/oseo",
        data=envelope(body, user=user, soap=soap, reply_to=reply_to),
        headers=headers,
        timeout=60,
    )
    assert response.status_code == status, response.text
    root = etree.fromstring(response.content)
    if soap is None:
        answer = root
    else:
        prefix = "s12" if soap == "1.2" else "s11"
        answer = root.find(f"{prefix}:Body", NS)[0]
    if answer.tag.endswith("Fault"):
        report = answer.find(".//ows:ExceptionReport", NS)
        assert ows_schema().validate(report), ows_schema().error_log
        return report
    if answer.tag == f"{{{OWS}}}ExceptionReport":
        assert ows_schema().validate(answer), ows_schema().error_log
        return answer
    assert oseo_schema().validate(answer), (oseo_schema().error_log, etree.tostring(answer))
    return answer


def code(report: etree._Element) -> str:
    return report.find("ows:Exception", NS).get("exceptionCode")


def order_spec(
    items: list[tuple[str, str, str]], *, reference: str = "ref-1", options: str = ""
) -> str:
    lines = "".join(
        f"<os:orderItem><os:itemId>{item_id}</os:itemId>{options}<os:productId>"
        f"<os:identifier>{granule}</os:identifier><os:collectionId>{collection}"
        "</os:collectionId></os:productId></os:orderItem>"
        for item_id, granule, collection in items
    )
    return (
        f"<os:orderSpecification><os:orderReference>{reference}</os:orderReference>"
        "<os:orderRemark>from the tests</os:orderRemark><os:orderType>PRODUCT_ORDER"
        f"</os:orderType>{lines}</os:orderSpecification>"
    )


def request(operation: str, inner: str) -> str:
    return f'<os:{operation} xmlns:os="{OS}" service="OS" version="1.0.0">{inner}</os:{operation}>'


def collection_of(shop: Shop, granule: str) -> str:
    with shop.engine.connect() as conn:
        from sqlalchemy import text

        number = int(granule[1:].split("-")[0])
        collection = conn.execute(
            text("SELECT collection_id FROM granules WHERE id = :g"), {"g": number}
        ).scalar_one()
    return f"C{collection}-{granule.split('-', 1)[1]}"


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.1)
    return found


def statuses(messages: list[etree._Element], tag: str) -> list[str]:
    out = []
    for message in messages:
        body = message.find("s12:Body", NS)
        element = body[0] if body is not None else message
        if element.tag == f"{{{OS}}}{tag}":
            assert oseo_schema().validate(element), oseo_schema().error_log
            out.append(
                element.findtext(
                    "os:orderMonitorSpecification/os:orderStatusInfo/os:status", namespaces=NS
                )
            )
    return out


def desk(shop: Shop, provider_id: str) -> str:
    token = login(shop.client, f"{provider_id.lower()}-desk")
    assert act_for(shop.client, token, provider_id).status_code == 200
    return token


def test_capabilities_need_no_token_and_list_the_collections_that_take_orders(shop, sim):
    items = shop.partner("CAPS", sim, Behaviour())
    for soap in ("1.2", "1.1", None):
        caps = call(shop, request("GetCapabilities", ""), user=None, soap=soap)
        assert caps.tag == f"{{{OS}}}Capabilities"
        assert collection_of(shop, items[0]) in etree.tostring(caps, encoding="unicode")


def test_an_order_through_oseo_with_notifications_status_and_result_urls(shop, sim, callbacks):
    sync = shop.partner("OSYNC", sim, Behaviour(process_time=0.5))
    asyn = shop.partner("OASYNC", sim, Behaviour(mode="async", process_time=0.5))
    shop.start_worker()
    spec = order_spec(
        [
            ("item-1", sync[0], collection_of(shop, sync[0])),
            ("item-2", asyn[0], collection_of(shop, asyn[0])),
        ]
    )
    ack = call(
        shop,
        request("Submit", spec + "<os:statusNotification>All</os:statusNotification>"),
        reply_to=callbacks.url,
    )
    assert ack.tag == f"{{{OS}}}SubmitAck" and ack.findtext("os:status", namespaces=NS) == "success"
    order_id = ack.findtext("os:orderId", namespaces=NS)
    assert ack.findtext("os:orderReference", namespaces=NS) == "ref-1"
    # Polling: brief and full, by id and by the filters.
    wait_for(
        lambda: (
            call(
                shop,
                request(
                    "GetStatus",
                    f"<os:orderId>{order_id}</os:orderId><os:presentation>brief</os:presentation>",
                ),
            ).findtext(".//os:orderStatusInfo/os:status", namespaces=NS)
            == "Completed"
        ),
        what="completed order",
    )
    full = call(
        shop,
        request(
            "GetStatus",
            f"<os:orderId>{order_id}</os:orderId><os:presentation>full</os:presentation>",
        ),
    )
    assert [
        i.findtext("os:itemId", namespaces=NS) for i in full.iterfind(".//os:orderItem", NS)
    ] == ["item-1", "item-2"]
    by_reference = call(
        shop,
        request(
            "GetStatus",
            "<os:filteringCriteria><os:orderReference>ref-1</os:orderReference>"
            "</os:filteringCriteria><os:presentation>brief</os:presentation>",
        ),
    )
    assert [
        o.findtext("os:orderId", namespaces=NS)
        for o in by_reference.iterfind("os:orderMonitorSpecification", NS)
    ] == [order_id]
    for criteria, found in (
        ("<os:lastUpdate>2000-01-01T00:00:00Z</os:lastUpdate>", [order_id]),
        ("<os:lastUpdate>2999-01-01T00:00:00Z</os:lastUpdate>", []),
        ("<os:lastUpdateEnd>2000-01-01T00:00:00Z</os:lastUpdateEnd>", []),
        ("<os:lastUpdateEnd>2999-01-01</os:lastUpdateEnd>", [order_id]),
        ("<os:orderStatus>Completed</os:orderStatus>", [order_id]),
    ):
        recent = call(
            shop,
            request(
                "GetStatus",
                f"<os:filteringCriteria>{criteria}"
                "<os:orderReference>ref-1</os:orderReference></os:filteringCriteria>"
                "<os:presentation>brief</os:presentation>",
            ),
        )
        assert [
            o.findtext("os:orderId", namespaces=NS)
            for o in recent.iterfind("os:orderMonitorSpecification", NS)
        ] == found
    none = call(
        shop,
        request(
            "GetStatus",
            "<os:filteringCriteria><os:orderStatus>Failed"
            "</os:orderStatus></os:filteringCriteria><os:presentation>brief</os:presentation>"
            "<os:presentation>brief</os:presentation>",
        ),
    )
    assert none.find("os:orderMonitorSpecification", NS) is None
    # The callbacks: every change of the order's status, the last one Completed.
    seen = wait_for(
        lambda: (
            statuses(callbacks.received, "SubmitResponse")
            if "Completed" in statuses(callbacks.received, "SubmitResponse")
            else None
        ),
        what="Completed SubmitResponse",
    )
    assert seen[-1] == "Completed" and len(seen) == len(set(seen))
    # The data: where the partners put it, once for nextReady.
    access = call(
        shop,
        request(
            "DescribeResultAccess",
            f"<os:orderId>{order_id}</os:orderId><os:subFunction>allReady</os:subFunction>",
        ),
    )
    urls = {
        u.findtext("os:itemId", namespaces=NS): u.findtext(".//os:URL", namespaces=NS)
        for u in access.iterfind("os:URLs", NS)
    }
    assert set(urls) == {"item-1", "item-2"} and all(
        u.startswith("http://127.0.0.1") for u in urls.values()
    )
    first = call(
        shop,
        request(
            "DescribeResultAccess",
            f"<os:orderId>{order_id}</os:orderId><os:subFunction>nextReady</os:subFunction>",
        ),
    )
    again = call(
        shop,
        request(
            "DescribeResultAccess",
            f"<os:orderId>{order_id}</os:orderId><os:subFunction>nextReady</os:subFunction>",
        ),
    )
    assert len(first.findall("os:URLs", NS)) == 2 and again.find("os:URLs", NS) is None


def test_quotations_sync_and_async_and_a_submit_by_quotation_id(shop, sim, callbacks):
    one = shop.partner("QONE", sim, Behaviour())
    two = shop.partner("QTWO", sim, Behaviour(mode="async", price="2.50"))
    shop.start_worker()
    spec = order_spec(
        [("a", one[0], collection_of(shop, one[0])), ("b", two[0], collection_of(shop, two[0]))]
    )
    ack = call(shop, request("GetQuotation", spec))
    groups = ack.findall(".//os:orderItemGroupPrice", NS)
    prices = sorted(g.findtext("os:price/os:value", namespaces=NS) for g in groups)
    assert prices == ["10.00", "2.50"]
    assert ack.findtext("os:quotation/os:price/os:value", namespaces=NS) == "12.50"
    # Asynchronous: acknowledged at once, the quotation follows.
    pending = call(shop, request("GetQuotation", spec), reply_to=callbacks.url)
    # Monitoring: the client may also ask how far the quotation has got.
    asked = pending.findtext(".//os:quotationId", namespaces=NS)
    monitored = wait_for(
        lambda: call(
            shop, request("GetQuotation", f"<os:quotationId>{asked}</os:quotationId>")
        ).findtext("os:quotation/os:price/os:value", namespaces=NS),
        what="monitored quotation",
    )
    assert monitored == "12.50"
    [response] = wait_for(
        lambda: [
            r for m in callbacks.received for r in m.iterfind(".//os:GetQuotationResponse", NS)
        ],
        what="GetQuotationResponse",
    )
    assert response.findtext(".//os:quotation/os:price/os:value", namespaces=NS) == "12.50"
    assert oseo_schema().validate(response), oseo_schema().error_log
    quotation_id = ack.findtext("os:quotation/os:quotationId", namespaces=NS)
    submitted = call(
        shop,
        request(
            "Submit",
            f"<os:quotationId>{quotation_id}</os:quotationId>"
            "<os:statusNotification>None</os:statusNotification>",
        ),
    )
    assert submitted.findtext("os:orderId", namespaces=NS) == quotation_id


def test_cancel_with_a_final_notification(shop, sim, callbacks):
    items = shop.partner("OCANCEL", sim, Behaviour(mode="async", process_time=60))
    shop.start_worker()
    ack = call(
        shop,
        request(
            "Submit",
            order_spec([("x", items[0], collection_of(shop, items[0]))])
            + "<os:statusNotification>None</os:statusNotification>",
        ),
    )
    order_id = ack.findtext("os:orderId", namespaces=NS)
    wait_for(lambda: shop.states(order_id) == {"OCANCEL": "PROCESSING"}, what="processing")
    cancelled = call(
        shop,
        request(
            "Cancel",
            f"<os:orderId>{order_id}</os:orderId>"
            "<os:statusNotification>Final</os:statusNotification>",
        ),
        reply_to=callbacks.url,
    )
    assert cancelled.tag == f"{{{OS}}}CancelAck"
    seen = wait_for(lambda: statuses(callbacks.received, "CancelResponse"), what="CancelResponse")
    assert seen == ["Cancelled"]


def test_options_as_swe_records_and_parameter_data_checked_by_the_option_framework(shop, sim):
    items = shop.partner("OPTS", sim, Behaviour())
    collection = collection_of(shop, items[0])
    performed(
        shop.client,
        desk(shop, shop.providers[0]),
        PROFILE,
        f"<SetOptionDefinitionRequest>{MEDIA_TYPE}</SetOptionDefinitionRequest>",
    )
    options = call(shop, request("GetOptions", f"<os:collectionId>{collection}</os:collectionId>"))
    text = etree.tostring(options, encoding="unicode")
    assert "DataRecord" in text or "DataChoice" in text
    assert "UnixCompress" in text and "GZip" in text  # the Valids as AllowedTokens
    by_product = call(shop, request("GetOptions", f"<os:identifier>{items[0]}</os:identifier>"))
    assert etree.tostring(by_product).count(b"UnixCompress") == text.count("UnixCompress")
    bad = (
        "<os:option><os:ParameterData><os:encoding>XMLEncoding</os:encoding><os:values>"
        "<o:MediaType xmlns:o='urn:o'><o:CD><o:Copies>9</o:Copies></o:CD></o:MediaType>"
        "</os:values></os:ParameterData></os:option>"
    )
    refused = call(
        shop,
        request(
            "Submit",
            order_spec([("i", items[0], collection)], options=bad)
            + "<os:statusNotification>None</os:statusNotification>",
        ),
        status=400,
    )
    assert code(refused) == "InvalidParameterValue"
    assert "MediaType/CD/Copies" in refused.findtext(".//ows:ExceptionText", namespaces=NS)


def test_refusals_carry_the_oseo_exception_codes(shop, sim):
    items = shop.partner("OREF", sim, Behaviour())
    get = request(
        "GetStatus",
        "<os:orderId>00000000-0000-0000-0000-000000000000</os:orderId>"
        "<os:presentation>brief</os:presentation>",
    )
    for soap in ("1.2", "1.1", None):
        assert code(call(shop, get, user=None, status=401, soap=soap)) == "AuthenticationFailed"
    assert code(call(shop, get, status=404)) == "InvalidOrderIdentifier"
    # Orderable by a group the buyer is not in: AuthorizationFailed.
    with shop.db.session() as session:
        team = Group(name=f"team {shop.tag}", owner_provider_id=shop.providers[0])
        session.add(team)
        session.flush()
        session.add(
            AccessRule(
                provider_id=shop.providers[0],
                permission=Permission.ORDER,
                grantee=Grantee.GROUP,
                group_id=team.id,
            )
        )
    collection = collection_of(shop, items[0])
    submit = request(
        "Submit",
        order_spec([("i", items[0], collection)])
        + "<os:statusNotification>None</os:statusNotification>",
    )
    assert code(call(shop, submit, status=403)) == "AuthorizationFailed"
    assert (
        code(
            call(
                shop,
                request(
                    "GetStatus",
                    "<os:filteringCriteria><os:orderStatus>Lost</os:orderStatus>"
                    "</os:filteringCriteria><os:presentation>brief</os:presentation>",
                ),
                status=400,
            )
        )
        == "InvalidParameterValue"
    )
    wrong = requests.post(
        f"{shop.url}/oseo", data=envelope(get, user=shop.username, password="wrong password")
    )
    assert wrong.status_code == 401
    unsupported = request("GetOptions", "<os:collectionId>urn:nowhere</os:collectionId>")
    assert code(call(shop, unsupported, status=400)) == "UnsupportedCollection"
    subscribe = (SAMPLES / "Subscribe.xml").read_text()
    subscribe = subscribe[subscribe.index("<wsn-b:Subscribe") :]
    assert code(call(shop, subscribe, status=400)) == "OperationNotSupported"
    malformed = requests.post(f"{shop.url}/oseo", data=b"<os:Submit xmlns:os='x'>")
    assert malformed.status_code == 400 and b"NoApplicableCode" in malformed.content
    missing = request("GetStatus", "<os:presentation>sideways</os:presentation>")
    assert code(call(shop, missing, status=400)) in (
        "InvalidParameterValue",
        "MissingParameterValue",
    )
    del items


#: Options named as the official samples' ParameterData name them, for the partner of the test.
SAMPLE_OPTIONS = [
    "<OptionDefinition><SimpleOption><Name>processingLevel</Name><MinOccurs>0</MinOccurs>"
    "<PrimitiveType>String</PrimitiveType><Valids><Valid>1B</Valid><Valid>2</Valid></Valids>"
    "</SimpleOption></OptionDefinition>",
    *(
        f"<OptionDefinition><SimpleOption><Name>{name}</Name><MinOccurs>0</MinOccurs>"
        "<PrimitiveType>String</PrimitiveType></SimpleOption></OptionDefinition>"
        for name in ("productType", "qualityOfService", "sceneType")
    ),
    "<OptionDefinition><SimpleOption><Name>frame</Name><MinOccurs>0</MinOccurs>"
    "<PrimitiveType>Integer</PrimitiveType></SimpleOption></OptionDefinition>",
    "<OptionDefinition><ComplexOption><Name>sceneStartStopTime</Name><MinOccurs>0</MinOccurs>"
    "<Type>STRUCTURE</Type><SimpleOption><Name>min</Name><PrimitiveType>Date</PrimitiveType>"
    "</SimpleOption><SimpleOption><Name>max</Name><PrimitiveType>Date</PrimitiveType>"
    "</SimpleOption></ComplexOption></OptionDefinition>",
    "<OptionDefinition><ComplexOption><Name>SubSatellitePosition</Name><MinOccurs>0</MinOccurs>"
    "<Type>STRUCTURE</Type><SimpleOption><Name>SubSatelliteLongitudePosition</Name>"
    "<PrimitiveType>Double</PrimitiveType></SimpleOption><SimpleOption><Name>Satellite</Name>"
    "<PrimitiveType>String</PrimitiveType></SimpleOption></ComplexOption></OptionDefinition>",
]
ESA_PRODUCT = (
    "http://www.opengis.net/def/EOP/ESA/0/ESA.EECF.ENVISAT_ASA_IMx_xS/EN1-05121921114570-3322.XI"
)
ESA_COLLECTION = "http://www.opengis.net/def/EOP/ESA/0/ESA.EECF.ENVISAT_ASA_IMx_xS"


def official(name: str, **replacements: str) -> str:
    """An official sample request, its identifiers replaced by the test's."""
    text = (SAMPLES / name).read_text()
    text = text[text.index("<", text.index("?>") + 2 if text.startswith("<?xml") else 0) :]
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def test_the_official_sample_requests_are_answered(shop, sim, callbacks):
    items = shop.partner("ESA", sim, Behaviour(process_time=0.3))
    collection = collection_of(shop, items[0])
    token = desk(shop, shop.providers[0])
    for definition in SAMPLE_OPTIONS:
        performed(
            shop.client,
            token,
            PROFILE,
            f"<SetOptionDefinitionRequest>{definition}</SetOptionDefinitionRequest>",
        )
    shop.start_worker()
    ids = {ESA_PRODUCT: items[0], ESA_COLLECTION: collection}
    assert call(shop, official("GetCapabilities.xml"), user=None).tag == f"{{{OS}}}Capabilities"
    options = call(shop, official("GetOptions.xml", **{ESA_COLLECTION: collection}))
    assert "processingLevel" in etree.tostring(options, encoding="unicode")
    refused = call(shop, official("GetOptions_subscription_with_restriction.xml"), status=400)
    assert code(refused) == "UnsupportedCollection"
    quoted = call(shop, official("GetQuotation.xml", **ids))
    assert quoted.findtext("os:quotation/os:price/os:value", namespaces=NS) == "10.00"
    orders = []
    for name in ("Submit.xml", "Submit2.xml"):
        text = official(name, **ids)
        ack = call(shop, text, reply_to=callbacks.url)
        orders.append(ack.findtext("os:orderId", namespaces=NS))
    for order_id in orders:
        wait_for(lambda o=order_id: shop.states(o) == {"ESA": "CLOSED"}, what="closed order")
        status = call(shop, official("GetStatus.xml", **{"urn:ESA:EECF:order_id_0001": order_id}))
        assert status.findtext(".//os:orderStatusInfo/os:status", namespaces=NS) == "Completed"
        access = call(
            shop, official("DescribeResultAccess.xml", **{"urn:ESA:EECF:order_id_0001": order_id})
        )
        assert access.find("os:URLs", NS) is not None
    seen = wait_for(
        lambda: (
            statuses(callbacks.received, "SubmitResponse")
            if len(statuses(callbacks.received, "SubmitResponse")) == 2
            else None
        ),
        what="two Final SubmitResponses",
    )
    assert seen == ["Completed", "Completed"]  # Final: the end only
    # Cancel.xml: a closed order cannot be cancelled any more, and says so in OSEO's words.
    cancel = call(
        shop,
        official("Cancel.xml", **{"urn:ESA:EECF:order_id_0001": orders[0]}),
        reply_to=callbacks.url,
        status=400,
    )
    assert code(cancel) == "InvalidParameterValue"
    assert "CLOSED" in cancel.findtext(".//ows:ExceptionText", namespaces=NS)


ACCEPTED = {
    "GetCapabilities.xml",
    "GetOptions.xml",
    "GetOptions_subscription_with_restriction.xml",
    "GetQuotation.xml",
    "Submit.xml",
    "Submit2.xml",
    "GetStatus.xml",
    "DescribeResultAccess.xml",
    "Cancel.xml",
}


@pytest.mark.parametrize(
    "name",
    sorted(
        p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.xml") if p.name not in ACCEPTED
    ),
)
def test_the_other_official_samples_are_refused_as_operations_not_offered(client, name):
    """Callbacks, acknowledgements, responses and WS-Notification messages are not requests
    a client sends this server."""
    text = (SAMPLES / name).read_text()
    response = client.post("/oseo", data=text.encode(), content_type="application/xml")
    assert response.status_code == 400, response.data
    report = etree.fromstring(response.data)
    assert ows_schema().validate(report), ows_schema().error_log
    assert code(report) == "OperationNotSupported"


def test_one_product_twice_and_a_partner_without_orders(shop, sim):
    items = shop.partner("TWICE", sim, Behaviour())
    collection = collection_of(shop, items[0])
    twice = request(
        "Submit",
        order_spec([("a", items[0], collection), ("b", items[0], collection)])
        + "<os:statusNotification>None</os:statusNotification>",
    )
    refused = call(shop, twice, status=400)
    assert code(refused) == "InvalidParameterValue"
    assert "orderItem b" in refused.findtext(".//ows:ExceptionText", namespaces=NS)
    with shop.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text("UPDATE providers SET order_endpoint = NULL WHERE provider_id = :p"),
            {"p": shop.providers[0]},
        )
    alone = request(
        "Submit",
        order_spec([("a", items[0], collection)])
        + "<os:statusNotification>None</os:statusNotification>",
    )
    assert code(call(shop, alone, status=403)) == "AuthorizationFailed"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', 400),
        (b'<!DOCTYPE GetStatus SYSTEM "http://evil.example/x.dtd"><GetStatus/>', 400),
        (b"<a>" * 5000 + b"</a>" * 5000, 400),
        (b"<x>" + b"y" * (4 * 1024 * 1024 + 10) + b"</x>", 413),
    ],
    ids=["entities", "external-dtd", "deep", "too-large"],
)
def test_hostile_requests_get_an_exception_report_and_nothing_else(client, body, status):
    response = client.post("/oseo", data=body, content_type="application/xml")
    assert response.status_code == status
    report = etree.fromstring(response.data)
    assert ows_schema().validate(report), ows_schema().error_log
    assert code(report) == "NoApplicableCode"
    assert client.post("/oseo", data=b"<x/>").status_code == 400  # and it goes on serving
