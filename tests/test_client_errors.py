"""The toolkit's errors: one exception class per server error code, raised with the server's
message, line and column, for every kind of refusal the interface makes; and the one retry
policy for transient failures (a connection refused, a 503)."""

from __future__ import annotations

import threading

import clearinghouse_client.errors as client_errors
import pytest
from clearinghouse_client import (
    NO_RETRY,
    Address,
    OrderItem,
    OrderPolicy,
    Phone,
    Query,
    RetryPolicy,
    Session,
    User,
)
from clearinghouse_client.xml import E
from sqlalchemy import text
from werkzeug.serving import make_server

from broker.crypto import OptionKeyError
from broker.option_selections import InvalidOptionSelection
from broker.partner import MalformedAnswer
from clearinghouse import errors as server_errors
from clearinghouse.oseo.errors import OseoError
from ingest.reader import FileRejected
from spatial.errors import SpatialError
from tests.api_support import PASSWORD, user
from tests.client_support import logged_in, people
from tests.conftest import ephemeral_port


def _codes(cls: type) -> list[type]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _codes(sub)
    return found


def test_every_server_error_code_has_its_class_with_the_servers_status():
    server_classes = _codes(server_errors.ClearinghouseError)
    for extra in (
        InvalidOptionSelection,
        OptionKeyError,
        MalformedAnswer,
        FileRejected,
        SpatialError,
    ):
        assert extra in server_classes  # each module imported adds its own
    for cls in server_classes:
        if cls.code in ("InvalidConfiguration", "DatabaseSetup"):
            continue  # the operator's command line, never an HTTP answer
        if issubclass(cls, OseoError) or cls.__module__.startswith("tests"):
            continue  # OSEO answers SOAP faults of its own, not /echo's <Error>
        mirrored = client_errors.BY_CODE[cls.code]
        assert mirrored.status == cls.status, cls.code
        parent = next((b for b in cls.__mro__[1:] if hasattr(b, "code")), None)
        if (
            parent is not None and parent.code != cls.code
        ):  # the hierarchy too: except NotAuthenticated catches all 401s
            assert issubclass(mirrored, client_errors.BY_CODE[parent.code]), cls.code
    assert client_errors.NotLoggedIn is client_errors.NotAuthenticated
    assert client_errors.AccessDenied is client_errors.Forbidden


@pytest.fixture
def ann(live, session):
    people(session)
    return logged_in(live, "ann")


def _raw(session: Session, message: str):
    return session.perform_xml(message.encode("utf-8"))


def test_refusals_of_the_message_itself(live):
    guest = Session(live)
    with pytest.raises(client_errors.MalformedXML) as raised:
        _raw(guest, "<CatalogService>\n<ExecuteQueryRequest>")
    assert raised.value.line is not None and raised.value.status == 400
    with pytest.raises(client_errors.ForbiddenXML):
        _raw(guest, '<!DOCTYPE x [<!ENTITY e "boom">]><CatalogService>&e;</CatalogService>')
    with pytest.raises(client_errors.InvalidXML) as raised:
        _raw(guest, "<RegistrationService>\n<CreateUserRequest/></RegistrationService>")
    assert raised.value.line == 2 and "CreateUserRequest" in raised.value.message
    assert str(raised.value).startswith("line 2")
    with pytest.raises(client_errors.UnknownService, match="there is no service NoService"):
        _raw(guest, "<NoService><X/></NoService>")
    with pytest.raises(client_errors.UnknownTransaction, match="has no transaction Nope"):
        _raw(guest, "<CatalogService><Nope/></CatalogService>")
    with pytest.raises(client_errors.PayloadTooLarge):
        _raw(guest, "<CatalogService>" + "x" * (5 * 1024 * 1024) + "</CatalogService>")


def test_refused_values(live, ann, catalog):
    with pytest.raises(client_errors.InvalidValue) as raised:
        ann.catalog.hits(Query.granules().condition(E.cloudCover(E.range(lower="many"))))
    assert "cloudCover/range lower: 'many' is not a number" in raised.value.message
    assert raised.value.line is not None  # where in the message sent
    with pytest.raises(client_errors.NotSupported, match='operator="EQUAL" is not supported'):
        point = E.IIMSPoint(lat="0", long="0")
        ann.catalog.hits(Query.granules().condition(E.spatial(point, operator="EQUAL")))
    desk = logged_in(live, "desk")
    desk.provider_context("ACME")
    with pytest.raises(client_errors.DestinationNotAllowed):
        desk.provider_profile.update(policy=OrderPolicy(endpoint="http://10.1.2.3/orders"))
    with pytest.raises(client_errors.InvalidValue, match="is not an e-mail address"):
        ann.accounts.update(email="not an address")


def test_refusals_of_the_caller(live, ann, session):
    guest = Session(live)
    with pytest.raises(client_errors.NotLoggedIn, match="log in first"):
        guest.accounts.get()
    with pytest.raises(client_errors.AccessDenied, match="administrators only"):
        ann.admin.providers()
    with pytest.raises(client_errors.NotFound, match="no address nowhere"):
        ann.accounts.remove_address("nowhere")
    with pytest.raises(client_errors.Conflict, match=r"taken|exists"):
        guest.registration.create_user(User("ann", "A", "B", "a@example.org"), "long password 2")
    ann.accounts.add_address(Address("home", ["1 Main St"]))
    with pytest.raises(client_errors.Conflict):
        ann.accounts.add_address(Address("home", ["1 Main St"]))
    session.execute(text("UPDATE sessions SET last_seen_at = now() - interval '2 days'"))
    session.commit()
    with pytest.raises(client_errors.SessionExpired, match="expired after"):
        ann.accounts.get()


def test_failed_logins_lock_the_account_then_the_address_is_throttled(live, session):
    user(session, "victim")
    guest = Session(live)
    for _ in range(4):
        with pytest.raises(client_errors.NotAuthenticated, match="wrong user name or password"):
            guest.login("victim", "not the password")
    with pytest.raises(client_errors.AccountLocked, match="now locked"):
        guest.login("victim", "not the password")
    with pytest.raises(client_errors.AccountLocked, match="is locked"):
        guest.login("victim", PASSWORD)
    for _ in range(14):
        with pytest.raises(client_errors.NotAuthenticated):
            guest.login("nobody", "not the password")
    with pytest.raises(client_errors.TooManyRequests) as raised:
        guest.login("nobody", "not the password")
    assert raised.value.retry_after >= 1


def test_bad_values_are_refused_before_sending_in_the_servers_words(live, ann):
    """Each refusal the toolkit makes says what the server says of the same value; made by a
    session whose server is not there, it cannot have been sent."""
    offline = Session(f"http://127.0.0.1:{ephemeral_port()}", retry=NO_RETRY)
    cases = [
        (
            lambda s: s.login(" ", "x"),
            "<Login><UserName> </UserName><Password>x</Password></Login>",
            "login",
        ),
        (
            lambda s: s.accounts.add_phone(Phone(" ")),
            "<UserAccountService><AddPhoneRequest><PhoneInformation><Number> </Number>"
            "</PhoneInformation></AddPhoneRequest></UserAccountService>",
            "perform",
        ),
        (
            lambda s: s.registration.create_user(User("x", "A", "B", " "), "long password 3"),
            "<RegistrationService><CreateUserRequest><UserName>x</UserName><Password>long"
            " password 3</Password><UserInformation><FirstName>A</FirstName><LastName>B"
            "</LastName><EmailAddress> </EmailAddress></UserInformation></CreateUserRequest>"
            "</RegistrationService>",
            "perform",
        ),
        (
            lambda s: s.orders.create(OrderItem("G1-ACME", quantity=0)),
            "<OrderEntryService><CreateOrderRequest><OrderItem><CatalogItemId>G1-ACME"
            "</CatalogItemId><Quantity>0</Quantity></OrderItem></CreateOrderRequest>"
            "</OrderEntryService>",
            "perform",
        ),
        (
            lambda s: s.catalog.search(Query.granules(), page_size=5000),
            "<CatalogService><ExecuteQueryRequest><query><for value='granules'/><dataCenterId>"
            "<all/></dataCenterId><where/></query><IteratorSize>5000</IteratorSize>"
            "</ExecuteQueryRequest></CatalogService>",
            "perform",
        ),
    ]
    with pytest.raises(client_errors.InvalidValue, match="Password: holds a character") as bad:
        offline.login("ann", "secret\x01")  # lxml's ValueError, never; nor the password shown
    assert "secret" not in str(bad.value)
    for toolkit, raw, function in cases:
        with pytest.raises(client_errors.InvalidValue) as ours:
            toolkit(offline)
        with pytest.raises(client_errors.InvalidValue) as theirs:
            ann._transport.call(function, raw.encode(), ann.token)
        assert ours.value.message == theirs.value.message


class _Unavailable:
    """The real application, its first ``count`` requests answered as when its database is away
    (503 DatabaseUnavailable, what the server answers then)."""

    def __init__(self, app, count: int):
        self.app, self.left, self.seen = app, count, 0

    def __call__(self, environ, start_response):
        self.seen += 1
        if self.left > 0:
            self.left -= 1
            body = (
                b"<Error><Code>DatabaseUnavailable</Code><Message>the database is not"
                b" answering</Message></Error>"
            )
            start_response("503 Service Unavailable", [("Content-Type", "application/xml")])
            return [body]
        return self.app(environ, start_response)


def _serve(app, port: int):
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_transient_failures_are_retried_by_the_policy(db, settings, session):
    from clearinghouse.web import create_app

    user(session, "ann")
    app = create_app({"SETTINGS": settings, "DATABASE": db})
    port = ephemeral_port()
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(client_errors.ConnectionFailed, match="connection refused"):
        Session(url, retry=NO_RETRY).login("ann", PASSWORD)
    # Refused connections until the server comes up: retried until it answers.
    starting = threading.Timer(0.5, lambda: servers.append(_serve(app, port)))
    servers: list = []
    starting.start()
    patient = Session(url, retry=RetryPolicy(attempts=200, wait=0.05, backoff=1))
    patient.login("ann", PASSWORD)
    assert patient.accounts.get().username == "ann"
    servers[0].shutdown()
    # 503s: retried; once the policy's tries are spent, the server's error.
    flaky = _Unavailable(app, 2)
    server = _serve(flaky, port2 := ephemeral_port())
    try:
        url2 = f"http://127.0.0.1:{port2}"
        Session(url2, retry=RetryPolicy(attempts=3, wait=0.01)).login("ann", PASSWORD)
        assert flaky.seen == 3
        flaky.left = 5
        with pytest.raises(client_errors.DatabaseUnavailable):
            Session(url2, retry=RetryPolicy(attempts=2, wait=0.01)).login("ann", PASSWORD)
        assert flaky.seen == 5
    finally:
        server.shutdown()
