"""A committed shop for end-to-end tests: partners with catalogs and simulator endpoints, a buyer,
the API served over HTTP on a port of its own, and `clearinghouse worker` processes; all removed
afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select, text
from werkzeug.serving import make_server

from broker.models import Order, ProviderOrder
from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.config import Address, Settings
from clearinghouse.db import Database, make_engine
from ingest.pipeline import ingest_file
from partner_sim import Behaviour, PartnerSimulator
from tests.api_support import PASSWORD
from tests.conftest import OUTBOUND, OUTBOUND_ALLOW, ephemeral_port
from tests.ingest_support import collection, granule, wrap, write


class Shop:
    """Committed partners, a user, the API on a port of its own, and worker processes."""

    def __init__(self, database_url: str, home: Path):
        self.database_url = database_url
        self.engine = make_engine(database_url)
        self.db = Database(self.engine)
        self.key = Fernet.generate_key().decode()
        self.settings = Settings(
            home=home,
            option_key=self.key,
            http=Address("127.0.0.1", ephemeral_port()),
            outbound_allow=OUTBOUND.allowed,
        )
        self.tag = uuid.uuid4().hex[:6].upper()
        self.providers: list[str] = []
        self.username = f"buyer-{self.tag.lower()}"
        self.workers: list[subprocess.Popen] = []
        with self.db.session() as session:
            add_user(session, self.username, password=PASSWORD, email="buyer@example.org")
        from clearinghouse.web import create_app

        app = create_app({"SETTINGS": self.settings, "DATABASE": self.db})
        self.client = app.test_client()
        self.server = make_server("127.0.0.1", self.settings.http.port, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.settings.http.port}"

    def partner(
        self,
        name: str,
        sim: PartnerSimulator,
        behaviour: Behaviour,
        *,
        transactions=None,
        granules: int = 1,
        retry_attempts: int = 3,
        retry_wait: int = 0,
    ) -> list[str]:
        provider_id = f"{name}_{self.tag}"
        self.providers.append(provider_id)
        desk = f"{provider_id.lower()}-desk"
        sim.add_partner(
            provider_id, behaviour, broker_url=self.url, username=desk, password=PASSWORD
        )
        with self.db.session() as session:
            add_provider(
                session,
                provider_id,
                email="ops@example.org",
                ftp_password="ftp pw 1",
                endpoint=sim.url(provider_id),
                mode=behaviour.mode,
                retry_attempts=retry_attempts,
                retry_wait=retry_wait,
                transactions=transactions,
                outbound=OUTBOUND,
            )
            add_user(session, desk, password=PASSWORD, providers=[provider_id])
        home = self.settings.home
        home.mkdir(parents=True, exist_ok=True)
        dataset = f"{provider_id} 1"
        for number, (root, sections) in enumerate(
            [
                ("CollectionMetaDataFile", {"Collections": [collection("C1", dataset=dataset)]}),
                (
                    "GranuleMetaDataFile",
                    {
                        "Granules": [
                            granule(f"{provider_id}.{n}", dataset=dataset) for n in range(granules)
                        ]
                    },
                ),
            ]
        ):
            ingest_file(
                self.db,
                write(home, f"{provider_id}-{number}.xml", wrap(root, sections)),
                provider_id,
            )
        with self.engine.connect() as conn:
            ids = conn.execute(
                text("SELECT id FROM granules WHERE provider_id = :p ORDER BY id"),
                {"p": provider_id},
            ).scalars()
            return [f"G{number}-{provider_id}" for number in ids]

    def start_worker(self, threads: int = 4) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARINGHOUSE_")}
        env.update(
            CLEARINGHOUSE_DATABASE_URL=self.database_url,
            CLEARINGHOUSE_HOME=str(self.settings.home),
            CLEARINGHOUSE_OPTION_KEY=self.key,
            CLEARINGHOUSE_WORKER_THREADS=str(threads),
            CLEARINGHOUSE_OUTBOUND_ALLOW=OUTBOUND_ALLOW,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "clearinghouse", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.workers.append(worker)
        return worker

    def states(self, guid: str) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ProviderOrder.provider_id, ProviderOrder.state)
                .join(Order, Order.id == ProviderOrder.order_id)
                .where(Order.guid == uuid.UUID(guid))
            )
            return {provider.split("_")[0]: state.value for provider, state in rows}

    def wait(self, guid: str, expected: dict[str, str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while (found := self.states(guid)) != expected:
            assert time.monotonic() < deadline, f"{found} is not {expected}"
            time.sleep(0.1)

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.server.shutdown()
        with self.engine.begin() as conn:
            users = [self.username] + [f"{p.lower()}-desk" for p in self.providers]
            conn.execute(
                text(
                    "DELETE FROM orders WHERE user_id IN (SELECT id FROM users"
                    " WHERE username = ANY(:u))"
                ),
                {"u": users},
            )
            conn.execute(text("DELETE FROM users WHERE username = ANY(:u)"), {"u": users})
            conn.execute(
                text("DELETE FROM providers WHERE provider_id = ANY(:p)"), {"p": self.providers}
            )
        self.engine.dispose()
