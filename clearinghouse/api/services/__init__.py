"""The Perform services; importing this package registers their transactions in ``REGISTRY``."""

from clearinghouse.api.services import (  # noqa: F401
    administration,
    catalog,
    groups,
    provider_profile,
    registration,
    user_account,
)
