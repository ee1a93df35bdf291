"""The hardened parser refuses entity tricks, fetches nothing, and says where a document breaks."""

import http.server
import io
import threading

import pytest

from clearinghouse import xmlsafe
from clearinghouse.errors import ForbiddenXML, MalformedXML, PayloadTooLarge

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


@pytest.fixture
def fetch_log():
    """A real HTTP server on loopback that records every request made to it."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b'<!ENTITY leak "FETCHED">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_billion_laughs_is_refused():
    # libxml2 may stop it itself (amplification limit) before we see the declarations: either way
    # it is refused as forbidden, never expanded.
    with pytest.raises(ForbiddenXML, match="entit"):
        xmlsafe.parse(BILLION_LAUGHS)
    small_bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>'
    with pytest.raises(ForbiddenXML, match="entity declarations are not accepted"):
        xmlsafe.parse(small_bomb)


def test_billion_laughs_is_refused_when_streamed():
    with pytest.raises(ForbiddenXML):
        list(xmlsafe.iterparse(io.BytesIO(BILLION_LAUGHS)))


def test_external_entity_is_refused_and_not_read(secret_file):
    doc = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret_file}">]><x>&xxe;</x>'.encode()
    with pytest.raises(ForbiddenXML) as info:
        xmlsafe.parse(doc)
    assert "TOP-SECRET" not in str(info.value)


def test_external_parameter_entity_is_neither_fetched_nor_accepted(fetch_log):
    base, requests = fetch_log
    doc = f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{base}/evil.dtd"> %p;]><x>&leak;</x>'.encode()
    with pytest.raises((ForbiddenXML, MalformedXML)):
        xmlsafe.parse(doc)
    assert requests == []


def test_a_doctype_naming_an_external_dtd_is_kept_but_never_fetched(fetch_log, secret_file):
    base, requests = fetch_log
    root = xmlsafe.parse(
        f'<!DOCTYPE RegistrationService SYSTEM "{base}/RegistrationService.dtd">'
        "<RegistrationService/>".encode()
    )
    assert root.tag == "RegistrationService"
    assert root.getroottree().docinfo.system_url == f"{base}/RegistrationService.dtd"
    assert requests == []
    # A local file as the external subset is not read either (it is not a DTD, so reading it
    # would fail the parse).
    root = xmlsafe.parse(f'<!DOCTYPE R SYSTEM "{secret_file}"><R/>'.encode())
    assert root.tag == "R"


def test_malformed_xml_reports_line_and_column():
    with pytest.raises(MalformedXML) as info:
        xmlsafe.parse(b"<a>\n  <b>text</c>\n</a>")
    assert info.value.line == 2
    assert 10 <= info.value.column <= 14  # at the stray </c>; libxml2 points at its end
    assert "mismatch" in info.value.message


def test_truncated_and_empty_documents():
    with pytest.raises(MalformedXML) as info:
        xmlsafe.parse(b"<Collections><Collection>")
    assert info.value.line == 1
    with pytest.raises(MalformedXML, match="empty"):
        xmlsafe.parse(b"  ")
    with pytest.raises(MalformedXML):
        xmlsafe.parse(b"this is not XML")


def test_size_limit():
    with pytest.raises(PayloadTooLarge, match="at most 100 are accepted"):
        xmlsafe.parse(b"<a>" + b"x" * 200 + b"</a>", max_bytes=100)


def test_deep_trees_need_the_huge_option():
    depth = 300
    doc = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(MalformedXML, match=r"[Dd]epth"):
        xmlsafe.parse(doc)
    assert xmlsafe.parse(doc, huge=True).tag == "a"


def test_streaming_gives_elements_and_positions():
    doc = (
        b"<Granules>\n<Granule><GranuleUR>a</GranuleUR></Granule>\n"
        b"<Granule><GranuleUR>b</GranuleUR>"
    )
    seen = []
    with pytest.raises(MalformedXML) as info:
        for _, element in xmlsafe.iterparse(io.BytesIO(doc), tag="Granule"):
            seen.append(element.findtext("GranuleUR"))
    assert seen == ["a"]
    assert info.value.line == 3
