"""Clients for tests/test_concurrency.py: each talks to a real server over HTTP from a loopback
address of its own (the login throttle counts per address) and checks every answer it gets is
its own. Importable by worker processes, so the same clients run as threads and as processes."""

from __future__ import annotations

import collections
import concurrent.futures
import http.client
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from lxml import etree

PASSWORD = "correct horse battery"
WRONG = "not the password"
_BOGUS = re.compile(r"Bogus_\d+_\d+")


@dataclass
class Spec:
    kind: str  # "user", "throttled" (wrong logins from a shared address) or "lockout"
    number: int
    address: str  # the loopback address the client connects from
    port: int
    seconds: float
    username: str = ""
    item: str = ""  # the catalog item id of the client's own granule
    granule_ur: str = ""


@dataclass
class Tally:
    """What one client saw: answers by status and by kind, and what was wrong."""

    number: int
    kind: str
    statuses: collections.Counter = field(default_factory=collections.Counter)
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    problems: list[str] = field(default_factory=list)


class _Client:
    def __init__(self, spec: Spec, tally: Tally):
        self.spec, self.tally = spec, tally
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str = "", token: str | None = None):
        headers = {"Content-Type": "application/xml"}
        if token:
            headers["Echo-Token"] = token
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more, fresh
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.spec.port, timeout=60, source_address=(self.spec.address, 0)
                )
            try:
                self.connection.request(method, path, body.encode(), headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            self.tally.statuses[response.status] += 1
            if response.status >= 500:
                self.problem(f"{method} {path}: {response.status} {data[:300]!r}")
            return response.status, data
        raise AssertionError("unreachable")

    def problem(self, text: str) -> None:
        self.tally.problems.append(f"client {self.spec.number} ({self.spec.kind}): {text}")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _error(data: bytes) -> tuple[str, str]:
    root = etree.fromstring(data)
    return root.findtext("Code") or "", root.findtext("Message") or ""


def _login_body(username: str, password: str) -> str:
    return (
        f"<Login><UserName>{username}</UserName><Password>{password}</Password>"
        "<ClientId>concurrency</ClientId></Login>"
    )


def run(spec: Spec) -> Tally:
    tally = Tally(spec.number, spec.kind)
    client = _Client(spec, tally)
    deadline = time.monotonic() + spec.seconds
    try:
        {"user": _user, "throttled": _throttled, "lockout": _lockout}[spec.kind](client, deadline)
    except Exception as exc:  # a client that broke down says why instead of vanishing
        client.problem(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    return tally


def run_group(specs: list[Spec]) -> list[Tally]:
    """In a worker process: several clients as threads."""
    with concurrent.futures.ThreadPoolExecutor(len(specs)) as pool:
        return list(pool.map(run, specs))


# -- a user going about its business -------------------------------------------------------------


def _user(client: _Client, deadline: float) -> None:
    n = 0
    token = _log_in(client)
    while time.monotonic() < deadline:
        for _ in range(3):  # mostly invalid messages: each one's error must stay its own
            n += 1
            _invalid_message(client, token, n)
            _invalid_login(client, n)
        _own_information(client, token)
        _own_search(client)
        _own_order(client, token)
        if n % 15 == 0:
            token = _log_in(client)
    client.tally.outcomes["rounds"] = n


def _log_in(client: _Client) -> str | None:
    status, data = client.request(
        "POST", "/echo/login", _login_body(client.spec.username, PASSWORD)
    )
    if status != 200:
        client.problem(f"login: {status} {data[:200]!r}")
        return None
    client.tally.outcomes["logins"] += 1
    return etree.fromstring(data).findtext("Token")


def _check_bogus(client: _Client, what: str, status: int, data: bytes, mine: str) -> None:
    if status != 400:
        client.problem(f"{what}: {status} instead of 400: {data[:200]!r}")
        return
    message = _error(data)[1]
    named = set(_BOGUS.findall(message))
    if named != {mine}:
        client.problem(f"{what} with <{mine}/>: the error names {sorted(named)}: {message!r}")
    else:
        client.tally.outcomes["invalid answered"] += 1


def _invalid_message(client: _Client, token: str | None, n: int) -> None:
    mine = f"Bogus_{client.spec.number}_{n}"
    body = (
        f"<OrderEntryService><CreateOrderRequest><{mine}/></CreateOrderRequest></OrderEntryService>"
    )
    status, data = client.request("POST", "/echo/perform", body, token)
    _check_bogus(client, "invalid Perform", status, data, mine)


def _invalid_login(client: _Client, n: int) -> None:
    mine = f"Bogus_{client.spec.number}_{n}"
    body = f"<Login><UserName>{client.spec.username}</UserName><{mine}/></Login>"
    status, data = client.request("POST", "/echo/login", body)
    _check_bogus(client, "invalid Login", status, data, mine)


def _own_information(client: _Client, token: str | None) -> None:
    body = "<UserAccountService><GetUserInformationRequest/></UserAccountService>"
    status, data = client.request("POST", "/echo/perform", body, token)
    if status != 200:
        client.problem(f"GetUserInformation: {status} {data[:200]!r}")
        return
    names = {e.text for e in etree.fromstring(data).iter("UserName")}
    if names != {client.spec.username}:
        client.problem(f"GetUserInformation of {client.spec.username} answered {names}")
    else:
        client.tally.outcomes["information"] += 1


def _own_search(client: _Client) -> None:
    path = f"/search/granules.json?granule_ur={quote(client.spec.granule_ur)}"
    status, data = client.request("GET", path)
    if status != 200:
        client.problem(f"search: {status} {data[:200]!r}")
        return
    titles = [entry["title"] for entry in json.loads(data)["feed"]["entry"]]
    if titles != [client.spec.granule_ur]:
        client.problem(f"search for {client.spec.granule_ur} found {titles}")
    else:
        client.tally.outcomes["searches"] += 1


def _orders(client: _Client, token: str | None, request: str) -> etree._Element | None:
    body = f"<OrderEntryService>{request}</OrderEntryService>"
    status, data = client.request("POST", "/echo/perform", body, token)
    if status != 200:
        client.problem(f"{request[:40]}: {status} {data[:200]!r}")
        return None
    return etree.fromstring(data)


def _own_order(client: _Client, token: str | None) -> None:
    item = (
        f"<OrderItem><CatalogItemId>{client.spec.item}</CatalogItemId>"
        "<Quantity>1</Quantity></OrderItem>"
    )
    created = _orders(client, token, f"<CreateOrderRequest>{item}</CreateOrderRequest>")
    if created is None:
        return
    guid = created.findtext(".//OrderId")
    found = _orders(
        client, token, f"<GetOrdersRequest><OrderId>{guid}</OrderId></GetOrdersRequest>"
    )
    if found is None:
        return
    orders = found.findall(".//Order")
    items = {e.text for e in found.iter("CatalogItemId")}
    if [o.findtext("OrderId") for o in orders] != [guid] or items != {client.spec.item}:
        client.problem(f"GetOrders {guid} with {client.spec.item}: {etree.tostring(found)!r}")
    else:
        client.tally.outcomes["orders"] += 1


# -- wrong logins --------------------------------------------------------------------------------


def _wrong_logins(client: _Client, deadline: float, username) -> None:
    n = 0
    while time.monotonic() < deadline:
        n += 1
        status, data = client.request("POST", "/echo/login", _login_body(username(n), WRONG))
        code, message = _error(data) if status != 200 else ("", "")
        if status == 429:
            client.tally.outcomes["throttled"] += 1
        elif code == "NotAuthenticated":
            client.tally.outcomes["checked"] += 1
        elif code == "AccountLocked" and "now locked" in message:
            client.tally.outcomes["checked"] += 1
            client.tally.outcomes["locked now"] += 1
        elif code == "AccountLocked":
            client.tally.outcomes["refused, locked"] += 1
        else:
            client.problem(f"a wrong login answered {status} {code}: {message}")


def _throttled(client: _Client, deadline: float) -> None:
    """Wrong logins for users that do not exist, from an address shared with other clients."""
    number = client.spec.number
    _wrong_logins(client, deadline, lambda n: f"nobody-{number}-{n}")


def _lockout(client: _Client, deadline: float) -> None:
    """Wrong passwords for one real account, each client from an address of its own."""
    _wrong_logins(client, deadline, lambda n: client.spec.username)
