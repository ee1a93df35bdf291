"""The SOAP 1.1 and 1.2 binding of the session functions at ``POST /soap``, described by the WSDL
at ``GET /soap?wsdl``. The version is the envelope's; errors are faults of that version whose
detail holds the ``<Error>`` document, with the HTTP status CONTRACT §6.1 gives the error."""

from __future__ import annotations

import dataclasses

from lxml import etree

from clearinghouse import incidents, xmlsafe
from clearinghouse.api import functions
from clearinghouse.api.functions import Context
from clearinghouse.api.messages import MESSAGE_LIMIT, error_element, parse
from clearinghouse.api.wsdl import NAMESPACE, OPERATIONS, document
from clearinghouse.errors import BadRequest, ClearinghouseError, InvalidXML, NotFound

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
_CONTENT_TYPE = {SOAP11: "text/xml; charset=utf-8", SOAP12: "application/soap+xml; charset=utf-8"}

Answer = tuple[dict[str, str], int, bytes]


def describe(args, root_url: str) -> Answer:
    if "wsdl" not in {key.lower() for key in args}:
        raise NotFound("GET /soap?wsdl describes this service; calls are POSTed to /soap")
    return {"Content-Type": "text/xml; charset=utf-8"}, 200, document(root_url + "soap").encode()


def handle(ctx: Context, body: bytes, content_type: str) -> Answer:
    version = SOAP12 if "soap+xml" in content_type else SOAP11
    try:
        envelope = parse(body, limit=MESSAGE_LIMIT)
        version = _version(envelope)
        operation, parameters = _operation(envelope, version)
        token = parameters.get("Token") or ctx.token
        result = _call(dataclasses.replace(ctx, token=token), operation, parameters)
    except Exception as error:
        return _fault(version, incidents.served(error))
    return _envelope(version, operation, result)


def _version(envelope: etree._Element) -> str:
    qname = etree.QName(envelope)
    if qname.localname != "Envelope" or qname.namespace not in (SOAP11, SOAP12):
        raise InvalidXML(
            f"expected a SOAP 1.1 or 1.2 Envelope, not <{envelope.tag}>", line=envelope.sourceline
        )
    return qname.namespace


def _operation(envelope: etree._Element, version: str) -> tuple[str, dict[str, str]]:
    body = envelope.find(f"{{{version}}}Body")
    if body is None:
        raise InvalidXML("the SOAP envelope has no Body", line=envelope.sourceline)
    calls = [child for child in body if isinstance(child.tag, str)]
    if len(calls) != 1:
        raise InvalidXML(
            f"the SOAP Body must hold one call, not {len(calls)}", line=body.sourceline
        )
    call = calls[0]
    name = etree.QName(call)
    if name.namespace != NAMESPACE or name.localname not in OPERATIONS:
        raise BadRequest(
            f"there is no operation {{{name.namespace}}}{name.localname}; the operations are"
            f" {', '.join(OPERATIONS)} in {NAMESPACE}",
            line=call.sourceline,
        )
    expected = {p for p, _ in OPERATIONS[name.localname][0]}
    parameters = {}
    for child in call:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local not in expected:
            takes = ", ".join(sorted(expected))
            raise InvalidXML(
                f"{name.localname} has no parameter {local}; it takes {takes}",
                line=child.sourceline,
            )
        parameters[local] = child.text or ""
    for parameter, required in OPERATIONS[name.localname][0]:
        if required and parameter != "Token" and not parameters.get(parameter):
            raise InvalidXML(f"{name.localname}/{parameter}: required", line=call.sourceline)
    return name.localname, parameters


def _call(ctx: Context, operation: str, p: dict[str, str]) -> dict[str, str | None]:
    if operation == "Login":
        return {"Token": functions.login(ctx, p["UserName"], p["Password"], p.get("ClientId"))}
    if operation == "Perform":
        answer = functions.perform(ctx, p["Message"])
        return {"Result": xmlsafe.tostring(answer, declaration=False).decode("utf-8")}
    if operation == "Identify":
        return {"Token": functions.identify(ctx, p["ClientId"].strip())}
    if operation == "SetProviderContext":
        functions.set_provider_context(ctx, (p.get("ProviderId") or "").strip() or None)
    elif operation == "SetUserContext":
        functions.set_user_context(ctx, (p.get("UserName") or "").strip() or None)
    elif operation == "Logout":
        functions.logout(ctx)
    elif operation == "Remove":
        functions.remove(ctx)
    return {}


def _wrap(version: str, content: etree._Element) -> bytes:
    envelope = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
    etree.SubElement(envelope, f"{{{version}}}Body").append(content)
    return xmlsafe.tostring(envelope)


def _envelope(version: str, operation: str, result: dict[str, str | None]) -> Answer:
    response = etree.Element(f"{{{NAMESPACE}}}{operation}Response", nsmap={"e": NAMESPACE})
    for name, value in result.items():
        if value is not None:
            etree.SubElement(response, f"{{{NAMESPACE}}}{name}").text = value
    return {"Content-Type": _CONTENT_TYPE[version]}, 200, _wrap(version, response)


def _fault(version: str, error: ClearinghouseError) -> Answer:
    detail = error_element(error)
    for element in detail.iter():  # the detail in the WSDL's namespace, as it declares Error
        element.tag = f"{{{NAMESPACE}}}{element.tag}"
    client = error.status < 500
    fault = etree.Element(f"{{{version}}}Fault")
    if version == SOAP11:
        etree.SubElement(fault, "faultcode").text = "soap:" + ("Client" if client else "Server")
        etree.SubElement(fault, "faultstring").text = error.message
        etree.SubElement(fault, "detail").append(detail)
    else:
        code = etree.SubElement(
            etree.SubElement(fault, f"{{{version}}}Code"), f"{{{version}}}Value"
        )
        code.text = "soap:" + ("Sender" if client else "Receiver")
        reason = etree.SubElement(
            etree.SubElement(fault, f"{{{version}}}Reason"), f"{{{version}}}Text"
        )
        reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        reason.text = error.message
        etree.SubElement(fault, f"{{{version}}}Detail").append(detail)
    headers = {"Content-Type": _CONTENT_TYPE[version]}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers, error.status, _wrap(version, fault)
