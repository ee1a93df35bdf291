"""The broker's provider order states as OSEO's nine statuses, item by item and for the order.

Every item of one provider order has that provider order's status:

| provider order state | OSEO status | additional status info |
|---|---|---|
| NOT_VALIDATED … QUOTE_REJECTED (quotations), SUBMITTING | Submitted | the state |
| PROCESSING | InProduction | the partner's last message |
| CANCELLING | InProduction | cancellation requested |
| CLOSED | Completed | |
| CANCELLED, DELETED | Cancelled | |
| SUBMIT_REJECTED | Cancelled | rejected by the partner |
| SUBMIT_FAILED | Failed | the partner could not be reached |

The order's status: its items' one status when they agree; otherwise, while any item is open,
InProduction if one is in production, else Accepted (part of it reached its partners); once all
are closed, Completed if any item completed, else Failed if any failed, else Cancelled.
Suspended, Terminated and Downloaded are never reported: the broker has no such states (a
partner's data is fetched from the partner, unseen by the broker).
"""

from __future__ import annotations

from broker.models import ProviderOrderState as S

STATUSES = (
    "Submitted",
    "Accepted",
    "InProduction",
    "Suspended",
    "Cancelled",
    "Completed",
    "Failed",
    "Terminated",
    "Downloaded",
)
FINAL = frozenset({"Cancelled", "Completed", "Failed", "Terminated"})

ITEM_STATUS = {
    **{
        s: "Submitted"
        for s in (
            S.NOT_VALIDATED,
            S.VALIDATED,
            S.QUOTING,
            S.QUOTED,
            S.QUOTE_FAILED,
            S.QUOTE_REJECTED,
            S.SUBMITTING,
        )
    },
    S.PROCESSING: "InProduction",
    S.CANCELLING: "InProduction",
    S.CLOSED: "Completed",
    S.CANCELLED: "Cancelled",
    S.DELETED: "Cancelled",
    S.SUBMIT_REJECTED: "Cancelled",
    S.SUBMIT_FAILED: "Failed",
}
INFO = {
    S.CANCELLING: "cancellation requested",
    S.SUBMIT_REJECTED: "rejected by the partner",
    S.SUBMIT_FAILED: "the partner could not be reached",
}


def item_status(state: S) -> str:
    return ITEM_STATUS[state]


def order_status(states: list[S]) -> str:
    statuses = {ITEM_STATUS[s] for s in states}
    if not statuses:
        return "Submitted"
    if len(statuses) == 1:
        return statuses.pop()
    if statuses - FINAL:  # some item still open
        return "InProduction" if "InProduction" in statuses else "Accepted"
    for status in ("Completed", "Failed"):
        if status in statuses:
            return status
    return "Cancelled"
