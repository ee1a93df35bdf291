"""OSEO refusals: each one an OWS ``exceptionCode``, an optional ``locator`` and an HTTP status.

The codes, as OGC 06-141r6 (OSEO 1.0, the "Exceptions" clause of each operation) and OWS Common 2.0
(OGC 06-121r9, table 27) spell them:

=============================  ======  ====================================================
exceptionCode                  status  locator
=============================  ======  ====================================================
OperationNotSupported          400     the operation's name
MissingParameterValue          400     the missing parameter
InvalidParameterValue          400     the parameter with the invalid value
VersionNegotiationFailed       400     none
OptionNotSupported             400     the option (e.g. ``encoding``)
NoApplicableCode               500     none (400 for a request that is not XML/not OSEO)
AuthenticationFailed           401     ``identity_token`` (as the OSEO tables give it)
AuthorizationFailed            403     the refused resource, if any
InvalidOrderIdentifier         404     ``orderId``
UnsupportedCollection          400     ``collectionId``
ProductUnavailable             404     the product ``identifier``
InvalidNotificationValue       400     ``ws-address`` (statusNotification without ReplyTo)
ProductOrderingNotSupported    400     ``orderType``
SubscriptionNotSupported       400     ``orderType``
FutureProductNotSupported      400     ``orderType``
=============================  ======  ====================================================

The last three are the order-type refusals OSEO servers use (pyoseo spells them so); our
Capabilities announce product orders only.
"""

from __future__ import annotations

from clearinghouse.errors import ClearinghouseError


class OseoError(ClearinghouseError):
    code = "NoApplicableCode"
    status = 500
    #: The locator a refusal of this kind names unless told another.
    locator: str | None = None

    def __init__(self, message: str, *, locator: str | None = None, status: int | None = None):
        super().__init__(message)
        if locator is not None:
            self.locator = locator
        if status is not None:  # an instance may answer otherwise than its class
            self.status = status

    @property
    def server_side(self) -> bool:
        """Whether the fault is the server's (SOAP Receiver/Server) rather than the client's."""
        return self.status >= 500


class OperationNotSupported(OseoError):
    """An operation this server does not offer: the notification ones (WS-N Subscribe, Notify...)
    and the callbacks a server sends but never receives (GetQuotationResponse, SubmitResponse,
    CancelResponse, the acks...)."""

    code = "OperationNotSupported"
    status = 400


class MissingParameterValue(OseoError):
    code = "MissingParameterValue"
    status = 400


class InvalidParameterValue(OseoError):
    code = "InvalidParameterValue"
    status = 400


class VersionNegotiationFailed(OseoError):
    code = "VersionNegotiationFailed"
    status = 400


class OptionNotSupported(OseoError):
    code = "OptionNotSupported"
    status = 400


class NoApplicableCode(OseoError):
    """500 by default; malformed XML or a document that is no OSEO request passes status=400."""

    code = "NoApplicableCode"
    status = 500


class AuthenticationFailed(OseoError):
    code = "AuthenticationFailed"
    status = 401
    locator = "identity_token"


class AuthorizationFailed(OseoError):
    code = "AuthorizationFailed"
    status = 403


class InvalidOrderIdentifier(OseoError):
    code = "InvalidOrderIdentifier"
    status = 404
    locator = "orderId"


class UnsupportedCollection(OseoError):
    code = "UnsupportedCollection"
    status = 400
    locator = "collectionId"


class ProductUnavailable(OseoError):
    code = "ProductUnavailable"
    status = 404


class InvalidNotificationValue(OseoError):
    """statusNotification Final/All asked without a usable wsa:ReplyTo address."""

    code = "InvalidNotificationValue"
    status = 400
    locator = "ws-address"


class ProductOrderingNotSupported(OseoError):
    code = "ProductOrderingNotSupported"
    status = 400


class SubscriptionNotSupported(OseoError):
    code = "SubscriptionNotSupported"
    status = 400


class FutureProductNotSupported(OseoError):
    code = "FutureProductNotSupported"
    status = 400


#: Every concrete refusal, for tests and for the fault mapping's documentation.
ALL: tuple[type[OseoError], ...] = (
    OperationNotSupported,
    MissingParameterValue,
    InvalidParameterValue,
    VersionNegotiationFailed,
    OptionNotSupported,
    NoApplicableCode,
    AuthenticationFailed,
    AuthorizationFailed,
    InvalidOrderIdentifier,
    UnsupportedCollection,
    ProductUnavailable,
    InvalidNotificationValue,
    ProductOrderingNotSupported,
    SubscriptionNotSupported,
    FutureProductNotSupported,
)
