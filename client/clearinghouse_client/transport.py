"""Carrying messages to ``POST /echo/<function>`` and back, with one declared retry policy.

Only failures that leave nothing done on the server are retried: a connection that could not be
made (refused, unresolvable, timed out while connecting) and a 503 (the server's database away,
so no transaction committed). Anything else is answered once: sending a Perform twice could
order twice.
"""

from __future__ import annotations

import dataclasses
import time

import requests
from lxml import etree

from clearinghouse_client import errors
from clearinghouse_client.xml import serialize

TOKEN_HEADER = "Echo-Token"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried: up to ``attempts`` tries in all, waiting ``wait``
    seconds before the second, multiplied by ``backoff`` each time, never more than ``max_wait``.
    ``statuses`` are the HTTP statuses taken as transient."""

    attempts: int = 4
    wait: float = 0.25
    backoff: float = 2.0
    max_wait: float = 5.0
    statuses: frozenset[int] = frozenset({503})

    def waits(self):
        """The pauses between tries, in order."""
        pause = self.wait
        for _ in range(self.attempts - 1):
            yield min(pause, self.max_wait)
            pause *= self.backoff


#: What a Session uses unless told otherwise.
DEFAULT_RETRY = RetryPolicy()
#: No retry at all.
NO_RETRY = RetryPolicy(attempts=1)


class Transport:
    """One HTTP connection pool to one server; sends documents, returns parsed answers."""

    def __init__(self, url: str, *, retry: RetryPolicy = DEFAULT_RETRY, timeout: float = 60.0):
        self.url = url.rstrip("/")
        self.retry = retry
        self.timeout = timeout
        self._http = requests.Session()
        self._http.headers["Content-Type"] = "application/xml; charset=utf-8"

    def __repr__(self) -> str:
        return f"Transport({self.url!r})"

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def call(
        self, function: str, document: etree._Element | bytes | None, token: str | None
    ) -> etree._Element:
        """``POST /echo/<function>`` with the document; the answer's root element, or the
        server's error raised as its class."""
        body = b"" if document is None else serialize(document)
        headers = {TOKEN_HEADER: token} if token else {}
        waits = self.retry.waits()
        while True:
            try:
                response = self._http.post(
                    f"{self.url}/echo/{function}", data=body, headers=headers, timeout=self.timeout
                )
            except requests.exceptions.ConnectionError as exc:
                if not _never_sent(exc):
                    raise errors.ConnectionFailed(
                        f"{self.url}: the connection broke: {exc}"
                    ) from None
                pause = next(waits, None)
                if pause is None:
                    raise errors.ConnectionFailed(
                        f"{self.url} cannot be reached ({_reason(exc)}); tried"
                        f" {self.retry.attempts} times"
                    ) from None
                time.sleep(pause)
                continue
            except requests.exceptions.RequestException as exc:
                raise errors.ConnectionFailed(f"{self.url}: {_reason(exc)}") from None
            if response.status_code in self.retry.statuses:
                pause = next(waits, None)
                if pause is not None:
                    time.sleep(pause)
                    continue
            return _read(response)


def _read(response: requests.Response) -> etree._Element:
    if response.status_code != 200:
        raise errors.from_answer(
            response.status_code, response.content, response.headers.get("Retry-After")
        )
    try:
        root = etree.fromstring(response.content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.UnexpectedAnswer(f"the answer is not XML: {exc}", status=200) from None
    if root is None:
        raise errors.UnexpectedAnswer("the answer is empty", status=200)
    return root


def _never_sent(exc: BaseException) -> bool:
    """Whether the connection failed before the request left (so retrying cannot repeat it)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        name = type(current).__name__
        if name in ("NewConnectionError", "NameResolutionError") or isinstance(
            current, ConnectionRefusedError
        ):
            return True
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__
