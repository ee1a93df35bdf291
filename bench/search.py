"""Catalog search benchmark: typical searches against millions of granules, through the HTTP API.

    .venv/bin/python bench/search.py                          # 10,000,000 granules
    .venv/bin/python bench/search.py --granules 1000000 --seconds 10

Starts a throwaway PostGIS cluster (removed afterwards) and loads 1,000 collections of 10 partners
and N granules spread over them, straight in SQL (set-based, as a bulk load would): realistic
searchable columns (geodetic footprints of 1–3° with their lon/lat drawings and rectangles, five-
minute temporal ranges, cloud cover, day/night, URs, the collections' platforms) and a compact
stored XML. Then the production server (`clearinghouse serve`, gunicorn) and wrk drive four kinds of
search with concurrent clients, each for --seconds:

  temporal+box  a collection, a month, a 10° box     short_name=…&temporal=…&bounding_box=…
  platform+cc   a platform and cloud cover under 10 %  platform=…&cloud_cover=0,10
  ur-pattern    a granule UR prefix                    granule_ur=…*&options[granule_ur][pattern]=…
  deep-page     page 200 of a collection's granules    short_name=…, and a CMR-Search-After
  umm-json      platform+cc's searches as .umm_json    (UMM-G translated from the stored XML)

and prints searches/s, p50 and p95 per kind, beside the floor: the statements the engine sends
for the same searches (collection lookups, the hit count, the page), replayed as plain SQL through
psycopg2, by one client and by as many clients at once as wrk uses. The ratio is the API's p95
over the floor's at the same concurrency: what the server adds to the database's own work.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2
import throwaway
from api import ensure_wrk, run_script, start_server
from psycopg2.errors import QueryCanceled
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from clearinghouse.accounts.sessions import GUEST
from clearinghouse.catalog import cmr, search
from clearinghouse.db.cluster import free_port

PROVIDERS, COLLECTIONS, PLATFORMS = 10, 1000, 40
CHUNK = 500_000

SETUP = f"""
INSERT INTO providers (provider_id, contact_email)
SELECT 'P' || lpad(p::text, 2, '0'), 'ops@p' || p || '.example'
FROM generate_series(0, {PROVIDERS - 1}) p;
INSERT INTO collections (provider_id, short_name, version_id, dataset_id, xml, platforms,
                         instruments, spatial_representation, coordinate_system, global_coverage,
                         temporal, temporal_start, ends_at_present)
SELECT 'P' || lpad((c % {PROVIDERS})::text, 2, '0'), 'C' || lpad(c::text, 4, '0'), '1',
       'Collection ' || c,
       '<Collection><ShortName>C' || lpad(c::text, 4, '0') || '</ShortName></Collection>',
       ARRAY['PLAT' || lpad((c % {PLATFORMS})::text, 2, '0')], ARRAY['INST' || (c % 97)],
       'GEODETIC', 'GEODETIC', true,
       tstzmultirange(tstzrange('2015-01-01', NULL)), '2015-01-01', true
FROM generate_series(0, {COLLECTIONS - 1}) c;
"""

# Granule n belongs to collection n % 1000 and is its (n / 1000)-th: fifty minutes after the one
# before, five minutes long, somewhere on Earth.
GRANULES = """
INSERT INTO granules (provider_id, collection_id, granule_ur, producer_granule_id, xml,
                      day_night_flag, cloud_cover, online_only, coordinate_system,
                      spatial_geog, spatial_geom, spatial_mbr, temporal, temporal_start,
                      temporal_end)
SELECT c.provider_id, c.id, g.ur, g.ur || '.h5',
       '<Granule><GranuleUR>' || g.ur || '</GranuleUR></Granule>',
       (ARRAY['DAY', 'NIGHT', 'BOTH'])[1 + (g.n % 3)], round((random() * 100)::numeric, 1),
       true, 'GEODETIC', g.geog, g.drawing, ST_Envelope(g.drawing),
       tstzmultirange(tstzrange(g.start, g.start + interval '5 minutes', '[]')),
       g.start, g.start + interval '5 minutes'
FROM (
    SELECT n,
           'C' || lpad((n % :collections)::text, 4, '0')
             || '.G' || lpad((n / :collections)::text, 7, '0') AS ur,
           timestamptz '2015-01-01' + (n / :collections) * interval '50 minutes'
             + (n % :collections) * interval '3 seconds' AS start,
           box.geog, ST_Segmentize(box.geog, 20000)::geometry AS drawing
    FROM generate_series(:first, :last) n,
    -- "0 * n": a subquery that does not refer to the row runs once, giving every row one place.
    LATERAL (SELECT random() * 354 - 178 + 0 * n AS lon,
                    degrees(asin(random() * 1.9 - 0.95)) + 0 * n AS lat,
                    1 + random() * 2 + 0 * n AS size) pos,
    LATERAL (SELECT ST_MakeEnvelope(pos.lon, pos.lat, pos.lon + pos.size,
                                    least(pos.lat + pos.size, 89.0), 4326)::geography AS geog) box
) g
JOIN collections c ON c.short_name = 'C' || lpad((g.n % :collections)::text, 4, '0');
"""


def load(url: str, granules: int) -> None:
    engine = create_engine(url)
    started = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text(SETUP))
        indexes = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'granules'"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        ).all()
        for name, _ in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
    for first in range(0, granules, CHUNK):
        last = min(granules, first + CHUNK) - 1
        with engine.begin() as conn:
            conn.execute(text(GRANULES), {"first": first, "last": last, "collections": COLLECTIONS})
        done = last + 1
        rate = done / (time.monotonic() - started)
        print(f"  loaded {done:,} granules ({rate:,.0f}/s)", flush=True)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SET maintenance_work_mem = '1GB'"))
        for name, definition in indexes:
            print(f"  index {name}", flush=True)
            conn.execute(text(definition))
        conn.execute(text("VACUUM ANALYZE granules"))
        conn.execute(text("VACUUM ANALYZE collections"))
    engine.dispose()
    print(f"loaded and indexed in {time.monotonic() - started:,.0f} s")


def kinds(granules: int, rng: random.Random) -> dict[str, list[dict]]:
    """For each kind, a few dozen concrete searches (parameters, and a search-after)."""
    per_collection = max(1, granules // COLLECTIONS)
    months = max(1, per_collection * 50 // (60 * 24 * 30))
    out: dict[str, list[dict]] = {
        k: [] for k in ("temporal+box", "platform+cc", "ur-pattern", "deep-page")
    }
    for _ in range(40):
        c = rng.randrange(COLLECTIONS)
        month = rng.randrange(months)
        start = f"2015-{1 + month % 12:02d}-01T00:00:00Z".replace("2015", str(2015 + month // 12))
        end_month = month + 1
        end = f"{2015 + end_month // 12}-{1 + end_month % 12:02d}-01T00:00:00Z"
        west, south = rng.randrange(-180, 170), rng.randrange(-60, 50)
        out["temporal+box"].append(
            {
                "short_name": f"C{c:04d}",
                "temporal": f"{start},{end}",
                "bounding_box": f"{west},{south},{west + 10},{south + 10}",
            }
        )
        out["platform+cc"].append(
            {"platform": f"PLAT{rng.randrange(PLATFORMS):02d}", "cloud_cover": "0,10"}
        )
        prefix = f"C{c:04d}.G{rng.randrange(max(1, per_collection // 100)):05d}"
        out["ur-pattern"].append(
            {"granule_ur": prefix + "*", "options[granule_ur][pattern]": "true"}
        )
        out["deep-page"].append(
            {
                "short_name": f"C{c:04d}",
                "page_size": "10",
                "_after": f"C{c:04d}",
                "_position": min(2000, per_collection - 10),
            }
        )
    # The same searches as platform+cc, answered in UMM-JSON: the cost of the translation.
    out["umm-json"] = [{**params, "_suffix": "umm_json"} for params in out["platform+cc"]]
    return out


def deep_key(url: str, short_name: str, position: int) -> str:
    """The CMR-Search-After of the record at ``position`` in a collection's natural order."""
    engine = create_engine(url)
    with engine.connect() as conn:
        granule_id = conn.execute(
            text(
                "SELECT g.id FROM granules g JOIN collections c ON c.id = g.collection_id"
                " WHERE c.short_name = :s ORDER BY g.id OFFSET :p LIMIT 1"
            ),
            {"s": short_name, "p": position},
        ).scalar()
    engine.dispose()
    return cmr.encode_after([granule_id])


LUA = """
local requests = {%(requests)s}
local i = 0
request = function()
  i = i + 1
  local r = requests[(i %% #requests) + 1]
  return wrk.format("GET", r[1], r[2])
end
function done(summary, latency, requests)
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%.3f, "p50": %%.2f, "p95": %%.2f, '
    .. '"bad": %%d}\\n', summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, summary.errors.status + summary.errors.timeout))
end
"""


def _path(params: dict) -> str:
    visible = {k: v for k, v in params.items() if not k.startswith("_")}
    suffix = params.get("_suffix", "json")
    return f"/search/granules.{suffix}?" + urllib.parse.urlencode(visible)


def drive(wrk: str, port: int, searches: list[dict], seconds: int, connections: int) -> dict:
    entries = []
    for params in searches:
        headers = {"CMR-Search-After": params["_key"]} if "_key" in params else {}
        entries.append(f"{{{json.dumps(_path(params))}, {_lua_table(headers)}}}")
    script = LUA % {"requests": ", ".join(entries)}
    return run_script(
        wrk, script, f"http://127.0.0.1:{port}", threads=2, connections=connections, seconds=seconds
    )


def _lua_table(headers: dict) -> str:
    return "{" + ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items()) + "}"


def captured(url: str, searches: list[dict]) -> list[list[tuple[str, object]]]:
    """Every statement the engine sends for each search (collection lookups, the page, and the
    count's plan and count unless the first page held every hit), as the SQL text and parameters
    the driver received."""
    engine = create_engine(url)
    sent: list[tuple[str, object]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    out = []
    with Session(engine) as session:
        for params in searches:
            query, size = cmr.read(
                "granules", MultiDict({k: v for k, v in params.items() if not k.startswith("_")})
            )
            plan = search.Plan(query, GUEST)
            after = (
                search.key_values(cmr.decode_after(params["_key"]), "granules", "natural")
                if "_key" in params
                else None
            )
            sent.clear()
            rows = plan.page(session, size=size, after=after)
            if after is not None or len(rows) == size:  # as the API does: the page may be all
                plan.count(session)
            out.append(list(sent))
            session.rollback()
    engine.dispose()
    return out


def floor(
    url: str, statements: list[list[tuple[str, object]]], clients: int, rounds: int = 3
) -> tuple[float, float]:
    """The searches' statements replayed as plain SQL (psycopg2, nothing between) by ``clients``
    connections at once, each going through them ``rounds`` times: p50 and p95 per search, ms."""
    timings: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        connection = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
        mine = []
        with connection.cursor() as cursor:
            for n in range(rounds * len(statements)):
                started = time.perf_counter()
                for sql, parameters in statements[(n + offset) % len(statements)]:
                    try:
                        cursor.execute(sql, parameters)
                    except QueryCanceled:  # a count over its budget; the engine's next
                        continue  # statement rolls back to the savepoint before it
                    if cursor.description is not None:
                        cursor.fetchall()
                connection.rollback()
                mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--granules", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        help="a database this bench loaded before (with the same"
        " --granules) and left running: no throwaway cluster, no load",
    )
    args = parser.parse_args()
    wrk = ensure_wrk()
    rng = random.Random(7)
    if args.database_url:
        run(args, wrk, rng, args.database_url, Path(tempfile.mkdtemp(prefix="bench-home-")))
        return
    with throwaway.cluster(56632) as (url, scratch):
        print(f"loading {args.granules:,} granules in {COLLECTIONS:,} collections…", flush=True)
        load(url, args.granules)
        run(args, wrk, rng, url, scratch)


def run(args, wrk: str, rng: random.Random, url: str, scratch: Path) -> None:
    searches = kinds(args.granules, rng)
    for params in searches["deep-page"]:
        params["_key"] = deep_key(url, params["_after"], params["_position"])
    port = free_port(18280)
    server = start_server(url, scratch / "home", port, args.workers)
    try:
        n = args.connections
        print(
            f"\n{'':<14}{'HTTP API, ' + str(n) + ' clients':>29}{'plain SQL, 1 client':>22}"
            f"{'plain SQL, ' + str(n) + ' clients':>22}"
        )
        print(
            f"{'kind':<14}{'searches/s':>11}{'p50 ms':>9}{'p95 ms':>9}"
            + f"{'p50':>11}{'p95':>11}" * 2
            + f"{'p95 ratio':>11}"
        )
        for kind, batch in searches.items():
            result = drive(wrk, port, batch, args.seconds, n)
            statements = captured(url, batch)
            alone = floor(url, statements, 1)
            shared = floor(url, statements, n)
            failed = f"  ({result['bad']} failed)" if result["bad"] else ""
            print(
                f"{kind:<14}{result['per_second']:>11,.1f}{result['p50']:>9.1f}"
                f"{result['p95']:>9.1f}{alone[0]:>11.1f}{alone[1]:>11.1f}{shared[0]:>11.1f}"
                f"{shared[1]:>11.1f}{result['p95'] / shared[1]:>10.2f}x{failed}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
