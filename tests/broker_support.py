"""Ordering in tests: partners with a catalog and an order endpoint, their users, and the
OrderEntryService and ProviderOrderManagementService calls."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.dispatch import Dispatcher
from clearinghouse.accounts.models import Provider
from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.catalog.models import Collection, Granule
from ingest.pipeline import ingest_file
from tests.api_support import PASSWORD, act_for, answer, login, perform, performed
from tests.conftest import OUTBOUND
from tests.ingest_support import collection, granule, wrap, write

ORDERS = "OrderEntryService"
PARTNER = "ProviderOrderManagementService"
PROFILE = "ProviderProfileService"

#: Seed slide 69's MediaType option.
MEDIA_TYPE = """<OptionDefinition><ComplexOption><Name>MediaType</Name><Type>CHOICE</Type>
  <ComplexOption><Name>FTPPush</Name><Type>STRUCTURE</Type>
    <SimpleOption><Name>FTPDir</Name><PrimitiveType>String</PrimitiveType>
      <MinValue>1</MinValue><MaxValue>100</MaxValue></SimpleOption>
    <SimpleOption><Name>UserName</Name><PrimitiveType>String</PrimitiveType>
      <MinValue>1</MinValue><MaxValue>50</MaxValue></SimpleOption>
    <SimpleOption><Name>Password</Name><Encrypted>Yes</Encrypted>
      <PrimitiveType>String</PrimitiveType><MinValue>1</MinValue><MaxValue>50</MaxValue>
    </SimpleOption>
    <SimpleOption><Name>Compressed</Name><PrimitiveType>String</PrimitiveType>
      <Valids><Valid>UnixCompress</Valid><Valid>GZip</Valid></Valids></SimpleOption>
  </ComplexOption>
  <ComplexOption><Name>CD</Name><Type>STRUCTURE</Type>
    <SimpleOption><Name>Copies</Name><PrimitiveType>Integer</PrimitiveType>
      <MinValue>1</MinValue><MaxValue>5</MaxValue></SimpleOption>
  </ComplexOption>
</ComplexOption></OptionDefinition>"""

SECRET = "s3cret-Pa55"


def ftp_push(password: str = SECRET, compressed: str = "GZip", user: str = "mia") -> str:
    return (
        "<OptionSelection><ComplexOptionSelection><OptionName>MediaType</OptionName>"
        "<ComplexValue><ComplexOptionSelection><OptionName>FTPPush</OptionName><ComplexValue>"
        "<SimpleOptionSelection><OptionName>FTPDir</OptionName><Value>/in</Value>"
        "</SimpleOptionSelection><SimpleOptionSelection><OptionName>UserName</OptionName>"
        f"<Value>{user}</Value></SimpleOptionSelection><SimpleOptionSelection>"
        f"<OptionName>Password</OptionName><Value>{password}</Value></SimpleOptionSelection>"
        "<SimpleOptionSelection><OptionName>Compressed</OptionName>"
        f"<Value>{compressed}</Value></SimpleOptionSelection></ComplexValue>"
        "</ComplexOptionSelection></ComplexValue></ComplexOptionSelection></OptionSelection>"
    )


def partner(
    db,
    session: Session,
    tmp_path: Path,
    provider_id: str,
    *,
    endpoint: str | None,
    mode: str = "sync",
    granules: int = 2,
    retry_attempts: int = 2,
    retry_wait: int = 0,
    transactions: list[str] | None = None,
) -> list[str]:
    """A partner with one collection and some granules; its catalog item ids (C…, G…)."""
    add_provider(
        session,
        provider_id,
        email=f"ops@{provider_id.lower()}.example.org",
        ftp_password="ftp password 1",
        endpoint=endpoint,
        mode=mode,
        retry_attempts=retry_attempts,
        retry_wait=retry_wait,
        transactions=transactions,
        outbound=OUTBOUND,
    )
    add_user(
        session,
        f"{provider_id.lower()}-ops",
        password=PASSWORD,
        email=f"desk@{provider_id.lower()}.example.org",
        providers=[provider_id],
    )
    session.commit()
    files = [
        ("CollectionMetaDataFile", {"Collections": [collection("C1", dataset=f"{provider_id} 1")]}),
        (
            "GranuleMetaDataFile",
            {
                "Granules": [
                    granule(f"{provider_id}.G{n}", dataset=f"{provider_id} 1")
                    for n in range(granules)
                ]
            },
        ),
    ]
    for number, (root, sections) in enumerate(files):
        path = write(tmp_path, f"{provider_id}-{number}.xml", wrap(root, sections))
        report = ingest_file(db, path, provider_id)
        assert report.processed == report.inserted, report.text
    ids = [
        f"C{c}-{provider_id}"
        for c in session.scalars(select(Collection.id).where(Collection.provider_id == provider_id))
    ]
    ids += [
        f"G{g}-{provider_id}"
        for g in session.scalars(
            select(Granule.id).where(Granule.provider_id == provider_id).order_by(Granule.id)
        )
    ]
    return ids


def point_at(session: Session, provider_id: str, endpoint: str) -> None:
    session.get(Provider, provider_id).order_endpoint = endpoint
    session.commit()


def item(catalog_item_id: str, quantity: int = 1, selection: str = "") -> str:
    return (
        f"<OrderItem><CatalogItemId>{catalog_item_id}</CatalogItemId>"
        f"<Quantity>{quantity}</Quantity>{selection}</OrderItem>"
    )


def order_call(client, token: str, transaction: str, body: str = "", *, guid: str | None = None):
    inner = (f"<OrderId>{guid}</OrderId>" if guid else "") + body
    return perform(client, token, ORDERS, f"<{transaction}Request>{inner}</{transaction}Request>")


def ordered(client, token: str, transaction: str, body: str = "", *, guid: str | None = None):
    root = answer(order_call(client, token, transaction, body, guid=guid))
    assert root.tag == ORDERS
    return root[0]


def create(client, token: str, *items: str) -> str:
    return ordered(client, token, "CreateOrder", "".join(items)).findtext("Order/OrderId")


def states(client, token: str, guid: str) -> dict[str, str]:
    order = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find("Order")
    return {po.findtext("ProviderId"): po.findtext("State") for po in order.iter("ProviderOrder")}


def provider_token(client, provider_id: str) -> str:
    token = login(client, f"{provider_id.lower()}-ops")
    assert act_for(client, token, provider_id).status_code == 200
    return token


def report(client, token: str, transaction: str, guid: str, body: str = "") -> etree._Element:
    return performed(
        client,
        token,
        PARTNER,
        f"<{transaction}Request><ECHOOrderID>{guid}</ECHOOrderID>{body}</{transaction}Request>",
    )


def quote(total: str = "12.50", expires: str = "2099-01-01T00:00:00Z") -> str:
    return (
        f"<ProviderQuote><TotalPrice>{total}</TotalPrice>"
        f"<QuoteExpirationDate>{expires}</QuoteExpirationDate></ProviderQuote>"
    )


def history(client, token: str, guid: str) -> list[str]:
    """The order's status messages, oldest first."""
    return [m.findtext("Message") for m in ordered(client, token, "GetStatusHistory", guid=guid)]


def drain(db, settings, *, limit: int = 50) -> int:
    """Dispatch until nothing is due, in this process; the number of attempts made."""
    dispatcher = Dispatcher(db, settings)
    made = 0
    while dispatcher.run_once():
        made += 1
        assert made < limit
    return made


class ScriptedPartner:
    """A real partner endpoint on loopback answering each POST as the test says: ``answer(path,
    body)`` gives the status and the bytes (XML) sent back."""

    def __init__(self) -> None:
        self.answer: Callable[[str, bytes], tuple[int, bytes]] = lambda path, body: (200, b"")
        partner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, reply = partner.answer(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@contextlib.contextmanager
def scripted_partner() -> Iterator[ScriptedPartner]:
    partner = ScriptedPartner()
    threading.Thread(target=partner.server.serve_forever, daemon=True).start()
    try:
        yield partner
    finally:
        partner.server.shutdown()
        partner.server.server_close()
