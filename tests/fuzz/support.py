"""The fuzz suite's one property, per interface: an answer, never a 5xx, and every refusal the
typed error the interface documents."""

from __future__ import annotations

import json

from lxml import etree, html

SOAP_ENVELOPES = (
    "http://www.w3.org/2003/05/soap-envelope",
    "http://schemas.xmlsoap.org/soap/envelope/",
)
OWS = "http://www.opengis.net/ows/2.0"


def _shown(response) -> str:
    return f"{response.status_code}: {response.data[:600]!r}"


def echo_answer(response) -> etree._Element:
    """CONTRACT §6.1: success, or ``<Error><Code/><Message/>…</Error>`` with a 4xx."""
    assert response.status_code < 500, _shown(response)
    root = etree.fromstring(response.data)
    if response.status_code >= 400:
        assert response.mimetype == "application/xml", _shown(response)
        assert root.tag == "Error", _shown(response)
        fields = {child.tag: child.text for child in root}
        assert fields.get("Code") and fields.get("Code") != "InternalError", _shown(response)
        assert fields.get("Message"), _shown(response)
    return root


#: The doors whose refusals are never the web console's HTML page, whatever the client accepts.
API_DOORS = ("/echo", "/soap", "/search/", "/oseo", "/health", "/browse/", "/dtd/")


def console_answer(response) -> None:
    """The web console's refusal (its pages, at ``/``): an HTML page with a 4xx, its heading the
    status and code, the server's message shown; never for a path of another door."""
    assert 400 <= response.status_code < 500, _shown(response)
    assert not response.request.path.startswith(API_DOORS), _shown(response)
    page = html.fromstring(response.data)
    heading = page.findtext(".//h1") or ""
    assert heading.startswith(f"{response.status_code} · "), _shown(response)
    assert (page.get_element_by_id("error-message").text or "").strip(), _shown(response)


def search_answer(response) -> None:
    """GET /search/…: a result list (XML) or JSON with CMR-Hits, or CMR's error shape, a 4xx:
    ``{"errors": [...]}`` or ``<errors><error/>…</errors>``."""
    if response.status_code >= 400:
        assert response.status_code < 500, _shown(response)
        if response.mimetype == "application/json":
            messages = json.loads(response.data)["errors"]
        else:
            root = etree.fromstring(response.data)
            assert root.tag == "errors", _shown(response)
            messages = [e.text for e in root.iterfind("error")]
        assert messages and all(messages), _shown(response)
        return
    assert response.status_code == 200, _shown(response)
    assert int(response.headers["CMR-Hits"]) >= 0
    if response.mimetype == "application/json":
        assert "feed" in json.loads(response.data)
    elif response.mimetype == "text/csv":
        assert response.data.startswith(b"Granule UR,")
    elif response.mimetype == "application/atom+xml":
        assert etree.QName(etree.fromstring(response.data)).localname == "feed"
    elif response.mimetype == "application/vnd.google-earth.kml+xml":
        assert etree.QName(etree.fromstring(response.data)).localname == "kml"
    else:
        assert etree.fromstring(response.data).tag == "results"


def soap_answer(response) -> None:
    """POST /soap: a SOAP envelope; a refusal is a Fault in it, with a 4xx."""
    assert response.status_code < 500, _shown(response)
    root = etree.fromstring(response.data)
    if root.tag == "Error":  # no envelope to answer in (the body was not SOAP)
        echo_answer(response)
        return
    assert etree.QName(root).namespace in SOAP_ENVELOPES, _shown(response)


def oseo_answer(response) -> None:
    """POST /oseo: an answer, or a SOAP fault / ows:ExceptionReport with a 4xx."""
    assert response.status_code < 500, _shown(response)
    root = etree.fromstring(response.data)
    if response.status_code >= 400:
        reports = root.iter(f"{{{OWS}}}ExceptionReport")
        report = root if root.tag == f"{{{OWS}}}ExceptionReport" else next(reports, None)
        assert report is not None, _shown(response)
        exception = report.find(f"{{{OWS}}}Exception")
        assert exception is not None and exception.get("exceptionCode"), _shown(response)
