"""``python -m partner_sim``: play a partner (or any partner) in the foreground."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from partner_sim.documents import RESPONSES
from partner_sim.partner import Behaviour
from partner_sim.server import ANY_PROVIDER, PartnerSimulator

log = logging.getLogger(__name__)


def read_password(path: str | Path) -> str:
    """The first line of a password file (never a password on the command line)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    return lines[0] if lines else ""


def run(
    port: int,
    host: str = "127.0.0.1",
    provider_id: str | None = None,
    behaviour: Behaviour | None = None,
    broker_url: str | None = None,
    username: str | None = None,
    password_file: str | Path | None = None,
    *,
    ready: Callable[[PartnerSimulator], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM (or until ``stop`` is set).

    Without ``provider_id`` the simulator answers for any ProviderID, at / and at /{ProviderID}.
    """
    behaviour = behaviour or Behaviour()
    if broker_url and not (username and password_file):
        raise ValueError("a broker URL needs a user name and a password file")
    password = read_password(password_file) if password_file else None
    stop = stop or threading.Event()
    simulator = PartnerSimulator(host, port)
    simulator.add_partner(
        provider_id or ANY_PROVIDER,
        behaviour,
        broker_url=broker_url,
        username=username,
        password=password,
    )
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        with simulator:
            log.info(
                "partner simulator (%s) for %s at %s; callbacks %s",
                behaviour.mode,
                provider_id or "any provider",
                simulator.url(provider_id),
                "on" if broker_url else "off",
            )
            if ready is not None:
                ready(simulator)
            while not stop.wait(0.5):
                pass
            log.info("partner simulator stopping")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _transactions(ctx: click.Context, param: click.Parameter, value: str | None) -> set[str]:
    names = {v.strip().upper() for v in (value or "").split(",") if v.strip()}
    unknown = names - set(RESPONSES)
    if unknown:
        raise click.BadParameter(f"unknown {', '.join(sorted(unknown))}: QUOTE, SUBMIT, CANCEL")
    return names


@click.command("partner-sim")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--mode", type=click.Choice(["sync", "async"]), default="sync", show_default=True)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Probability that a request gets a 503.",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds to wait before answering.",
)
@click.option(
    "--provider",
    "provider_id",
    default=None,
    help="The one ProviderID to play (default: any, at / and /{ProviderID}).",
)
@click.option(
    "--broker",
    "broker_url",
    default=None,
    help="The broker's base URL, for async outcomes and CloseProviderOrder.",
)
@click.option("--user", "username", default=None, help="User to log in to the broker as.")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="File holding that user's password.",
)
@click.option(
    "--reject",
    default=None,
    callback=_transactions,
    help="Transactions to reject: QUOTE,SUBMIT,CANCEL.",
)
@click.option(
    "--unsupported",
    default=None,
    callback=_transactions,
    help="Transactions to answer 501 for: QUOTE,SUBMIT,CANCEL.",
)
@click.option(
    "--tracking-prefix", default=None, help="Replace tracking ids with PREFIX1, PREFIX2..."
)
@click.option(
    "--process-time",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Seconds from accepting a submission to closing the order.",
)
@click.option(
    "--callback-delay",
    type=click.FloatRange(0),
    default=0.1,
    show_default=True,
    help="Seconds before an async partner reports an outcome.",
)
@click.option(
    "--price",
    type=str,
    default="10.00",
    show_default=True,
    help="Price per unit of line item quantity.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --fail-rate.")
def partner_sim(
    port: int,
    host: str,
    mode: str,
    fail_rate: float,
    delay: float,
    provider_id: str | None,
    broker_url: str | None,
    username: str | None,
    password_file: str | None,
    reject: set[str],
    unsupported: set[str],
    tracking_prefix: str | None,
    process_time: float,
    callback_delay: float,
    price: str,
    seed: int,
) -> None:
    """Play a partner (or many) answering the broker's quote, submit and cancel requests."""
    try:
        unit_price = Decimal(price)
    except ArithmeticError:
        raise click.BadParameter(f"not a price: {price}", param_hint="--price") from None
    behaviour = Behaviour(
        mode=mode,  # type: ignore[arg-type]
        fail_rate=fail_rate,
        delay=delay,
        reject=reject,
        unsupported=unsupported,
        tracking_prefix=tracking_prefix,
        process_time=process_time,
        callback_delay=callback_delay,
        price=unit_price,
        seed=seed,
    )
    if broker_url and not (username and password_file):
        raise click.UsageError("--broker needs --user and --password-file")
    try:
        run(port, host, provider_id, behaviour, broker_url, username, password_file)
    except OSError as exc:  # the port is taken, the password file unreadable...
        raise click.ClickException(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    """``python -m partner_sim ...``."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    partner_sim.main(args=argv, prog_name="python -m partner_sim")
