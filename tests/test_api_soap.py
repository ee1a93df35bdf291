"""The session functions through SOAP 1.1 and 1.2, with zeep as the client, reading the WSDL from
a real server."""

from __future__ import annotations

import threading

import pytest
import requests
import zeep
from lxml import etree
from sqlalchemy import text
from werkzeug.serving import make_server
from zeep.exceptions import Fault

from clearinghouse.accounts.sessions import token_hash
from tests.api_support import PASSWORD, provider, user

GET_INFO = "<UserAccountService><GetUserInformationRequest/></UserAccountService>"


@pytest.fixture
def server(app):
    http = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


@pytest.fixture(params=["EchoSoap11", "EchoSoap12"])
def echo(request, server):
    client = zeep.Client(f"{server}/soap?wsdl")
    return client.bind("EchoService", request.param)


def _detail(fault: Fault) -> dict[str, str]:
    error = fault.detail.find("{urn:clearinghouse:echo}Error")
    return {etree.QName(child).localname: child.text for child in error}


def test_the_session_walk_through_soap(echo, session):
    provider(session, "ORNL")
    user(session, "sam", providers=["ORNL"])
    user(session, "root", admin=True)

    guest = echo.Identify(ClientId="soap-client")
    assert guest
    registered = echo.Perform(
        Token=guest,
        Message="<RegistrationService><CreateUserRequest><UserName>tess</UserName>"
        "<Password>tess's password</Password><UserInformation><FirstName>T</FirstName>"
        "<LastName>S</LastName><EmailAddress>t@example.org</EmailAddress></UserInformation>"
        "</CreateUserRequest></RegistrationService>",
    )
    assert etree.fromstring(registered).findtext("CreateUserResponse/UserName") == "tess"

    token = echo.Login(UserName="sam", Password=PASSWORD, ClientId="soap-client")
    answer = etree.fromstring(echo.Perform(Token=token, Message=GET_INFO))
    assert answer.findtext("GetUserInformationResponse/User/UserName") == "sam"
    assert echo.Identify(Token=token, ClientId="renamed") is None

    echo.SetProviderContext(Token=token, ProviderId="ORNL")
    with pytest.raises(Fault) as refused:
        echo.SetUserContext(Token=token, UserName="root")
    assert _detail(refused.value)["Code"] == "Forbidden"

    admin = echo.Login(UserName="root", Password=PASSWORD)
    echo.SetUserContext(Token=admin, UserName="sam")
    acting = etree.fromstring(echo.Perform(Token=admin, Message=GET_INFO))
    assert acting.findtext("GetUserInformationResponse/User/UserName") == "sam"

    session.execute(
        text("UPDATE sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = :h"),
        {"h": token_hash(admin)},
    )
    session.commit()
    with pytest.raises(Fault) as expired:
        echo.Perform(Token=admin, Message=GET_INFO)
    assert _detail(expired.value)["Code"] == "SessionExpired"

    echo.Logout(Token=token)
    with pytest.raises(Fault) as guest_now:
        echo.Perform(Token=token, Message=GET_INFO)
    assert _detail(guest_now.value)["Code"] == "NotAuthenticated"
    echo.Remove(Token=token)
    with pytest.raises(Fault) as ended:
        echo.Identify(Token=token, ClientId="x")
    assert _detail(ended.value)["Code"] == "NotAuthenticated"


def test_soap_faults_carry_the_error(echo, session):
    user(session, "uma")
    with pytest.raises(Fault) as wrong:
        echo.Login(UserName="uma", Password="not the password")
    assert _detail(wrong.value)["Code"] == "NotAuthenticated"
    assert wrong.value.message == "wrong user name or password"

    token = echo.Login(UserName="uma", Password=PASSWORD)
    with pytest.raises(Fault) as invalid:
        echo.Perform(Token=token, Message="<UserAccountService>\n<Nonsense/></UserAccountService>")
    assert _detail(invalid.value)["Code"] == "UnknownTransaction"
    assert _detail(invalid.value)["Line"] == "2"
    with pytest.raises(Fault) as malformed:
        echo.Perform(Token=token, Message="<UserAccountService>")
    detail = _detail(malformed.value)
    assert detail["Code"] == "MalformedXML" and detail["Line"] == "1" and detail["Column"]


@pytest.mark.parametrize(
    ("version", "content_type", "status"),
    [
        ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml", "faultcode"),
        ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml", "Code"),
    ],
)
def test_raw_soap_envelopes_and_bad_ones(server, version, content_type, status):
    def call(body: str):
        return requests.post(
            f"{server}/soap", data=body.encode(), headers={"Content-Type": content_type}, timeout=10
        )

    ok = call(
        f'<s:Envelope xmlns:s="{version}"><s:Body><Identify xmlns="urn:clearinghouse:echo">'
        "<ClientId>raw</ClientId></Identify></s:Body></s:Envelope>"
    )
    assert ok.status_code == 200
    assert ok.headers["Content-Type"].startswith(content_type)
    assert etree.fromstring(ok.content).findtext(".//{urn:clearinghouse:echo}Token")

    for body, code, http in [
        (
            f'<s:Envelope xmlns:s="{version}"><s:Body><Identify xmlns="urn:clearinghouse:echo">'
            "<ClientId>raw</ClientId></Identify></s:Body>",
            "MalformedXML",
            400,
        ),
        (
            f'<s:Envelope xmlns:s="{version}"><s:Body><Explode xmlns="urn:clearinghouse:echo"/>'
            "</s:Body></s:Envelope>",
            "BadRequest",
            400,
        ),
        (
            f'<s:Envelope xmlns:s="{version}"><s:Body><Login xmlns="urn:clearinghouse:echo">'
            "<UserName>x</UserName></Login></s:Body></s:Envelope>",
            "InvalidXML",
            400,
        ),
        (
            f'<s:Envelope xmlns:s="{version}"><s:Body><Logout xmlns="urn:clearinghouse:echo"/>'
            "</s:Body></s:Envelope>",
            "NotAuthenticated",
            401,
        ),
        ('<!DOCTYPE s [<!ENTITY a "b">]><s/>', "ForbiddenXMLConstruct", 400),
    ]:
        response = call(body)
        assert response.status_code == http, response.content
        fault = etree.fromstring(response.content)
        assert fault.find(f".//{{{version}}}Fault") is not None
        assert (
            fault.find(f".//{{{version}}}Fault/{status}") is not None
            or fault.find(f".//{{{version}}}Fault/{{{version}}}{status}") is not None
        )
        assert fault.findtext(".//{urn:clearinghouse:echo}Code") == code


def test_the_wsdl_is_served_and_other_gets_are_not(server):
    response = requests.get(f"{server}/soap?wsdl", timeout=10)
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    ports = wsdl.findall(".//{http://schemas.xmlsoap.org/wsdl/}port")
    assert [p.get("name") for p in ports] == ["EchoSoap11", "EchoSoap12"]
    assert requests.get(f"{server}/soap", timeout=10).status_code == 404
