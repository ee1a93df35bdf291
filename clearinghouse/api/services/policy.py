"""A provider's profile and order policy as messages carry them (ProviderProfileService and
AdministrationService share it)."""

from __future__ import annotations

from lxml import etree

from clearinghouse.accounts.models import OrderMode, Provider
from clearinghouse.accounts.services import check_email, order_policy
from clearinghouse.api.messages import E, Fields, boolean_text
from clearinghouse.outbound import Policy


def read_profile(fields: Fields, outbound: Policy) -> dict:
    """Name, ContactEmail and OrderPolicy, as provider columns (only those given); the endpoint
    must be where the server may send requests (``outbound``)."""
    values: dict = {}
    name = fields.text("Name", max_length=200)
    if name is not None:
        values["name"] = name
    email = fields.text("ContactEmail", max_length=320)
    if email is not None:
        values["contact_email"] = check_email(email)
    policy = fields.child("OrderPolicy")
    if policy is not None:
        transactions = policy.child("SupportedTransactions")
        values.update(
            order_policy(
                endpoint=policy.text("Endpoint", max_length=2000),
                mode=policy.choice("Mode", [m.value for m in OrderMode]),
                retry_attempts=policy.integer("RetryAttempts", maximum=100),
                retry_wait=policy.integer("RetryWaitSeconds", maximum=7 * 24 * 3600),
                transactions=None
                if transactions is None
                else [t.upper() for t in transactions.texts("Transaction")],
                outbound=outbound,
            )
        )
    return values


def profile_element(provider: Provider) -> etree._Element:
    policy = E.OrderPolicy()
    if provider.order_endpoint:
        policy.append(E.Endpoint(provider.order_endpoint))
    policy.extend(
        [
            E.Mode(provider.order_mode.value),
            E.RetryAttempts(str(provider.retry_attempts)),
            E.RetryWaitSeconds(str(provider.retry_wait_seconds)),
            E.SupportedTransactions(*(E.Transaction(t) for t in provider.supported_transactions)),
        ]
    )
    return E.ProviderProfile(
        E.ProviderId(provider.provider_id),
        E.Name(provider.name or ""),
        E.ContactEmail(provider.contact_email),
        E.Active(boolean_text(provider.active)),
        E.IngestPaused(boolean_text(provider.ingest_paused)),
        policy,
    )
