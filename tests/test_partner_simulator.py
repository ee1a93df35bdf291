"""The partner simulator (partner_sim/), driven over real HTTP; no database needed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from lxml import etree

import dtd
from partner_sim import (
    ANY_PROVIDER,
    Behaviour,
    PartnerSimulator,
    partner_sim,
    run,
)

TIMEOUT = 5.0


# -- helpers -------------------------------------------------------------------------------------


def order_request(
    transaction: str,
    request_id: str,
    *,
    provider: str = "P1",
    order_id: str = "O1",
    tracking: str | None = None,
    items: tuple[tuple[str, str], ...] = (("G1-P1", "2"), ("G2-P1", "3")),
) -> bytes:
    root = etree.Element(f"{transaction}ProviderOrderRequest")
    etree.SubElement(root, "RequestId").text = request_id
    order = etree.SubElement(root, "Order")
    etree.SubElement(order, "ProviderID").text = provider
    etree.SubElement(order, "ECHOOrderID").text = order_id
    etree.SubElement(order, "ProviderTrackingID").text = tracking or order_id
    user = etree.SubElement(order, "UserInformation")
    etree.SubElement(user, "ECHOUserID").text = "alice"
    shipping = etree.SubElement(user, "ShippingAddress")
    etree.SubElement(shipping, "City").text = "Oak Ridge"
    etree.SubElement(user, "NetworkAddress").text = "alice@example.org"
    for n, (item_id, quantity) in enumerate(items):
        line = etree.SubElement(order, "OrderLineItem")
        etree.SubElement(line, "CatalogItemID").text = item_id
        etree.SubElement(line, "quantity").text = quantity
        if n == 0:
            selection = etree.SubElement(line, "OptionSelection")
            simple = etree.SubElement(selection, "SimpleOptionSelection")
            etree.SubElement(simple, "OptionName").text = "format"
            etree.SubElement(simple, "Value").text = "HDF"
    assert dtd.validate("PartnerRequest.dtd", root) == []
    return etree.tostring(root)


def post(url: str, body: bytes) -> requests.Response:
    return requests.post(url, data=body, headers={"Content-Type": "application/xml"}, timeout=10)


def answer(response: requests.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    assert dtd.validate("PartnerAnswer.dtd", root) == []
    return root


def wait_for(predicate: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- a fake broker -------------------------------------------------------------------------------


@dataclass
class Call:
    path: str
    token: str | None
    body: bytes


@dataclass
class FakeBroker:
    """The broker's ECHO API as far as a partner uses it; scripted failures for perform."""

    calls: list[Call] = field(default_factory=list)
    perform_statuses: list[int] = field(default_factory=list)  # answered first, in order
    tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def performs(self) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path == "/echo/perform"]

    def paths(self) -> list[str]:
        with self.lock:
            return [c.path for c in self.calls]

    def handle(self, path: str, token: str | None, body: bytes) -> tuple[int, bytes]:
        with self.lock:
            self.calls.append(Call(path, token, body))
            if path == "/echo/login":
                self.tokens += 1
                return 200, f"<LoginResponse><Token>t{self.tokens}</Token></LoginResponse>".encode()
            if path == "/echo/provider-context":
                return 200, b"<SetProviderContextResponse/>"
            if path == "/echo/perform":
                if self.perform_statuses:
                    return self.perform_statuses.pop(0), b"<Error><Code>X</Code></Error>"
                return 200, (
                    b"<ProviderOrderManagementService><SupplyProviderQuoteResponse/>"
                    b"</ProviderOrderManagementService>"
                )
            return 404, b""


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    fake = FakeBroker()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, reply = fake.handle(self.path, self.headers.get("Echo-Token"), body)
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def sim() -> Iterator[PartnerSimulator]:
    with PartnerSimulator() as simulator:
        yield simulator


def with_broker(broker: FakeBroker) -> dict[str, str]:
    return {"broker_url": broker.url, "username": "pete", "password": "secret"}


def management(call: Call) -> etree._Element:
    root = etree.fromstring(call.body)
    assert dtd.validate("ProviderOrderManagementService.dtd", root) == []
    assert root.tag == "ProviderOrderManagementService"
    return root[0]


# -- sync ----------------------------------------------------------------------------------------


def test_sync_quote_prices_and_records(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", price=Decimal("2.50")))
    before = datetime.now(UTC)
    root = answer(post(sim.url("P1"), order_request("Quote", "r1")))
    assert root.tag == "QuoteProviderOrderResponse"
    order = root.find("Order")
    assert order.findtext("ECHOOrderID") == "O1"
    assert order.findtext("ProviderTrackingID") == "O1"
    quote = order.find("ProviderQuote")
    assert Decimal(quote.findtext("TotalPrice")) == Decimal("12.50")  # (2 + 3) x 2.50
    assert Decimal(quote.findtext("DataCost")) == Decimal("12.50")
    expires = parse_iso(quote.findtext("QuoteExpirationDate"))
    assert timedelta(hours=23) < expires - before < timedelta(hours=25)
    assert order.findtext("StatusMessage")

    (received,) = sim.received("P1")
    assert (received.transaction, received.request_id, received.echo_order_id) == (
        "QUOTE",
        "r1",
        "O1",
    )
    assert received.provider_tracking_id == "O1"
    assert received.user_id == "alice"
    assert [(i.catalog_item_id, i.quantity) for i in received.line_items] == [
        ("G1-P1", 2),
        ("G2-P1", 3),
    ]
    selection = etree.fromstring(received.line_items[0].option_selection)
    assert selection.tag == "OptionSelection"
    assert selection.findtext("SimpleOptionSelection/Value") == "HDF"
    assert received.line_items[1].option_selection is None
    assert sim.handled_request_ids() == {"r1"}


def test_sync_submit_and_cancel(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync"))
    root = answer(post(sim.url("P1"), order_request("Submit", "s1")))
    assert root.tag == "SubmitProviderOrderResponse"
    acceptance = root.find("Order/ProviderOrderAcceptance")
    assert Decimal(acceptance.findtext("TotalPrice")) == Decimal("50.00")  # 5 x 10.00
    assert parse_iso(acceptance.findtext("estimatedShipDate")) > datetime.now(UTC)
    assert parse_iso(acceptance.findtext("latestCancelDate"))

    root = answer(post(sim.url("P1"), order_request("Cancel", "c1")))
    assert root.tag == "CancelProviderOrderResponse"
    assert root.find("Order/CancellationAcceptance") is not None
    assert [r.transaction for r in sim.received("P1")] == ["SUBMIT", "CANCEL"]


def test_rejections(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", reject={"QUOTE", "SUBMIT", "CANCEL"}))
    expected = {
        "Quote": "QuoteRejection",
        "Submit": "SubmissionRejection",
        "Cancel": "CancellationRejection",
    }
    for n, (transaction, outcome) in enumerate(expected.items()):
        order = answer(post(sim.url("P1"), order_request(transaction, f"r{n}"))).find("Order")
        assert order.find(outcome) is not None
        assert order.findtext(f"{outcome}/Reason")
        assert order.find("ProviderQuote") is None
        assert order.find("ProviderOrderAcceptance") is None


def test_unsupported_transaction_gets_501(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", unsupported={"QUOTE"}))
    assert post(sim.url("P1"), order_request("Quote", "r1")).status_code == 501
    answer(post(sim.url("P1"), order_request("Submit", "r2")))


def test_tracking_id_replaced_once_then_kept(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", tracking_prefix="TRK-"))
    first = answer(post(sim.url("P1"), order_request("Quote", "r1")))
    assert first.findtext("Order/ProviderTrackingID") == "TRK-1"
    later = answer(post(sim.url("P1"), order_request("Submit", "r2", tracking="TRK-1")))
    assert later.findtext("Order/ProviderTrackingID") == "TRK-1"
    other = answer(post(sim.url("P1"), order_request("Quote", "r3", order_id="O2")))
    assert other.findtext("Order/ProviderTrackingID") == "TRK-2"
    assert [r.provider_tracking_id for r in sim.received("P1")] == ["O1", "TRK-1", "O2"]


def test_fail_rate_one_always_503(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", fail_rate=1.0))
    for n in range(3):
        response = post(sim.url("P1"), order_request("Quote", f"r{n}"))
        assert response.status_code == 503
    assert sim.received("P1") == []
    assert sim.stats("P1")["refused"] == 3


def test_fail_rate_is_deterministic_per_seed() -> None:
    def outcomes() -> list[int]:
        with PartnerSimulator() as sim:
            sim.add_partner("P1", Behaviour(mode="sync", fail_rate=0.5, seed=7))
            return [
                post(sim.url("P1"), order_request("Quote", f"r{n}")).status_code for n in range(12)
            ]

    first = outcomes()
    assert first == outcomes()
    assert set(first) == {200, 503}


def test_down_until_then_up(sim: PartnerSimulator) -> None:
    behaviour = Behaviour(mode="sync", down_until=time.monotonic() + 3600)
    sim.add_partner("P1", behaviour)
    body = order_request("Quote", "r1")
    assert post(sim.url("P1"), body).status_code == 503
    assert sim.received("P1") == []
    behaviour.down_until = time.monotonic()  # the hour is over
    response = post(sim.url("P1"), body)
    answer(response)
    assert sim.handled_request_ids("P1") == {"r1"}
    assert sim.duplicate_count("P1") == 0  # the refused attempts were not handled


def test_down_for_a_while_from_the_first_request(sim: PartnerSimulator) -> None:
    behaviour = Behaviour(mode="sync", down_for=0.3)
    sim.add_partner("P1", behaviour)
    time.sleep(0.4)  # the outage starts with the first request, not when the partner was added
    body = order_request("Quote", "r1")
    started = time.monotonic()
    assert post(sim.url("P1"), body).status_code == 503
    response = wait_for(lambda: (r := post(sim.url("P1"), body)).status_code == 200 and r)
    # Instants the simulator recorded, not how long the test took: the outage was counted from the
    # first request on, and the request was handled once it was over.
    assert behaviour.down_until >= started + 0.3
    assert sim.received("P1")[0].at >= behaviour.down_until
    answer(response)
    assert sim.handled_request_ids("P1") == {"r1"}


def test_delay_honoured() -> None:
    """The answer waits for the partner's delay: a sleep that holds it until the test lets go."""
    asked, let_go = [], threading.Event()

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        let_go.wait(TIMEOUT)

    answers: list[requests.Response] = []
    with PartnerSimulator(sleep=sleep) as sim:
        sim.add_partner("P1", Behaviour(mode="sync", delay=0.3))
        client = threading.Thread(
            target=lambda: answers.append(post(sim.url("P1"), order_request("Quote", "r1")))
        )
        client.start()
        wait_for(lambda: asked)
        assert asked == [0.3]
        assert answers == []  # held while the partner waits
        let_go.set()
        client.join(TIMEOUT)
    answer(answers[0])


def test_repeated_request_id_same_answer_acted_on_once(
    sim: PartnerSimulator, broker: FakeBroker
) -> None:
    sim.add_partner(
        "P1", Behaviour(mode="sync", tracking_prefix="T", process_time=0.1), **with_broker(broker)
    )
    body = order_request("Submit", "s1")
    first = post(sim.url("P1"), body)
    second = post(sim.url("P1"), body)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(sim.received("P1")) == 1
    assert sim.duplicate_count("P1") == 1
    assert sim.duplicates("P1") == {"s1": 1}
    assert sim.handled_request_ids() == {"s1"}
    wait_for(lambda: broker.performs())
    assert sim.wait_idle()
    closes = [management(c) for c in broker.performs()]
    assert [c.tag for c in closes] == ["CloseProviderOrderRequest"]  # closed once


def test_concurrent_repeats_acted_on_once(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", delay=0.1))
    body = order_request("Quote", "r1")
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(post(sim.url("P1"), body).content))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert len(sim.received("P1")) == 1
    assert sim.duplicate_count() == 4


@pytest.mark.parametrize(
    "body",
    [
        b"<QuoteProviderOrderRequest><RequestId>r</RequestId></QuoteProviderOrderRequest>",
        b"<QuoteProviderOrderRequest><RequestId>r",
        b"<Order/>",
        b"",
        b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    ],
    ids=["invalid", "malformed", "not-a-request", "empty", "entity"],
)
def test_bad_request_400(sim: PartnerSimulator, body: bytes) -> None:
    sim.add_partner("P1", Behaviour(mode="sync"))
    response = post(sim.url("P1"), body)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.strip()
    assert sim.received("P1") == []


def test_bad_quantity_400(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync"))
    body = order_request("Quote", "r1", items=(("G1-P1", "two"),))
    assert post(sim.url("P1"), body).status_code == 400


def test_wrong_provider_on_path_400(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync"))
    sim.add_partner("P2", Behaviour(mode="sync"))
    response = post(sim.url("P1"), order_request("Quote", "r1", provider="P2"))
    assert response.status_code == 400
    assert "P2" in response.text
    assert sim.received("P1") == sim.received("P2") == []
    assert post(sim.url("NOPE"), order_request("Quote", "r1", provider="NOPE")).status_code == 404


def test_several_partners_each_their_own_behaviour(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", price=Decimal(1)))
    sim.add_partner("P2", Behaviour(mode="sync", reject={"QUOTE"}))
    one = answer(post(sim.url("P1"), order_request("Quote", "a", provider="P1")))
    two = answer(post(sim.url("P2"), order_request("Quote", "b", provider="P2")))
    assert one.findtext("Order/ProviderQuote/TotalPrice") == "5"
    assert two.find("Order/QuoteRejection") is not None
    assert sim.handled_request_ids("P1") == {"a"}
    assert sim.handled_request_ids() == {"a", "b"}


def test_any_provider_at_root_and_at_its_path(sim: PartnerSimulator) -> None:
    sim.add_partner(ANY_PROVIDER, Behaviour(mode="sync", tracking_prefix="X"))
    answer(post(sim.url(), order_request("Quote", "r1", provider="ORNL")))
    answer(post(sim.url("LPDAAC"), order_request("Quote", "r2", provider="LPDAAC")))
    assert post(sim.url("A"), order_request("Quote", "r3", provider="B")).status_code == 400
    assert [r.request_id for r in sim.received("ORNL")] == ["r1"]
    assert [r.request_id for r in sim.received("LPDAAC")] == ["r2"]


# -- callbacks -----------------------------------------------------------------------------------


def test_async_quote_acknowledges_then_calls_back(
    sim: PartnerSimulator, broker: FakeBroker
) -> None:
    sim.add_partner(
        "P1",
        Behaviour(mode="async", callback_delay=0.05, tracking_prefix="A"),
        **with_broker(broker),
    )
    root = answer(post(sim.url("P1"), order_request("Quote", "r1")))
    order = root.find("Order")
    assert [child.tag for child in order] == ["ECHOOrderID", "ProviderTrackingID"]
    assert order.findtext("ProviderTrackingID") == "A1"

    wait_for(lambda: broker.performs())
    assert broker.paths() == ["/echo/login", "/echo/provider-context", "/echo/perform"]
    login = etree.fromstring(broker.calls[0].body)
    assert (login.findtext("UserName"), login.findtext("Password")) == ("pete", "secret")
    assert login.findtext("ClientId") == "partner-sim"
    assert etree.fromstring(broker.calls[1].body).findtext("ProviderId") == "P1"
    assert broker.calls[1].token == broker.calls[2].token == "t1"
    supply = management(broker.calls[2])
    assert supply.tag == "SupplyProviderQuoteRequest"
    assert supply.findtext("ECHOOrderID") == "O1"
    assert supply.findtext("ProviderTrackingID") == "A1"
    assert Decimal(supply.findtext("ProviderQuote/TotalPrice")) == Decimal("50.00")
    assert supply.findtext("ProviderQuote/QuoteExpirationDate")
    wait_for(lambda: sim.callbacks("P1"))
    (callback,) = sim.callbacks("P1")
    assert (callback.operation, callback.status, callback.ok) == ("SupplyProviderQuote", 200, True)


def test_async_rejections_are_called_back(sim: PartnerSimulator, broker: FakeBroker) -> None:
    sim.add_partner(
        "P1",
        Behaviour(mode="async", callback_delay=0, reject={"QUOTE", "SUBMIT", "CANCEL"}),
        **with_broker(broker),
    )
    for n, transaction in enumerate(("Quote", "Submit", "Cancel")):
        acknowledgement = answer(post(sim.url("P1"), order_request(transaction, f"r{n}")))
        assert len(acknowledgement.find("Order")) == 2
        wait_for(lambda n=n: len(broker.performs()) == n + 1)
    assert [management(c).tag for c in broker.performs()] == [
        "RejectProviderQuoteRequest",
        "RejectProviderOrderSubmissionRequest",
        "RejectProviderOrderCancellationRequest",
    ]
    assert broker.paths().count("/echo/login") == 1  # the session is kept


def test_callback_retried_after_503(sim: PartnerSimulator, broker: FakeBroker) -> None:
    broker.perform_statuses = [503, 502]
    sim.add_partner(
        "P1",
        Behaviour(mode="async", callback_delay=0, callback_retry_wait=0.05),
        **with_broker(broker),
    )
    answer(post(sim.url("P1"), order_request("Quote", "r1")))
    wait_for(lambda: [c.status for c in sim.callbacks("P1")] == [503, 502, 200])
    assert [c.attempt for c in sim.callbacks("P1")] == [1, 2, 3]
    bodies = {c.body for c in broker.performs()}
    assert len(bodies) == 1  # the same message each time


def test_callback_gives_up_after_its_attempts(sim: PartnerSimulator, broker: FakeBroker) -> None:
    broker.perform_statuses = [503] * 10
    sim.add_partner(
        "P1",
        Behaviour(mode="async", callback_delay=0, callback_attempts=3, callback_retry_wait=0.02),
        **with_broker(broker),
    )
    answer(post(sim.url("P1"), order_request("Quote", "r1")))
    wait_for(lambda: len(sim.callbacks("P1")) == 3)
    assert sim.wait_idle()
    assert [c.status for c in sim.callbacks("P1")] == [503, 503, 503]


def test_callback_after_connection_error_retried() -> None:
    with PartnerSimulator() as sim:
        sim.add_partner(
            "P1",
            Behaviour(
                mode="async", callback_delay=0, callback_attempts=2, callback_retry_wait=0.02
            ),
            broker_url="http://127.0.0.1:9",  # nothing listens there
            username="pete",
            password="secret",
        )
        answer(post(sim.url("P1"), order_request("Quote", "r1")))
        wait_for(lambda: len(sim.callbacks("P1")) == 2)
        assert all(c.status is None and c.error for c in sim.callbacks("P1"))


def test_relogin_after_401(sim: PartnerSimulator, broker: FakeBroker) -> None:
    broker.perform_statuses = [401]
    sim.add_partner("P1", Behaviour(mode="async", callback_delay=0), **with_broker(broker))
    answer(post(sim.url("P1"), order_request("Quote", "r1")))
    wait_for(lambda: any(c.status == 200 for c in sim.callbacks("P1")))
    assert broker.paths() == [
        "/echo/login",
        "/echo/provider-context",
        "/echo/perform",
        "/echo/login",
        "/echo/provider-context",
        "/echo/perform",
    ]
    performs = broker.performs()
    assert [c.token for c in performs] == ["t1", "t2"]
    assert [c.status for c in sim.callbacks("P1")] == [401, 200]
    assert sim.stats("P1")["logins"] == 2


def test_close_after_process_time_with_access_urls(
    sim: PartnerSimulator, broker: FakeBroker
) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", process_time=0.2), **with_broker(broker))
    answer(post(sim.url("P1"), order_request("Submit", "s1")))
    wait_for(lambda: broker.performs() and sim.callbacks("P1"))  # recorded after it is answered
    # Instants the simulator recorded: the order was closed a process time after it was accepted.
    (submitted,), (closed, *_) = sim.received("P1"), sim.callbacks("P1")
    assert closed.operation == "CloseProviderOrder"
    assert closed.at - submitted.at >= 0.2
    assert [p for p in broker.paths() if p != "/echo/perform"] == [
        "/echo/login",
        "/echo/provider-context",
    ]
    close = management(broker.performs()[0])
    assert close.tag == "CloseProviderOrderRequest"
    assert close.findtext("ECHOOrderID") == "O1"
    urls = [u.text for u in close.iterfind("OnlineAccessURLs/URL")]
    assert urls == [f"{sim.base_url}/data/O1/G1-P1", f"{sim.base_url}/data/O1/G2-P1"]
    assert requests.get(urls[0], timeout=5).status_code == 200
    # The order is closed: a cancel now is rejected.
    late = answer(post(sim.url("P1"), order_request("Cancel", "c1")))
    assert late.find("Order/CancellationRejection") is not None


def test_async_submit_accepted_then_closed(sim: PartnerSimulator, broker: FakeBroker) -> None:
    sim.add_partner(
        "P1", Behaviour(mode="async", callback_delay=0, process_time=0.1), **with_broker(broker)
    )
    answer(post(sim.url("P1"), order_request("Submit", "s1")))
    wait_for(lambda: len(broker.performs()) == 2)
    accept, close = (management(c) for c in broker.performs())
    assert accept.tag == "AcceptProviderOrderSubmissionRequest"
    assert Decimal(accept.findtext("ProviderOrderAcceptance/TotalPrice")) == Decimal("50.00")
    assert close.tag == "CloseProviderOrderRequest"
    assert len(close.findall("OnlineAccessURLs/URL")) == 2


def test_cancel_before_process_time_stops_close(sim: PartnerSimulator, broker: FakeBroker) -> None:
    sim.add_partner("P1", Behaviour(mode="sync", process_time=0.3), **with_broker(broker))
    answer(post(sim.url("P1"), order_request("Submit", "s1")))
    cancelled = answer(post(sim.url("P1"), order_request("Cancel", "c1")))
    assert cancelled.find("Order/CancellationAcceptance") is not None
    time.sleep(0.3)  # past the process time: the close would have been due
    assert sim.wait_idle()
    assert broker.performs() == []


def test_async_cancel_before_process_time_stops_close(
    sim: PartnerSimulator, broker: FakeBroker
) -> None:
    sim.add_partner(
        "P1", Behaviour(mode="async", callback_delay=0, process_time=0.3), **with_broker(broker)
    )
    answer(post(sim.url("P1"), order_request("Submit", "s1")))
    wait_for(lambda: broker.performs())
    answer(post(sim.url("P1"), order_request("Cancel", "c1")))
    wait_for(lambda: len(broker.performs()) == 2)
    time.sleep(0.3)
    assert sim.wait_idle()
    assert [management(c).tag for c in broker.performs()] == [
        "AcceptProviderOrderSubmissionRequest",
        "AcceptProviderOrderCancellationRequest",
    ]


def test_no_callbacks_without_broker(sim: PartnerSimulator) -> None:
    sim.add_partner("P1", Behaviour(mode="async", callback_delay=0, process_time=0))
    answer(post(sim.url("P1"), order_request("Submit", "s1")))
    assert sim.wait_idle()
    assert sim.callbacks("P1") == []


# -- the command line ----------------------------------------------------------------------------


def test_run_serves_until_stopped(tmp_path, broker: FakeBroker) -> None:
    password = tmp_path / "password"
    password.write_text("secret\n")
    started: list[PartnerSimulator] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        kwargs={
            "port": 0,
            "host": "127.0.0.1",
            "provider_id": "P1",
            "behaviour": Behaviour(mode="async", callback_delay=0),
            "broker_url": broker.url,
            "username": "pete",
            "password_file": password,
            "ready": started.append,
            "stop": stop,
        },
    )
    thread.start()
    try:
        sim = wait_for(lambda: started and started[0])
        answer(post(sim.url("P1"), order_request("Quote", "r1")))
        wait_for(lambda: broker.performs())
        assert etree.fromstring(broker.calls[0].body).findtext("Password") == "secret"
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_cli_options() -> None:
    runner = CliRunner()
    result = runner.invoke(partner_sim, ["--help"])
    assert result.exit_code == 0
    for option in (
        "--port",
        "--mode",
        "--fail-rate",
        "--delay",
        "--provider",
        "--broker",
        "--user",
        "--password-file",
        "--reject",
        "--tracking-prefix",
        "--process-time",
    ):
        assert option in result.output
    assert "--password " not in result.output
    refused = runner.invoke(partner_sim, ["--broker", "http://127.0.0.1:1"])
    assert refused.exit_code != 0
    assert "--password-file" in refused.output
    bad = runner.invoke(partner_sim, ["--reject", "QUOTE,DELETE"])
    assert bad.exit_code != 0
