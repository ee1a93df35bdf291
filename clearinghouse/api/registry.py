"""Perform's dispatch: (service, transaction) to the function that handles it.

A handler takes the call (database session, caller, settings) and the transaction's element, and
returns its response element. Each service's message is checked against ``dtd/<Service>.dtd``
before its handler runs; who may call a transaction is declared with it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable

from lxml import etree

import dtd
from clearinghouse.api.call import Call
from clearinghouse.errors import (
    Forbidden,
    InvalidXML,
    NotAuthenticated,
    UnknownService,
    UnknownTransaction,
)


class Who(enum.Enum):
    ANYONE = "anyone, guests included"
    USER = "a logged-in user"
    PROVIDER = "a user acting for a provider (SetProviderContext), or an administrator"
    ADMIN = "an administrator"


Handler = Callable[[Call, etree._Element], etree._Element]


@dataclasses.dataclass(frozen=True)
class Transaction:
    service: str
    name: str
    handler: Handler
    who: Who


class Registry:
    def __init__(self) -> None:
        self._services: dict[str, dict[str, Transaction]] = {}

    def transaction(self, service: str, name: str, *, who: Who = Who.USER):
        def register(handler: Handler) -> Handler:
            transactions = self._services.setdefault(service, {})
            if name in transactions:
                raise ValueError(f"{service}/{name} is registered twice")
            transactions[name] = Transaction(service, name, handler, who)
            return handler

        return register

    def services(self) -> dict[str, list[str]]:
        return {service: sorted(t) for service, t in sorted(self._services.items())}

    def find(self, message: etree._Element) -> tuple[Transaction, etree._Element]:
        """The transaction a message asks for, once the message follows its service's DTD."""
        service = message.tag
        transactions = self._services.get(service)
        if transactions is None:
            known = ", ".join(sorted(self._services))
            raise UnknownService(
                f"there is no service {service}; the services are {known}",
                line=message.sourceline,
            )
        requests = [child for child in message if isinstance(child.tag, str)]
        if len(requests) != 1:
            raise InvalidXML(
                f"{service} must hold exactly one transaction request, not {len(requests)}",
                line=message.sourceline,
            )
        transaction = transactions.get(requests[0].tag)
        if transaction is None:
            raise UnknownTransaction(
                f"{service} has no transaction {requests[0].tag}; it has"
                f" {', '.join(sorted(transactions))}",
                line=requests[0].sourceline,
            )
        dtd.check(f"{service}.dtd", message)
        return transaction, requests[0]

    @staticmethod
    def run(call: Call, transaction: Transaction, request: etree._Element) -> etree._Element:
        allow(call, transaction)
        response = transaction.handler(call, request)
        wrapper = etree.Element(transaction.service)
        wrapper.append(response)
        return wrapper


def allow(call: Call, transaction: Transaction) -> None:
    caller = call.caller
    who = transaction.who
    if who is Who.ANYONE:
        return
    if not caller.registered:
        raise NotAuthenticated(
            f"{transaction.service}/{transaction.name} is for {who.value}: log in first"
        )
    if who is Who.ADMIN and not caller.is_admin:
        raise Forbidden(f"{transaction.service}/{transaction.name} is for administrators only")
    if who is Who.PROVIDER and not (caller.is_admin or caller.provider_id):
        raise Forbidden(
            f"{transaction.service}/{transaction.name} is for {who.value}: call"
            " SetProviderContext first"
        )


#: The one registry; each service module adds its transactions on import.
REGISTRY = Registry()
