"""clearinghouse-client: the clearinghouse's message interface from Python, without XML.

A :class:`Session` carries the seven session functions (login, logout, perform, identify,
provider and user context, remove) and one object per service — ``catalog``, ``orders``,
``accounts``, ``registration``, ``groups``, ``provider_profile``, ``provider_orders``,
``admin`` — whose methods take and return the dataclasses of :mod:`clearinghouse_client.values`.
:class:`Query` builds AQL; :mod:`clearinghouse_client.errors` has one exception class per server
error code::

    from clearinghouse_client import Query, Session

    with Session("http://localhost:5000", client_id="my-portal") as session:
        session.login("alice", password)
        query = Query.granules().provider("PODAAC").cloud_cover(0, 10)
        results = session.catalog.search(query)
        print(results.hits())
        for granule in results:
            print(granule.item_id, granule.granule_ur)
"""

from clearinghouse_client.errors import (
    AccessDenied,
    AccountLocked,
    ClearinghouseError,
    Conflict,
    ConnectionFailed,
    Forbidden,
    IllegalStateChange,
    InvalidOptionSelection,
    InvalidValue,
    InvalidXML,
    NotAuthenticated,
    NotFound,
    NotLoggedIn,
    SessionExpired,
)
from clearinghouse_client.query import Query
from clearinghouse_client.services.orders import Order, WaitFailed
from clearinghouse_client.session import Session
from clearinghouse_client.transport import NO_RETRY, RetryPolicy
from clearinghouse_client.values import (
    Acceptance,
    AccessRule,
    Address,
    Collection,
    Granule,
    Group,
    OptionDefinition,
    OptionSelection,
    OrderItem,
    OrderPolicy,
    Phone,
    ProviderOrder,
    ProviderProfile,
    Quote,
    StatusMessage,
    User,
)

__all__ = [
    "NO_RETRY",
    "Acceptance",
    "AccessDenied",
    "AccessRule",
    "AccountLocked",
    "Address",
    "ClearinghouseError",
    "Collection",
    "Conflict",
    "ConnectionFailed",
    "Forbidden",
    "Granule",
    "Group",
    "IllegalStateChange",
    "InvalidOptionSelection",
    "InvalidValue",
    "InvalidXML",
    "NotAuthenticated",
    "NotFound",
    "NotLoggedIn",
    "OptionDefinition",
    "OptionSelection",
    "Order",
    "OrderItem",
    "OrderPolicy",
    "Phone",
    "ProviderOrder",
    "ProviderProfile",
    "Query",
    "Quote",
    "RetryPolicy",
    "Session",
    "SessionExpired",
    "StatusMessage",
    "User",
    "WaitFailed",
]
