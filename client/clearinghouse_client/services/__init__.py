"""One object per service, as the ECHO Façade had: each method is one transaction of
``/echo/perform``, taking and returning the values of :mod:`clearinghouse_client.values`."""

from clearinghouse_client.services.accounts import AccountService, RegistrationService
from clearinghouse_client.services.admin import AdministrationService, GroupService
from clearinghouse_client.services.catalog import CatalogService, Results
from clearinghouse_client.services.orders import Order, OrderService
from clearinghouse_client.services.provider import ProviderOrderService, ProviderProfileService

__all__ = [
    "AccountService",
    "AdministrationService",
    "CatalogService",
    "GroupService",
    "Order",
    "OrderService",
    "ProviderOrderService",
    "ProviderProfileService",
    "RegistrationService",
    "Results",
]
