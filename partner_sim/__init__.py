"""A partner simulator: a real HTTP server speaking the partner side of the order protocol.

The broker POSTs ``QuoteProviderOrderRequest``, ``SubmitProviderOrderRequest`` or
``CancelProviderOrderRequest`` (``dtd/PartnerRequest.dtd``) to a partner's endpoint (CONTRACT §7.2;
seed slides 73-80). A *sync* partner answers with the outcome (``dtd/PartnerAnswer.dtd``); an
*async* partner answers with the acknowledgement only and reports the outcome later by calling the
broker's ECHO API (login, provider context, ``ProviderOrderManagementService`` messages,
``dtd/ProviderOrderManagementService.dtd``). A partner that accepted a submission "processes" the
order and closes it after a while with ``CloseProviderOrderRequest``, unless a cancel came first.

One :class:`PartnerSimulator` serves several partners at once, each at ``/{ProviderID}`` with its
own :class:`Behaviour` (failure rate, delay, rejections, tracking ids...) and broker credentials,
so that one process can play every partner of a benchmark. It remembers the answer it gave to each
``RequestId`` and gives it again, without acting twice, when the broker retries.

It is test equipment, not part of the product: nothing of ``clearinghouse``, ``ingest`` or
``broker`` imports it (tests/test_layers.py). By role: :mod:`partner_sim.server` (HTTP, the
simulator), :mod:`partner_sim.partner` (one partner's behaviour and state),
:mod:`partner_sim.callbacks` (calls into the broker), :mod:`partner_sim.documents` (what is read
and written), :mod:`partner_sim.cli` (the command line).

Run it from the command line with ``python -m partner_sim``, or embed it::

    with PartnerSimulator() as sim:
        sim.add_partner("ORNL", Behaviour(mode="sync"))
        endpoint = sim.url("ORNL")
"""

from partner_sim.cli import partner_sim, run
from partner_sim.documents import LineItem
from partner_sim.partner import Behaviour, Callback, Received
from partner_sim.server import ANY_PROVIDER, PartnerSimulator

__all__ = [
    "ANY_PROVIDER",
    "Behaviour",
    "Callback",
    "LineItem",
    "PartnerSimulator",
    "Received",
    "partner_sim",
    "run",
]
