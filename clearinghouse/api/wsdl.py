"""The WSDL of the seven session functions (document/literal, SOAP 1.1 and SOAP 1.2 bindings)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

NAMESPACE = "urn:clearinghouse:echo"

#: Operation: (request parameters, response parameters); each (name, required).
OPERATIONS: dict[str, tuple[list[tuple[str, bool]], list[tuple[str, bool]]]] = {
    "Login": ([("UserName", True), ("Password", True), ("ClientId", False)], [("Token", True)]),
    "Logout": ([("Token", True)], []),
    "Perform": ([("Token", False), ("Message", True)], [("Result", True)]),
    "Identify": ([("Token", False), ("ClientId", True)], [("Token", False)]),
    "SetProviderContext": ([("Token", True), ("ProviderId", False)], []),
    "SetUserContext": ([("Token", True), ("UserName", False)], []),
    "Remove": ([("Token", True)], []),
}

_DOC = {
    "Login": "Log in as a registered user; the answer is the session's token.",
    "Logout": "The session goes on as a guest's.",
    "Perform": "Send one service message (a string of XML); the answer is the response message.",
    "Identify": "Name the client; without a token, opens a guest session and returns its token.",
    "SetProviderContext": "Act for a data partner (no ProviderId: for none).",
    "SetUserContext": "An administrator acts as another user (no UserName: as itself).",
    "Remove": "End the session.",
}


def _element(name: str, parameters: list[tuple[str, bool]]) -> str:
    optional = ' minOccurs="0"'
    fields = "".join(
        f'<xs:element name="{p}" type="xs:string"{"" if required else optional}/>'
        for p, required in parameters
    )
    return (
        f'<xs:element name="{name}"><xs:complexType><xs:sequence>{fields}'
        "</xs:sequence></xs:complexType></xs:element>"
    )


def _binding(name: str, soap: str, transport: str) -> str:
    operations = "".join(
        f'<wsdl:operation name="{op}"><{soap}:operation soapAction="{NAMESPACE}#{op}"'
        f' style="document"/><wsdl:input><{soap}:body use="literal"/></wsdl:input>'
        f'<wsdl:output><{soap}:body use="literal"/></wsdl:output><wsdl:fault name="Error">'
        f'<{soap}:fault name="Error" use="literal"/></wsdl:fault></wsdl:operation>'
        for op in OPERATIONS
    )
    return (
        f'<wsdl:binding name="{name}" type="tns:EchoPortType">'
        f'<{soap}:binding style="document" transport="{transport}"/>{operations}</wsdl:binding>'
    )


def document(location: str) -> str:
    elements = "".join(
        _element(op, request) + _element(f"{op}Response", response)
        for op, (request, response) in OPERATIONS.items()
    )
    error = _element(
        "Error", [("Code", True), ("Message", True), ("Line", False), ("Column", False)]
    )
    messages = "".join(
        f'<wsdl:message name="{op}Input"><wsdl:part name="parameters" element="tns:{op}"/>'
        f'</wsdl:message><wsdl:message name="{op}Output"><wsdl:part name="parameters"'
        f' element="tns:{op}Response"/></wsdl:message>'
        for op in OPERATIONS
    )
    port_operations = "".join(
        f'<wsdl:operation name="{op}"><wsdl:documentation>{_DOC[op]}</wsdl:documentation>'
        f'<wsdl:input message="tns:{op}Input"/><wsdl:output message="tns:{op}Output"/>'
        '<wsdl:fault name="Error" message="tns:ErrorFault"/></wsdl:operation>'
        for op in OPERATIONS
    )
    http = "http://schemas.xmlsoap.org/soap/http"
    where = quoteattr(location)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
        ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
        ' xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        f' xmlns:tns="{NAMESPACE}" targetNamespace="{NAMESPACE}" name="Echo">'
        "<wsdl:documentation>The clearinghouse's session functions (seed slide 88). Errors are"
        " SOAP faults whose detail holds an Error element.</wsdl:documentation>"
        f'<wsdl:types><xs:schema targetNamespace="{NAMESPACE}" elementFormDefault="qualified">'
        f"{elements}{error}</xs:schema></wsdl:types>"
        f'{messages}<wsdl:message name="ErrorFault"><wsdl:part name="fault" element="tns:Error"/>'
        "</wsdl:message>"
        f'<wsdl:portType name="EchoPortType">{port_operations}</wsdl:portType>'
        f"{_binding('EchoSoap11', 'soap', http)}{_binding('EchoSoap12', 'soap12', http)}"
        '<wsdl:service name="EchoService">'
        f'<wsdl:port name="EchoSoap11" binding="tns:EchoSoap11"><soap:address location={where}/>'
        "</wsdl:port>"
        f'<wsdl:port name="EchoSoap12" binding="tns:EchoSoap12">'
        f"<soap12:address location={where}/></wsdl:port>"
        "</wsdl:service></wsdl:definitions>"
    )
