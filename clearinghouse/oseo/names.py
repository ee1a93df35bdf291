"""Namespaces of the OSEO 1.0 interface and an element maker per namespace.

Every OSEO document we build maps the OSEO namespace as the default one (as the official samples
do), with ``ows``, ``swe`` and ``xlink`` prefixes where those appear. Option values inside
``ParameterData/values`` live in :data:`OPTIONS`, a namespace of ours (see below).
"""

from __future__ import annotations

from lxml.builder import ElementMaker

OSEO = "http://www.opengis.net/oseo/1.0"
OWS = "http://www.opengis.net/ows/2.0"
SWE = "http://www.opengis.net/swe/2.0"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSA = "http://www.w3.org/2005/08/addressing"
#: The pre-standard WS-Addressing namespace some SOAP stacks still send (read, never written).
WSA_2004 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#: WS-BaseNotification: Subscribe, Notify... (the OSEO notification operations; refused).
WSN = "http://docs.oasis-open.org/wsn/b-2"

#: The namespace of the option elements inside ``ParameterData/values`` in the documents we write:
#: one element per selected option, named by :func:`clearinghouse.oseo.options.ncname` of the
#: option's name, complex options nested. Requests may use any namespace (the official samples use
#: ``http://www.opengis.net/oseo/1.0/dataset``): only local names are read.
OPTIONS = "urn:clearinghouse:oseo:options"

# WS-Security UsernameToken password types (OASIS UsernameToken Profile 1.0).
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)

#: ReplyTo addresses that mean "no callback address" (answer on this connection, or nowhere).
WSA_NO_ADDRESS = frozenset(
    {
        f"{WSA}/anonymous",
        f"{WSA}/none",
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
    }
)

E_OSEO = ElementMaker(namespace=OSEO, nsmap={None: OSEO})
E_OWS = ElementMaker(namespace=OWS, nsmap={"ows": OWS})
E_SWE = ElementMaker(namespace=SWE, nsmap={"swe": SWE})
E_SOAP11 = ElementMaker(namespace=SOAP11, nsmap={"soap": SOAP11})
E_SOAP12 = ElementMaker(namespace=SOAP12, nsmap={"env": SOAP12})
E_WSA = ElementMaker(namespace=WSA, nsmap={"wsa": WSA})


def qname(namespace: str, local: str) -> str:
    """Clark notation, as lxml spells element names: ``{namespace}local``."""
    return f"{{{namespace}}}{local}"
