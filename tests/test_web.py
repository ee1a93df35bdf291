"""The HTTP edge: /health, and every error rendered once as <Error> XML with the right status."""

import json

import pytest
from flask import Blueprint
from lxml import etree
from sqlalchemy import text

from clearinghouse import errors, xmlsafe
from clearinghouse.db import Database, make_engine
from clearinghouse.db.migrate import head
from clearinghouse.web import create_app


def _error(response):
    root = etree.fromstring(response.data)
    assert root.tag == "Error"
    assert response.mimetype == "application/xml"
    return {child.tag: child.text for child in root}


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["state"] == "up"
    assert body["database"]["server_version"].startswith("15")
    assert body["database"]["postgis"].startswith("3.")
    assert body["database"]["schema"] == head()
    assert body["database"]["schema_current"] is True


def test_health_is_503_when_the_database_cannot_be_reached(settings):
    # A real engine pointed at a port where nothing listens.
    from tests.conftest import ephemeral_port

    engine = make_engine(f"postgresql+psycopg2://u:p@127.0.0.1:{ephemeral_port()}/nothing")
    app = create_app({"SETTINGS": settings, "DATABASE": Database(engine)})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = json.loads(response.data)
    assert body["status"] == "unavailable" and body["database"]["state"] == "down"
    assert "p@" not in response.get_data(as_text=True)
    engine.dispose()


@pytest.fixture
def probe_app(app):
    """Routes that raise what real handlers will raise, to check the edge renders them."""
    probe = Blueprint("probe", __name__)

    @probe.post("/probe/parse")
    def parse():
        from flask import request

        xmlsafe.parse(request.get_data())
        return "parsed"

    @probe.get("/probe/raise/<name>")
    def raise_(name):
        raise getattr(errors, name)(f"{name} happened")

    @probe.get("/probe/duplicate")
    def duplicate():
        db: Database = app.extensions["clearinghouse.db"]
        with db.session() as session:
            for _ in range(2):
                session.execute(
                    text(
                        "INSERT INTO providers (provider_id, contact_email) VALUES ('DUP', 'a@b.c')"
                    )
                )
        return "unreachable"

    @probe.get("/probe/bug")
    def bug():
        return 1 / 0

    app.register_blueprint(probe)
    return app.test_client()


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("BadRequest", 400),
        ("InvalidXML", 400),
        ("NotAuthenticated", 401),
        ("SessionExpired", 401),
        ("Forbidden", 403),
        ("NotFound", 404),
        ("Conflict", 409),
        ("IllegalStateChange", 409),
        ("PayloadTooLarge", 413),
        ("DatabaseUnavailable", 503),
    ],
)
def test_each_error_class_has_its_code_and_status(probe_app, name, status):
    response = probe_app.get(f"/probe/raise/{name}")
    assert response.status_code == status
    assert _error(response) == {"Code": name, "Message": f"{name} happened"}


def test_malformed_xml_carries_line_and_column(probe_app):
    response = probe_app.post("/probe/parse", data=b"<a>\n<b></a>")
    assert response.status_code == 400
    error = _error(response)
    assert error["Code"] == "MalformedXML"
    assert error["Line"] == "2" and error["Column"].isdigit()


def test_entity_bomb_is_a_400_not_a_crash(probe_app):
    from tests.test_xmlsafe import BILLION_LAUGHS

    response = probe_app.post("/probe/parse", data=BILLION_LAUGHS)
    assert response.status_code == 400
    assert _error(response)["Code"] == "ForbiddenXMLConstruct"


def test_oversized_body_is_413(probe_app):
    probe_app.application.config["MAX_CONTENT_LENGTH"] = 1024
    response = probe_app.post("/probe/parse", data=b"<a>" + b"x" * 4096 + b"</a>")
    assert response.status_code == 413
    assert _error(response)["Code"] == "PayloadTooLarge"


def test_database_conflict_is_translated_at_the_boundary(probe_app):
    response = probe_app.get("/probe/duplicate")
    assert response.status_code == 409
    error = _error(response)
    assert error["Code"] == "Conflict"
    assert "DUP" in error["Message"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_errors_are_500_without_a_trace(probe_app):
    response = probe_app.get("/probe/bug")
    assert response.status_code == 500
    error = _error(response)
    assert error["Code"] == "InternalError"
    assert "ZeroDivision" not in response.get_data(as_text=True)


def test_unknown_route_and_wrong_method(client):
    response = client.get("/no/such/thing")
    assert response.status_code == 404 and _error(response)["Code"] == "NotFound"
    response = client.post("/health")
    assert response.status_code == 405 and _error(response)["Code"] == "MethodNotAllowed"
