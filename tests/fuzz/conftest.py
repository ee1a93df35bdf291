"""The fuzz suite's budgets (Hypothesis profiles) and the world its requests meet.

``fuzz-ci`` (the default) is small and derandomized, so CI sees the same examples every run and
the whole suite stays within about a minute; ``fuzz`` (``make fuzz``, or
``--hypothesis-profile=fuzz``) draws many examples at random and keeps what fails in
.hypothesis/ to replay it first next time.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from clearinghouse.accounts.services import add_user
from tests.api_support import PASSWORD, login, user
from tests.broker_support import create, item, partner, provider_token

# Each example is a request against the test's database; fixtures hold the world they share.
_CHECKS = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
]
settings.register_profile(
    "fuzz-ci",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_CHECKS,
    print_blob=True,
)
settings.register_profile(
    "fuzz",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=_CHECKS,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    print_blob=True,
)


@dataclasses.dataclass
class World:
    """Who may call (tokens by role, None for a guest) and values valid here, by element name."""

    tokens: dict[str, str | None]
    known: dict[str, list[str]]


@pytest.fixture
def world(client, db, session, tmp_path) -> World:
    """A partner with a collection and granules, its desk user, a user with an order, an
    administrator; each logged in."""
    ids = partner(db, session, tmp_path, "FUZZP", endpoint="http://127.0.0.1:9/orders")
    user(session, "mia")
    add_user(session, "root", password=PASSWORD, email="root@example.org", admin=True)
    session.commit()
    tokens = {
        "guest": None,
        "user": login(client, "mia"),
        "admin": login(client, "root"),
        "provider": provider_token(client, "FUZZP"),
    }
    guid = create(client, tokens["user"], item(ids[1]))
    names = ["mia", "fuzzp-ops", "root"]
    known = {
        "OrderId": [guid],
        "ECHOOrderID": [guid],
        "CatalogItemId": ids,
        "ProviderId": ["FUZZP"],
        "UserName": names,
        "Password": [PASSWORD],
        "NewPassword": ["another horse battery"],
        "OldPassword": [PASSWORD],
        "Name": ["MediaType", "everyone", *names],
        "Mode": ["SYNC"],
        "EmailAddress": ["x@example.org"],
        "ContactEmail": ["ops@example.org"],
        "Endpoint": ["http://127.0.0.1:9/orders"],
        "Transaction": ["QUOTE", "SUBMIT"],
        "dataSetId": ["FUZZP 1"],
        "value": ["FUZZP 1", "FUZZP.G0", "C1", "1"],
    }
    return World(tokens, known)
