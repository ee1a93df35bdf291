"""What the broker tells the doors about provider orders, without knowing which doors exist.

A door (OSEO, say) subscribes where the processes are assembled (``clearinghouse.doors``): to
``changed``, called in the transaction that changed provider orders' states, so what it records
commits or rolls back with the change; and to ``worker_jobs``, the jobs the broker worker runs
beside dispatch (telling the door's clients what became of their orders).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy.orm import Session

from clearinghouse.config import Settings
from clearinghouse.db import Database


@dataclasses.dataclass(frozen=True)
class Changed:
    """Provider orders whose state one transaction changed, and the orders they belong to."""

    order_ids: frozenset[int]
    provider_order_ids: frozenset[int]


Subscriber = Callable[[Session, Changed], None]
#: Given the worker's database and settings, a job: called again and again, it returns how much it
#: did (0: the worker waits a little before calling it again).
JobFactory = Callable[[Database, Settings], Callable[[], int]]

_subscribers: list[Subscriber] = []
_jobs: list[JobFactory] = []


def subscribe(subscriber: Subscriber) -> None:
    """Have ``subscriber`` called at every state change (once, however often subscribed)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def run_in_worker(factory: JobFactory) -> None:
    """Have every broker worker started from now on run the job ``factory`` makes."""
    if factory not in _jobs:
        _jobs.append(factory)


def announce(session: Session, changed: Changed) -> None:
    if changed.provider_order_ids:
        for subscriber in _subscribers:
            subscriber(session, changed)


def worker_jobs(db: Database, settings: Settings) -> list[Callable[[], int]]:
    return [factory(db, settings) for factory in _jobs]
