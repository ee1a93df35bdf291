"""Every session function refuses bad input with the right code and status, and the service keeps
serving: malformed XML, DTD violations, unknown services and transactions, missing tokens, wrong
passwords, oversized bodies, entity tricks."""

from __future__ import annotations

import pytest

from clearinghouse.api.messages import MESSAGE_LIMIT, SESSION_LIMIT
from tests.api_support import PASSWORD, answer, error, login, perform, post, user

FUNCTIONS = {
    "login": f"<Login><UserName>u</UserName><Password>{PASSWORD}</Password></Login>",
    "identify": "<Identify><ClientId>c</ClientId></Identify>",
    "provider-context": "<SetProviderContext><ProviderId>P</ProviderId></SetProviderContext>",
    "user-context": "<SetUserContext><UserName>u</UserName></SetUserContext>",
    "perform": "<UserAccountService><GetUserInformationRequest/></UserAccountService>",
}
BOMB = """<?xml version="1.0"?>
<!DOCTYPE Login [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Login><UserName>&b;</UserName><Password>x</Password></Login>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE Login [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Login><UserName>&x;</UserName><Password>x</Password></Login>"""


@pytest.fixture
def token(client, session):
    user(session, "kim")
    return login(client, "kim")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_malformed_xml_is_400_with_line_and_column(client, token, function):
    body = FUNCTIONS[function].replace("</", "\n<", 1)  # an end tag broken on line 2
    fields = error(post(client, function, token, body), 400, "MalformedXML")
    assert fields["Line"] == "2"
    assert int(fields["Column"]) > 0


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_an_empty_body_is_malformed(client, token, function):
    error(post(client, function, token, ""), 400, "MalformedXML")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_entity_declarations_are_refused(client, token, function):
    for body in (BOMB, EXTERNAL):
        fields = error(post(client, function, token, body), 400, "ForbiddenXMLConstruct")
        assert "entity" in fields["Message"]


@pytest.mark.parametrize(
    ("function", "body", "line"),
    [
        ("login", "<Login><UserName>u</UserName></Login>", "1"),
        ("login", "<Login>\n<Password>p</Password><UserName>u</UserName></Login>", "1"),
        ("identify", "<Identify><Client>c</Client></Identify>", "1"),
        ("provider-context", "<SetProviderContext><Id>P</Id></SetProviderContext>", "1"),
        (
            "user-context",
            "<SetUserContext><UserName>a</UserName><UserName>b</UserName></SetUserContext>",
            "1",
        ),
        (
            "perform",
            "<UserAccountService>\n<GetUserInformationRequest>\n<Extra/>"
            "</GetUserInformationRequest></UserAccountService>",
            "1",
        ),
        (
            "perform",
            "<RegistrationService>\n  <CreateUserRequest>\n    <UserName>x</UserName>\n"
            "    <UserInformation/>\n  </CreateUserRequest>\n</RegistrationService>",
            "2",
        ),
    ],
)
def test_dtd_violations_are_400_invalid_xml(client, token, function, body, line):
    fields = error(post(client, function, token, body), 400, "InvalidXML")
    assert ".dtd" in fields["Message"]
    assert fields["Line"] >= line


def test_the_wrong_document_for_a_function(client):
    fields = error(post(client, "login", None, FUNCTIONS["identify"]), 400, "InvalidXML")
    assert "<Login>" in fields["Message"]


def test_unknown_service_and_transaction(client, token):
    fields = error(
        perform(client, token, "WeatherService", "<ForecastRequest/>"), 400, "UnknownService"
    )
    assert "RegistrationService" in fields["Message"]  # the services are listed
    fields = error(
        perform(client, token, "UserAccountService", "<DeleteEverythingRequest/>"),
        400,
        "UnknownTransaction",
    )
    assert "GetUserInformationRequest" in fields["Message"]
    fields = error(perform(client, token, "UserAccountService", ""), 400, "InvalidXML")
    assert "exactly one" in fields["Message"]


def test_a_user_transaction_without_a_token_is_401(client):
    fields = error(
        perform(client, None, "UserAccountService", "<GetUserInformationRequest/>"),
        401,
        "NotAuthenticated",
    )
    assert "log in" in fields["Message"]


@pytest.mark.parametrize("function", ["logout", "remove", "provider-context", "user-context"])
def test_session_functions_need_a_token(client, function):
    body = FUNCTIONS.get(function, "")
    error(post(client, function, None, body), 401, "NotAuthenticated")


@pytest.mark.parametrize("function", [*sorted(FUNCTIONS), "logout", "remove"])
def test_an_unknown_token_is_401(client, function):
    error(
        post(client, function, "not-a-token", FUNCTIONS.get(function, "")), 401, "NotAuthenticated"
    )


def test_wrong_password_is_401(client, session):
    user(session, "lee")
    error(
        post(
            client,
            "login",
            None,
            "<Login><UserName>lee</UserName><Password>not it at all</Password></Login>",
        ),
        401,
        "NotAuthenticated",
    )


@pytest.mark.parametrize(
    ("function", "limit"), [("login", SESSION_LIMIT), ("perform", MESSAGE_LIMIT)]
)
def test_an_oversized_body_is_413(client, token, function, limit):
    padding = "<!--" + "x" * limit + "-->"
    fields = error(
        post(client, function, token, FUNCTIONS[function] + padding), 413, "PayloadTooLarge"
    )
    assert str(limit) in fields["Message"]


def test_values_are_checked_with_the_element_named(client, token):
    fields = error(
        perform(
            client,
            token,
            "UserAccountService",
            "<UpdateUserInformationRequest><EmailAddress>not mail</EmailAddress>"
            "</UpdateUserInformationRequest>",
        ),
        400,
        "InvalidValue",
    )
    assert "not mail" in fields["Message"]
    fields = error(
        perform(
            client,
            token,
            "UserAccountService",
            "<UpdateUserInformationRequest><FirstName>  </FirstName>"
            "</UpdateUserInformationRequest>",
        ),
        400,
        "InvalidValue",
    )
    assert fields["Message"] == "UpdateUserInformationRequest/FirstName: must not be empty"


def test_the_service_keeps_serving_after_bad_input(client, token):
    for function, body in FUNCTIONS.items():
        post(client, function, token, body[:-3])
        post(client, function, token, BOMB)
    me = answer(perform(client, token, "UserAccountService", "<GetUserInformationRequest/>"))
    assert me.findtext("GetUserInformationResponse/User/UserName") == "kim"


def test_get_on_a_session_function_is_405(client):
    error(client.get("/echo/login"), 405, "MethodNotAllowed")


def test_a_database_that_is_down_is_503_for_xml_and_soap(settings):
    from clearinghouse.db import Database, make_engine
    from clearinghouse.web import create_app
    from tests.conftest import ephemeral_port

    engine = make_engine(f"postgresql+psycopg2://u:p@127.0.0.1:{ephemeral_port()}/nothing")
    app = create_app({"SETTINGS": settings, "DATABASE": Database(engine)})
    client = app.test_client()
    error(post(client, "login", None, FUNCTIONS["login"]), 503, "DatabaseUnavailable")
    error(post(client, "perform", "some-token", FUNCTIONS["perform"]), 503, "DatabaseUnavailable")
    soap = client.post(
        "/soap",
        data='<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        '<Identify xmlns="urn:clearinghouse:echo"><ClientId>c</ClientId></Identify>'
        "</s:Body></s:Envelope>",
        content_type="application/soap+xml",
    )
    assert soap.status_code == 503
    assert b"DatabaseUnavailable" in soap.data and b"Receiver" in soap.data
    engine.dispose()


def test_an_error_quoting_a_nul_is_still_a_document(client):
    """Found by tests/fuzz: a message quoting a value XML cannot hold (here a parameter named
    NUL) made the error renderer itself fail, a 500; the value is now shown escaped."""
    from clearinghouse.api.messages import error_element
    from clearinghouse.errors import InvalidValue

    element = error_element(InvalidValue("unknown parameter \x00\ufffe", line=3))
    assert element.findtext("Message") == "unknown parameter \\x00\\ufffe"
    # and at the door, before any route could quote it, such a value is refused as itself
    fields = error(client.get("/search/collections?%00=1"), 400, "InvalidValue")
    assert "a parameter name: holds the character U+0000" in fields["Message"]
