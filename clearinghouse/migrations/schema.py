"""Every model of every package, imported so that the metadata (and Alembic) sees them all.

It lives with the migrations, the one part that needs the whole schema: ``clearinghouse.db`` is
below the domains and imports none of them."""

from broker import models as broker_models
from clearinghouse.accounts import models as account_models
from clearinghouse.catalog import models as catalog_models
from clearinghouse.db import heartbeats as heartbeat_models
from clearinghouse.db.base import Base
from clearinghouse.oseo import models as oseo_models
from ingest import models as ingest_models

__all__ = [
    "Base",
    "account_models",
    "broker_models",
    "catalog_models",
    "heartbeat_models",
    "ingest_models",
    "oseo_models",
]
