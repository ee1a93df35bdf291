"""Broker dispatch throughput: provider orders sent to simulated partners by worker processes.

    .venv/bin/python bench/broker.py [--provider-orders 10000] [--partners 10] [--fail-rate 0.2]
                                     [--workers 2] [--threads 8]

Starts a throwaway PostGIS cluster with the durability of a real one (fsync and synchronous
commit on: a dispatch is a committed state change) and partners played by the simulator in
processes of their own, each refusing ``--fail-rate`` of the requests with a 503 (retried at once:
the partners' retry wait is 0 here). Orders holding one item of every partner are submitted
through the broker's own functions, then ``--workers`` `clearinghouse worker` processes start and
drain the queue. Prints the dispatches per second (every attempt, and the provider orders
dispatched), the time to drain, and the requests lost or sent twice (both must be 0).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import throwaway
from sqlalchemy import text

from broker import orders
from clearinghouse.accounts.models import User
from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.accounts.sessions import Caller
from clearinghouse.config import Settings
from clearinghouse.db import Database, make_engine
from clearinghouse.outbound import parse_allow
from ingest.pipeline import ingest_file
from partner_sim import Behaviour, PartnerSimulator

DURABLE = {"fsync": "on", "synchronous_commit": "on", "shared_buffers": "256MB"}
ITEMS_PER_PARTNER = 50


def simulate(partners: list[str], fail_rate: float, ready, done) -> None:
    """One simulator process playing ``partners``; sends back what it handled when told."""
    with PartnerSimulator() as sim:
        for n, provider_id in enumerate(partners):
            sim.add_partner(provider_id, Behaviour(fail_rate=fail_rate, seed=n))
        ready.send({p: sim.url(p) for p in partners})
        done.recv()
        handled = sim.handled_request_ids()
        ready.send(
            {
                "handled": sorted(handled),
                "duplicates": sim.duplicate_count(),
                "refused": sum(sim.stats(p)["refused"] for p in partners),
            }
        )


def catalog(db: Database, scratch: Path, provider_id: str) -> list[str]:
    from tests.ingest_support import collection, granule, wrap, write

    dataset = f"{provider_id} data"
    files = [
        ("CollectionMetaDataFile", {"Collections": [collection("C1", dataset=dataset)]}),
        (
            "GranuleMetaDataFile",
            {
                "Granules": [
                    granule(f"{provider_id}.{n}", dataset=dataset) for n in range(ITEMS_PER_PARTNER)
                ]
            },
        ),
    ]
    for number, (root, sections) in enumerate(files):
        ingest_file(
            db, write(scratch, f"{provider_id}-{number}.xml", wrap(root, sections)), provider_id
        )
    with db.engine.connect() as conn:
        return [
            f"G{n}-{provider_id}"
            for n in conn.execute(
                text("SELECT id FROM granules WHERE provider_id = :p ORDER BY id"),
                {"p": provider_id},
            ).scalars()
        ]


def submit_all(db: Database, settings: Settings, items: dict[str, list[str]], count: int) -> None:
    from broker.secrets import option_cipher

    cipher = option_cipher(settings)
    with db.session() as session:
        user = add_user(session, "bench-buyer", password="bench password 1")
        session.flush()
        caller = Caller(user_id=user.id, username=user.username, client_id="bench")
        user_id = user.id
    for n in range(count):
        with db.session() as session:
            user = session.get(User, user_id)
            order = orders.create_order(session, caller, user)
            chosen = [orders.NewItem(ids[n % len(ids)]) for ids in items.values()]
            orders.add_items(session, caller, order, chosen, cipher)
            orders.submit_order(session, caller, order, cipher)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--provider-orders", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--fail-rate", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--simulators", type=int, default=2, help="simulator processes")
    args = parser.parse_args()
    partners = [f"BENCH{n:02d}" for n in range(args.partners)]
    count = max(1, args.provider_orders // args.partners)
    with throwaway.cluster(56732, settings=DURABLE) as (url, scratch):
        engine = make_engine(url, pool_size=4)
        db = Database(engine)
        # The simulators listen on loopback, which the default settings do not send to.
        loopback = "127.0.0.1"
        settings = Settings(home=scratch / "home", outbound_allow=parse_allow(loopback))
        settings.home.mkdir(parents=True, exist_ok=True)
        sims, endpoints = [], {}
        for share in (partners[n :: args.simulators] for n in range(args.simulators)):
            ours, theirs = multiprocessing.Pipe()
            done_ours, done_theirs = multiprocessing.Pipe()
            process = multiprocessing.Process(
                target=simulate, args=(share, args.fail_rate, theirs, done_theirs)
            )
            process.start()
            endpoints.update(ours.recv())
            sims.append((process, ours, done_ours))
        with db.session() as session:
            for provider_id in partners:
                add_provider(
                    session,
                    provider_id,
                    email="ops@example.org",
                    ftp_password="bench ftp 1",
                    endpoint=endpoints[provider_id],
                    retry_attempts=50,
                    retry_wait=0,
                    outbound=settings.outbound,
                )
        items = {p: catalog(db, scratch, p) for p in partners}
        print(
            f"submitting {count:,} orders of {args.partners} partners "
            f"({count * args.partners:,} provider orders)…",
            flush=True,
        )
        started = time.monotonic()
        submit_all(db, settings, items, count)
        submitting = time.monotonic() - started
        print(
            f"  {count * args.partners / submitting:,.0f} provider orders submitted per second"
            f" ({submitting:.1f} s)",
            flush=True,
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
        env.update(
            CLEARINGHOUSE_DATABASE_URL=url,
            CLEARINGHOUSE_HOME=str(settings.home),
            CLEARINGHOUSE_WORKER_THREADS=str(args.threads),
            CLEARINGHOUSE_OUTBOUND_ALLOW=loopback,
        )
        print(f"draining with {args.workers} workers × {args.threads} threads…", flush=True)
        started = time.monotonic()
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "clearinghouse", "worker"],
                env=env,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        try:
            with engine.connect() as conn:
                while conn.execute(
                    text("SELECT count(*) FROM dispatch_requests WHERE status = 'pending'")
                ).scalar():
                    conn.commit()
                    time.sleep(0.2)
            drained = time.monotonic() - started
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)
        handled, duplicates, refused = set(), 0, 0
        for process, ours, done in sims:
            done.send("stop")
            result = ours.recv()
            handled |= set(result["handled"])
            duplicates += result["duplicates"]
            refused += result["refused"]
            process.join()
        with engine.connect() as conn:
            stats = conn.execute(
                text("""
                SELECT count(*) AS requests, sum(attempts) AS attempts,
                       count(*) FILTER (WHERE status = 'done') AS done,
                       extract(epoch FROM max(completed_at) - min(completed_at)) AS span,
                       array_agg(request_id::text) AS ids
                FROM dispatch_requests""")
            ).one()
            states = dict(
                conn.execute(
                    text("SELECT state, count(*) FROM provider_orders GROUP BY state")
                ).all()
            )
        engine.dispose()
    ids = set(stats.ids)
    lost = len(ids - handled) + (stats.requests - stats.done)
    extra = len(handled - ids)
    print(f"\nprovider orders dispatched: {stats.done:,} of {stats.requests:,}; states {states}")
    print(f"attempts: {stats.attempts:,} ({refused:,} refused by the partners, 503)")
    print(
        f"dispatches per second: {stats.done / drained:,.0f} provider orders"
        f" ({stats.attempts / drained:,.0f} attempts) over {drained:.1f} s to drain,"
        f" worker start-up included; {stats.done / stats.span:,.0f} between the first and"
        f" the last answer"
    )
    print(f"lost: {lost}  sent twice: {duplicates + extra}")


if __name__ == "__main__":
    main()
