"""SOAP 1.2, SOAP 1.1 or bare XML around OSEO messages: reading requests, writing answers,
callbacks and faults.

The OSEO text says SOAP 1.2 while its WSDL binds SOAP 1.1, so both are read and each answer uses
the request's version. A bare OSEO element (no envelope) is answered bare, an error as a lone
``ows:ExceptionReport``. Credentials come from a WS-Security UsernameToken (PasswordText only: our
passwords are stored as argon2 hashes, so a PasswordDigest cannot be verified); the callback
address from WS-Addressing ``ReplyTo``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from clearinghouse import xmlsafe
from clearinghouse.errors import ClearinghouseError, ForbiddenXML, PayloadTooLarge
from clearinghouse.oseo.errors import (
    AuthenticationFailed,
    MissingParameterValue,
    NoApplicableCode,
    OseoError,
)
from clearinghouse.oseo.names import (
    E_OWS,
    E_SOAP11,
    E_SOAP12,
    E_WSA,
    OSEO,
    PASSWORD_DIGEST,
    PASSWORD_TEXT,
    SOAP11,
    SOAP12,
    WSA,
    WSA_2004,
    WSA_NO_ADDRESS,
    WSN,
    WSSE,
    WSU,
    XML,
    qname,
)

_VERSIONS = {SOAP12: "1.2", SOAP11: "1.1"}
_NAMESPACES = {"1.2": SOAP12, "1.1": SOAP11}
_MAKERS = {"1.2": E_SOAP12, "1.1": E_SOAP11}
#: Namespaces whose elements may be OSEO requests (WS-N ones are refused by the request reader
#: with OperationNotSupported, which is why they get that far).
_REQUEST_NAMESPACES = (OSEO, WSN)
#: Header blocks we process, so a mustUnderstand on them is honoured.
_UNDERSTOOD = (WSSE, WSU, WSA, WSA_2004)


@dataclass
class Envelope:
    soap: str | None  # None (bare XML), "1.1" or "1.2"
    body: etree._Element  # the OSEO request element
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line
    reply_to: str | None = None
    message_id: str | None = None


# ---------------------------------------------------------------------------- reading requests


def read(body: bytes, *, max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES) -> Envelope:
    """The request in ``body``: its SOAP version, OSEO element, credentials and addressing."""
    root = _parse(body, max_bytes)
    namespace = etree.QName(root).namespace
    if namespace in _VERSIONS:
        return _from_soap(root, _VERSIONS[namespace])
    if namespace in _REQUEST_NAMESPACES:
        return Envelope(soap=None, body=root)
    raise _not_oseo(root)


def _parse(body: bytes, max_bytes: int) -> etree._Element:
    try:
        return xmlsafe.parse(body, max_bytes=max_bytes)
    except PayloadTooLarge as exc:
        raise NoApplicableCode(exc.message, status=413) from None
    except ForbiddenXML as exc:
        raise NoApplicableCode(f"{_where(exc)}refused XML: {exc.message}", status=400) from None
    except ClearinghouseError as exc:  # MalformedXML and its kin
        raise NoApplicableCode(
            f"{_where(exc)}the request is not well-formed XML: {exc.message}", status=400
        ) from None


def _where(exc: ClearinghouseError) -> str:
    """Line and column go into the message itself: the ExceptionText is all a client sees."""
    if exc.line is None:
        return ""
    return f"line {exc.line}" + (f", column {exc.column}" if exc.column else "") + ": "


def _not_oseo(element: etree._Element) -> NoApplicableCode:
    return NoApplicableCode(
        f"not an OSEO request: <{element.tag}> is neither a SOAP 1.1/1.2 Envelope nor an element"
        f" of {OSEO}",
        status=400,
    )


def _from_soap(root: etree._Element, soap: str) -> Envelope:
    namespace = _NAMESPACES[soap]
    if etree.QName(root).localname != "Envelope":
        raise NoApplicableCode(
            f"the root element of a SOAP {soap} message must be Envelope, not"
            f" {etree.QName(root).localname}",
            status=400,
        )
    header = root.find(qname(namespace, "Header"))
    request = _request_of(root.find(qname(namespace, "Body")), soap)
    if header is None:
        return Envelope(soap=soap, body=request)
    _check_must_understand(header, namespace)
    username, password = _username_token(header)
    return Envelope(
        soap=soap,
        body=request,
        username=username,
        password=password,
        reply_to=_reply_to(header),
        message_id=_text_of(header, "MessageID"),
    )


def _request_of(body: etree._Element | None, soap: str) -> etree._Element:
    if body is None:
        raise MissingParameterValue(f"the SOAP {soap} Envelope has no Body", locator="Body")
    elements = [child for child in body if isinstance(child.tag, str)]
    if not elements:
        raise MissingParameterValue(
            "the SOAP Body is empty: it must hold one OSEO request", locator="Body"
        )
    if len(elements) > 1:
        names = ", ".join(etree.QName(e).localname for e in elements[:5])
        raise NoApplicableCode(
            f"the SOAP Body holds {len(elements)} elements ({names}); it must hold exactly one"
            " OSEO request",
            status=400,
        )
    if etree.QName(elements[0]).namespace not in _REQUEST_NAMESPACES:
        raise _not_oseo(elements[0])
    return elements[0]


def _check_must_understand(header: etree._Element, namespace: str) -> None:
    """SOAP: a header block marked mustUnderstand that we do not process must fail the call."""
    for block in header:
        if not isinstance(block.tag, str) or etree.QName(block).namespace in _UNDERSTOOD:
            continue
        if block.get(qname(namespace, "mustUnderstand"), "").strip() in ("1", "true"):
            raise NoApplicableCode(
                f"the SOAP header {block.tag} is marked mustUnderstand; this server does not"
                " support it",
                status=400,
            )


def _username_token(header: etree._Element) -> tuple[str | None, str | None]:
    token = header.find(f"{qname(WSSE, 'Security')}/{qname(WSSE, 'UsernameToken')}")
    if token is None:
        return None, None
    username = (token.findtext(qname(WSSE, "Username")) or "").strip()
    if not username:
        raise AuthenticationFailed("the wsse:UsernameToken has no Username")
    password = token.find(qname(WSSE, "Password"))
    if password is None:
        raise AuthenticationFailed("the wsse:UsernameToken has no Password")
    kind = (password.get("Type") or PASSWORD_TEXT).strip()
    if kind == PASSWORD_DIGEST or kind.endswith("#PasswordDigest"):
        raise AuthenticationFailed(
            "only PasswordText is supported: this server cannot verify a PasswordDigest"
        )
    if kind != PASSWORD_TEXT and not kind.endswith("#PasswordText"):
        raise AuthenticationFailed(
            f"the password Type {kind!r} is not supported; only PasswordText is"
        )
    return username, password.text or ""  # a password is taken exactly as sent


def _reply_to(header: etree._Element) -> str | None:
    for namespace in (WSA, WSA_2004):
        address = header.findtext(f"{qname(namespace, 'ReplyTo')}/{qname(namespace, 'Address')}")
        if address is not None and address.strip():
            address = address.strip()
            return None if address in WSA_NO_ADDRESS else address
    return None


def _text_of(header: etree._Element, local: str) -> str | None:
    for namespace in (WSA, WSA_2004):
        text = header.findtext(qname(namespace, local))
        if text is not None and text.strip():
            return text.strip()
    return None


# ----------------------------------------------------------------------------- writing answers


def content_type(soap: str | None, action: str | None = None) -> str:
    """The HTTP Content-Type of a message of this SOAP version (the action goes into SOAP 1.2's;
    SOAP 1.1 carries it in a SOAPAction header, see :func:`http_headers`)."""
    if soap == "1.2":
        return "application/soap+xml; charset=utf-8" + (f'; action="{action}"' if action else "")
    if soap == "1.1":
        return "text/xml; charset=utf-8"
    if soap is None:
        return "application/xml"
    raise ValueError(f"unknown SOAP version {soap!r}")


def soap_action(element: etree._Element) -> str:
    """The action of a message: the WSDL binds each operation with soapAction = its element's
    local name (``GetCapabilities``, ``SubmitResponse``...)."""
    return etree.QName(element).localname


def http_headers(element: etree._Element, soap: str | None) -> dict[str, str]:
    """The HTTP headers for POSTing ``element`` (a callback) in this SOAP version."""
    if soap == "1.1":
        return {"Content-Type": content_type(soap), "SOAPAction": f'"{soap_action(element)}"'}
    return {"Content-Type": content_type(soap, soap_action(element) if soap else None)}


def write(
    element: etree._Element, soap: str | None, *, relates_to: str | None = None
) -> tuple[bytes, str]:
    """An answer document and its Content-Type. With ``relates_to`` (the request's wsa:MessageID)
    the envelope carries wsa:Action and wsa:RelatesTo headers; a bare answer has no headers."""
    headers = []
    if soap is not None and relates_to:
        headers = [E_WSA.Action(soap_action(element)), E_WSA.RelatesTo(relates_to)]
    return _document(element, soap, headers), content_type(soap)


def write_callback(
    element: etree._Element,
    soap: str | None,
    to_address: str,
    message_id: str,
    *,
    relates_to: str | None = None,
) -> tuple[bytes, str]:
    """A message the server sends to a client's ReplyTo (GetQuotationResponse, SubmitResponse,
    CancelResponse): wsa:To, wsa:Action, wsa:MessageID (``message_id``: this message's own id) and,
    as the WSDL's ContinueHeader asks, wsa:RelatesTo the request's MessageID when known."""
    headers = [
        E_WSA.To(to_address),
        E_WSA.Action(soap_action(element)),
        E_WSA.MessageID(message_id),
    ]
    if relates_to:
        headers.append(E_WSA.RelatesTo(relates_to))
    return _document(element, soap, headers), content_type(soap)


def _document(element: etree._Element, soap: str | None, headers: list) -> bytes:
    if soap is None:
        return xmlsafe.tostring(element)
    maker = _maker(soap)
    envelope = maker.Envelope()
    if headers:
        envelope.append(maker.Header(*headers))
    # A caller's element that already sits in a tree stays there: the envelope gets a copy.
    body = copy.deepcopy(element) if element.getparent() is not None else element
    envelope.append(maker.Body(body))
    return xmlsafe.tostring(envelope)


def _maker(soap: str):
    if soap not in _MAKERS:
        raise ValueError(f"unknown SOAP version {soap!r}")
    return _MAKERS[soap]


# ---------------------------------------------------------------------------------------- faults


def exception_report(errors: OseoError | Iterable[OseoError]) -> etree._Element:
    """``ows:ExceptionReport`` (OWS 2.0) with one ``ows:Exception`` per error."""
    if isinstance(errors, OseoError):
        errors = [errors]
    report = E_OWS.ExceptionReport(version="2.0.0")
    report.set(qname(XML, "lang"), "en")
    for error in errors:
        exception = E_OWS.Exception(exceptionCode=error.code)
        if error.locator:
            exception.set("locator", error.locator)
        text = str(error)
        if text:
            exception.append(E_OWS.ExceptionText(text))
        report.append(exception)
    if not len(report):
        raise ValueError("an ExceptionReport needs at least one error")
    return report


def fault(error: OseoError, soap: str | None) -> tuple[bytes, str]:
    """The error as the request's binding wants it, and its Content-Type: a SOAP 1.2 or 1.1 Fault
    whose detail is the ExceptionReport, or the ExceptionReport alone for a bare request."""
    report = exception_report(error)
    if soap is None:
        return xmlsafe.tostring(report), content_type(None)
    if soap == "1.2":
        body = _fault12(error, report)
    elif soap == "1.1":
        body = _fault11(error, report)
    else:
        raise ValueError(f"unknown SOAP version {soap!r}")
    maker = _maker(soap)
    return xmlsafe.tostring(maker.Envelope(maker.Body(body))), content_type(soap)


def _fault12(error: OseoError, report: etree._Element) -> etree._Element:
    text = E_SOAP12.Text(str(error) or error.code)
    text.set(qname(XML, "lang"), "en")
    return E_SOAP12.Fault(
        E_SOAP12.Code(E_SOAP12.Value("env:Receiver" if error.server_side else "env:Sender")),
        E_SOAP12.Reason(text),
        E_SOAP12.Detail(report),
    )


def _fault11(error: OseoError, report: etree._Element) -> etree._Element:
    # SOAP 1.1's faultcode, faultstring and detail are unqualified elements.
    fault = E_SOAP11.Fault()
    code = "soap:Server" if error.server_side else "soap:Client"
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = str(error) or error.code
    etree.SubElement(fault, "detail").append(report)
    return fault


def fault_status(error: OseoError, soap: str | None) -> int:
    """The HTTP status to send a fault with: SOAP 1.1's HTTP binding (and WS-I Basic Profile
    R1126) want 500 for every fault; SOAP 1.2 and bare XML take the error's own status."""
    return 500 if soap == "1.1" else error.status
