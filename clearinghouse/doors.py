"""The doors' subscriptions to the broker, made once in every process that may change a provider
order (the HTTP API, the broker worker, the CLI's commands): the broker announces, the doors
listen, and no broker module imports a door."""

from __future__ import annotations


def assemble() -> None:
    from clearinghouse.oseo import subscription

    subscription.subscribe()
