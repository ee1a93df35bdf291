"""The server sends requests of its own (partner endpoints, OSEO callbacks) only where the
operator allows: by default http and https to public addresses; loopback, link-local and private
networks only when named. Checked when a URL is configured and again when each request goes."""

from __future__ import annotations

import http.server
import threading
import uuid

import pytest
import urllib3
from lxml import etree
from sqlalchemy import select, update

from broker.dispatch import Dispatcher
from broker.models import DispatchRequest, DispatchStatus, Order
from clearinghouse.config import load_settings
from clearinghouse.errors import DestinationNotAllowed, SettingsError
from clearinghouse.oseo.models import OseoOrder
from clearinghouse.oseo.notifier import Notifier
from clearinghouse.outbound import ALLOW_SETTING, Allowed, Policy, check, parse_allow, post
from clearinghouse.web import create_app
from partner_sim import Behaviour
from tests.api_support import act_for, error, login, perform, provider, user
from tests.broker_support import create, item, ordered, partner
from tests.conftest import OUTBOUND
from tests.test_oseo import NS, OWS, call, collection_of, envelope, order_spec, request

DEFAULT = Policy()
TIMEOUT = urllib3.Timeout(connect=5, read=5)


class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers["Host"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.port = server.server_address[1]
    yield server
    server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/internal-only/admin",
        "http://localhost/x",  # a name resolving to loopback
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
        "http://0.0.0.0/x",
        "http://2130706433/x",  # 127.0.0.1 as one number
        "ftp://93.184.216.34/x",
        "http://user@93.184.216.34/x",
        "file:///etc/passwd",
    ],
)
def test_the_default_refuses_what_is_not_public_http(url):
    with pytest.raises(DestinationNotAllowed) as refused:
        check(url, DEFAULT)
    assert ALLOW_SETTING in refused.value.message


def test_the_default_allows_public_addresses_and_a_named_network_or_host_its_own():
    assert check("https://93.184.216.34/orders?x=1", DEFAULT).target == "/orders?x=1"
    assert check("http://[2606:4700::1111]:8080/", DEFAULT).port == 8080
    inside = Policy(allowed=parse_allow("10.0.0.0/8"))  # named, without public: only it
    assert check("http://10.1.2.3/x", inside).addresses[0].exploded == "10.1.2.3"
    with pytest.raises(DestinationNotAllowed):
        check("http://93.184.216.34/x", inside)
    named = Policy(allowed=parse_allow("localhost"))
    assert check("http://LOCALHOST:9/x", named).host == "localhost"
    https_only = Policy(schemes=frozenset({"https"}))
    with pytest.raises(DestinationNotAllowed, match="CLEARINGHOUSE_OUTBOUND_SCHEMES"):
        check("http://93.184.216.34/x", https_only)


def test_the_settings_read_and_refuse_allow_lists():
    assert load_settings({}).outbound_allow == Allowed(public=True)
    settings = load_settings(
        {
            "CLEARINGHOUSE_OUTBOUND_ALLOW": "public, 127.0.0.1, *.example.org",
            "CLEARINGHOUSE_OUTBOUND_SCHEMES": "https",
        }
    )
    assert settings.outbound.allowed.names("partner.example.org")
    assert settings.outbound.schemes == {"https"}
    for name, value in (("ALLOW", "not a host!"), ("SCHEMES", "gopher")):
        with pytest.raises(SettingsError, match=f"CLEARINGHOUSE_OUTBOUND_{name}"):
            load_settings({f"CLEARINGHOUSE_OUTBOUND_{name}": value})


def test_a_request_goes_to_the_address_checked_and_only_if_allowed(listener):
    http = urllib3.PoolManager()
    url = f"http://localhost:{listener.port}/callback?order=1"
    loopback = Policy(allowed=parse_allow("127.0.0.1,::1"))
    response = post(http, url, loopback, b"<x/>", headers={}, timeout=TIMEOUT)
    assert response.status == 204
    assert listener.received == [("/callback?order=1", f"localhost:{listener.port}", b"<x/>")]
    with pytest.raises(DestinationNotAllowed):
        post(http, url, DEFAULT, b"<y/>", headers={}, timeout=TIMEOUT)
    assert len(listener.received) == 1


@pytest.fixture
def public_only(db, settings):
    """The API as the default settings run it (public addresses only)."""
    app = create_app(
        {"SETTINGS": settings.replace(outbound_allow=Allowed()), "DATABASE": db, "TESTING": True}
    )
    return app.test_client()


def test_an_oseo_reply_to_outside_the_allow_list_is_refused(public_only, session, listener):
    user(session, "client")
    target = f"http://127.0.0.1:{listener.port}/internal-only/admin"
    spec = order_spec([("item-1", "G1-NOWHERE", "C1-NOWHERE")])
    for operation, inner in (
        ("Submit", spec + "<os:statusNotification>All</os:statusNotification>"),
        ("GetQuotation", spec),
    ):
        response = public_only.post(
            "/oseo",
            data=envelope(request(operation, inner), user="client", reply_to=target),
            headers={"Content-Type": "application/soap+xml"},
        )
        assert response.status_code == 400, response.data
        exception = etree.fromstring(response.data).find(f".//{{{OWS}}}Exception")
        assert exception.get("exceptionCode") == "InvalidParameterValue"
        assert exception.get("locator") == "ReplyTo"
        assert ALLOW_SETTING in exception.findtext("ows:ExceptionText", namespaces=NS)
    assert listener.received == []


def test_a_partner_endpoint_outside_the_allow_list_is_refused(public_only, session):
    provider(session, "ORNL")
    user(session, "desk", providers=["ORNL"])
    user(session, "root", admin=True)
    desk = login(public_only, "desk")
    act_for(public_only, desk, "ORNL")
    policy = "<OrderPolicy><Endpoint>http://127.0.0.1:9999/orders</Endpoint></OrderPolicy>"
    for token, service, body in (
        (
            desk,
            "ProviderProfileService",
            f"<UpdateProviderProfileRequest>{policy}</UpdateProviderProfileRequest>",
        ),
        (
            login(public_only, "root"),
            "AdministrationService",
            f"<UpdateProviderRequest><ProviderId>ORNL</ProviderId>{policy}</UpdateProviderRequest>",
        ),
    ):
        refused = error(perform(public_only, token, service, body), 400, "DestinationNotAllowed")
        assert ALLOW_SETTING in refused["Message"] and "127.0.0.1" in refused["Message"]


def test_an_endpoint_no_longer_allowed_is_not_sent_to(client, db, session, settings, tmp_path, sim):
    sim.add_partner("SYNCP", Behaviour())
    ids = partner(db, session, tmp_path, "SYNCP", endpoint=sim.url("SYNCP"))  # loopback: allowed
    token = login(client, user(session, "mia"))
    ordered(client, token, "SubmitOrder", guid=create(client, token, item(ids[1])))
    # Sent by a worker whose settings no longer allow it (or when the name has moved elsewhere).
    assert Dispatcher(db, settings.replace(outbound_allow=Allowed())).run_once() == 1
    request = session.scalar(select(DispatchRequest))
    session.refresh(request)
    assert request.status is DispatchStatus.FAILED
    assert ALLOW_SETTING in request.last_error
    assert sim.received("SYNCP") == []


def test_a_callback_no_longer_allowed_is_not_sent(shop, sim, listener):
    items = shop.partner("NOTE", sim, Behaviour())
    spec = order_spec([("item-1", items[0], collection_of(shop, items[0]))])
    ack = call(
        shop,
        request("Submit", spec + "<os:statusNotification>All</os:statusNotification>"),
        reply_to=f"http://127.0.0.1:{listener.port}/notifications",
    )
    order_id = ack.findtext("os:orderId", namespaces=NS)
    # Allowed when the order came (loopback, in the tests); a notifier whose settings no longer
    # allow it (or a name re-pointed since) sends nothing.
    assert Notifier(shop.db, DEFAULT).run_once() == 0
    with shop.engine.begin() as conn:
        extra = conn.execute(
            select(OseoOrder.last_error, OseoOrder.notify_attempts)
            .join(Order, Order.id == OseoOrder.order_id)
            .where(Order.guid == uuid.UUID(order_id))
        ).one()
        conn.execute(update(OseoOrder).values(next_notify_at=None))
    assert ALLOW_SETTING in extra.last_error and extra.notify_attempts == 1
    assert listener.received == []
    assert Notifier(shop.db, OUTBOUND).run_once() == 1  # allowed again: it goes
    assert [path for path, _, _ in listener.received] == ["/notifications"]
