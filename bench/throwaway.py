"""A throwaway PostGIS cluster for a benchmark: tuned for loading, migrated, removed afterwards."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clearinghouse.db import migrate
from clearinghouse.db.cluster import ManagedCluster, free_port

#: Durability off (nothing here outlives the run), memory for a million rows.
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "max_wal_size": "4GB",
}


@contextlib.contextmanager
def cluster(first_port: int, settings: dict | None = None) -> Iterator[tuple[str, Path]]:
    """Yield the migrated cluster's URL and a scratch folder; remove both afterwards."""
    root = Path(tempfile.mkdtemp(prefix="clearinghouse-bench-"))
    root.chmod(0o755)
    managed = ManagedCluster(root / "pg", port=free_port(first_port), settings=settings or SETTINGS)
    managed.start()
    try:
        url = managed.url()
        migrate.upgrade(url)
        yield url, root
    finally:
        managed.destroy()
