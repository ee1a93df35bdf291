"""A partner's own provider orders (ProviderOrderManagementService and any later door for
partners): finding one to act on, and the URLs where its user fetches what was ordered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.changes import MAX_ACCESS_URLS
from broker.events import change, record
from broker.models import Order, ProviderOrder
from broker.orders import order_key
from clearinghouse.errors import InvalidValue, NotFound

URL_SCHEMES = ("http://", "https://", "ftp://", "ftps://", "s3://")


def find_provider_order(
    session: Session, provider_id: str, guid: str, *, field: str = "ECHOOrderID"
) -> tuple[ProviderOrder, Order]:
    """Provider ``provider_id``'s part of order ``guid`` (given in ``field``), locked for the
    change the partner is making; another provider's part is as absent as a missing order."""
    found = session.execute(
        select(ProviderOrder, Order)
        .join(Order, Order.id == ProviderOrder.order_id)
        .where(Order.guid == order_key(guid, field=field), ProviderOrder.provider_id == provider_id)
        .with_for_update(of=ProviderOrder)
    ).first()
    if found is None:
        raise NotFound(f"provider {provider_id} has no order {guid}")
    return found[0], found[1]


def add_access_urls(
    session: Session, po: ProviderOrder, urls: list[str], *, field: str = "URL"
) -> None:
    """Add the URLs a partner reports (each once, the first ``MAX_ACCESS_URLS`` kept); every one
    must be a URL of a scheme a user can fetch from, or none is added."""
    for url in urls:
        if not url.lower().startswith(URL_SCHEMES):
            raise InvalidValue(f"{field}: {url!r} is not a URL")
    merged = list(dict.fromkeys([*po.access_urls, *urls]))[:MAX_ACCESS_URLS]
    record(session, [(po, change(po, access_urls=merged))])
