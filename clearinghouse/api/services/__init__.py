"""The Perform services; importing this package registers their transactions in ``REGISTRY``."""

from clearinghouse.api.services import (  # noqa: F401
    administration,
    catalog,
    groups,
    order_entry,
    provider_orders,
    provider_profile,
    registration,
    user_account,
)
