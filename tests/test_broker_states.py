"""The provider order state machine (CONTRACT §7.1, seed slide 72) as a table."""

from __future__ import annotations

import pytest

from broker.models import ProviderOrderState as S
from broker.states import CLOSED, PARTNER_UPDATES, TRANSITIONS, Event, next_state, update_event
from clearinghouse.errors import IllegalStateChange

CONTRACT_OPEN = {
    "NOT_VALIDATED",
    "VALIDATED",
    "QUOTING",
    "QUOTED",
    "QUOTE_FAILED",
    "QUOTE_REJECTED",
    "SUBMITTING",
    "PROCESSING",
    "CANCELLING",
}
CONTRACT_CLOSED = {"DELETED", "SUBMIT_FAILED", "SUBMIT_REJECTED", "CANCELLED", "CLOSED"}


def test_the_states_are_the_contracts_exact_names():
    assert {s.value for s in S} == CONTRACT_OPEN | CONTRACT_CLOSED
    assert {s.value for s in CLOSED} == CONTRACT_CLOSED


def test_closed_states_have_no_way_out_and_every_open_state_is_reachable_and_left():
    assert not [edge for edge in TRANSITIONS if edge[0] in CLOSED]
    targets = set(TRANSITIONS.values())
    sources = {state for state, _ in TRANSITIONS}
    assert {s for s in S if s is not S.NOT_VALIDATED} <= targets  # NOT_VALIDATED: CreateOrder
    assert {s for s in S if s not in CLOSED} <= sources


@pytest.mark.parametrize(
    ("path", "end"),
    [
        (
            [
                Event.VALIDATE,
                Event.QUOTE,
                Event.SUPPLY_QUOTE,
                Event.SUBMIT,
                Event.ACCEPT_SUBMISSION,
                Event.CLOSE,
            ],
            S.CLOSED,
        ),
        (
            [
                Event.VALIDATE,
                Event.SUBMIT,
                Event.ACCEPT_SUBMISSION,
                Event.CANCEL,
                Event.ACCEPT_CANCELLATION,
            ],
            S.CANCELLED,
        ),
        (
            [
                Event.VALIDATE,
                Event.SUBMIT,
                Event.ACCEPT_SUBMISSION,
                Event.CANCEL,
                Event.REJECT_CANCELLATION,
                Event.CLOSE,
            ],
            S.CLOSED,
        ),
        (
            [
                Event.VALIDATE,
                Event.QUOTE,
                Event.REJECT_QUOTE,
                Event.EDIT,
                Event.VALIDATE,
                Event.SUBMIT,
                Event.REJECT_SUBMISSION,
            ],
            S.SUBMIT_REJECTED,
        ),
        (
            [Event.VALIDATE, Event.QUOTE, Event.QUOTE_FAILED, Event.SUBMIT, Event.SUBMIT_FAILED],
            S.SUBMIT_FAILED,
        ),
        ([Event.VALIDATE, Event.QUOTE, Event.SUPPLY_QUOTE, Event.DELETE], S.DELETED),
    ],
)
def test_the_seeds_paths(path, end):
    state = S.NOT_VALIDATED
    for event in path:
        state = next_state(state, event)
    assert state is end


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.NOT_VALIDATED, Event.SUBMIT),  # validated first (SubmitOrder validates on its own)
        (S.QUOTING, Event.SUBMIT),
        (S.SUBMITTING, Event.CANCEL),
        (S.PROCESSING, Event.EDIT),
        (S.PROCESSING, Event.DELETE),
        (S.QUOTED, Event.SUPPLY_QUOTE),
        (S.CLOSED, Event.CANCEL),
        (S.CANCELLED, Event.CLOSE),
    ],
)
def test_an_illegal_change_is_a_409_naming_the_state(state, event):
    with pytest.raises(IllegalStateChange) as raised:
        next_state(state, event)
    assert raised.value.status == 409
    assert state.value in raised.value.message and event.value in raised.value.message


def test_update_provider_order_state_takes_partner_edges_only():
    assert update_event(S.SUBMITTING, S.PROCESSING) is Event.ACCEPT_SUBMISSION
    assert update_event(S.CANCELLING, S.PROCESSING) is Event.REJECT_CANCELLATION
    assert update_event(S.PROCESSING, S.CLOSED) is Event.CLOSE
    assert all(target is not S.QUOTED for _, target in PARTNER_UPDATES)  # a quote needs prices
    for state, target in [
        (S.QUOTING, S.QUOTED),
        (S.NOT_VALIDATED, S.VALIDATED),
        (S.CLOSED, S.PROCESSING),
        (S.PROCESSING, S.DELETED),
    ]:
        with pytest.raises(IllegalStateChange):
            update_event(state, target)
