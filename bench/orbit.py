"""Orbit (backtrack) search benchmark: N orbit granules in 20 orbit collections.

    .venv/bin/python bench/orbit.py                   # 1,000,000 granules
    .venv/bin/python bench/orbit.py --granules 200000 --repeat 20

Starts a throwaway PostGIS cluster of its own (removed afterwards), makes 20 orbit collections
(swaths from 2 to 2,600 km, periods 94 to 101 minutes, inclinations 94 to 99°, half, one or
several orbits per granule) and loads their granules with COPY: consecutive passes of each
satellite, their ascending crossings marching west by the Earth's turn per orbit. Then runs a
point and a 10° box, scoped to one collection and over all, as the catalog runs a granule search
(catalog.search.Plan: the orbit parameters read, the shape backtracked for the orbit collections
in scope, the first page of 10 and the hit count), and as the floor the same orbit conditions as
plain SQL with the ranges already computed (page, and count up to where the catalog stops
counting). Prints p50/p95 of both; hits marked ~ are the planner's estimate.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import throwaway
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from clearinghouse.accounts.sessions import GUEST
from clearinghouse.catalog.conditions import ItemIds, Query, Spatial
from clearinghouse.catalog.models import Granule
from clearinghouse.catalog.orbits import seen_sql
from clearinghouse.catalog.search import COUNT_EXPECTED_LIMIT, Plan
from spatial.backtrack import EARTH_ROTATION_SIDEREAL, granule_clats, search_windows
from spatial.search import prepare_search
from spatial.shapes import BoundingBox, OrbitParameters, Point

COLLECTIONS = 20
SEARCHES = {
    "point": Point(-100.5, 35.25),
    "box 10°": BoundingBox(10, 40, 20, 50),
}
#: Granules per pass: (StartLat, StartDirection, EndLat, EndDirection) of each kind.
SPANS = {
    0.25: [(-50, "A", 50, "A"), (50, "A", 50, "D"), (50, "D", -50, "D"), (-50, "D", -50, "A")],
    0.5: [(-81.8, "A", 81.8, "A"), (81.8, "D", -81.8, "D")],
    1: [(0, "A", 0, "A")],
    2: [(0, "A", 0, "A")],
}


def parameters(n: int) -> OrbitParameters:
    rng = random.Random(n)
    swath = [2, 36, 400, 1450, 2330, 2600][n % 6]
    orbits = [0.25, 0.5, 1, 2][n % 4]
    start = {0.25: 50, 0.5: -90, 1: 0, 2: 0}[orbits]
    return OrbitParameters(swath, rng.uniform(94, 101), rng.uniform(94, 99), orbits, start)


def load(engine, count: int, seed: int) -> dict[int, OrbitParameters]:
    rng = random.Random(seed)
    made = {}
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO providers (provider_id, contact_email) VALUES ('BENCH', 'b@x.org')")
        )
        for n in range(COLLECTIONS):
            p = parameters(n)
            orbit = (
                f'{{"swath_width_km": {p.swath_width_km}, "period_min": {p.period_min},'
                f' "inclination_deg": {p.inclination_deg}, "number_of_orbits":'
                f' {p.number_of_orbits}, "start_circular_latitude":'
                f" {p.start_circular_latitude}}}"
            )
            cid = conn.execute(
                text(
                    "INSERT INTO collections (provider_id, short_name, version_id, dataset_id, xml,"
                    " spatial_representation, orbit) VALUES ('BENCH', :s, '1', :s, '<Collection/>',"
                    " 'ORBIT', CAST(:o AS jsonb)) RETURNING id"
                ),
                {"s": f"SAT{n}", "o": orbit},
            ).scalar()
            made[cid] = p
    # Every satellite's passes in time order, the satellites' granules arriving together.
    passes = [_passes(rng, cid, p, count // COLLECTIONS) for cid, p in made.items()]
    raw = engine.raw_connection()
    try:
        for start in range(0, count // COLLECTIONS, 2500):
            buffer = io.StringIO()
            for n in range(start, min(count // COLLECTIONS, start + 2500)):
                for rows in passes:
                    buffer.write(rows[n])
            buffer.seek(0)
            with raw.cursor() as cur:
                cur.copy_expert(
                    "COPY granules (provider_id, collection_id, granule_ur, xml,"
                    " orbit_asc_crossing, orbit_start_clat, orbit_end_clat) FROM STDIN",
                    buffer,
                )
            raw.commit()
        print(f"  loaded {count:,}", file=sys.stderr)
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return made


def _passes(rng: random.Random, cid: int, p: OrbitParameters, count: int) -> list[str]:
    """COPY rows of a satellite's consecutive granules: each pass's crossing west of the last by
    the Earth's turn in the orbits between."""
    step = p.period_min * 60 * EARTH_ROTATION_SIDEREAL * 180 / math.pi
    crossing = rng.uniform(-180, 180)
    spans = SPANS[p.number_of_orbits]
    rows = []
    for n in range(count):
        if n % len(spans) == 0 and n:
            crossing = (crossing - step * max(1, p.number_of_orbits) + 180) % 360 - 180
        start, end = granule_clats(*spans[n % len(spans)])
        rows.append(f"BENCH\t{cid}\tG{cid}.{n}\t<Granule/>\t{crossing}\t{start}\t{end}\n")
    return rows


def timed(run, repeat: int) -> tuple[list[float], object]:
    run()  # warm the cache once
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return timings, result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def summary(timings: list[float]) -> str:
    return f"{statistics.median(timings) * 1000:7.1f}ms {percentile(timings, 0.95) * 1000:6.1f}ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--granules", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40, help="runs of each search")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with throwaway.cluster(56100) as (url, _):
        engine = create_engine(url)
        started = time.perf_counter()
        made = load(engine, args.granules, args.seed)
        print(f"loaded {args.granules:,} orbit granules in {time.perf_counter() - started:.0f} s")
        print(f"{'search':24} {'hits':>8}  ours p50    p95   floor p50    p95  p95 ratio")
        scoped_to = next(iter(made))
        with Session(engine) as session:
            for name, shape in SEARCHES.items():
                prepared = prepare_search(shape)
                for scope in (None, scoped_to):
                    label = f"{name} {'scoped' if scope else 'all 20'}"
                    ours, floor = _ours(prepared, scope), _floor(prepared, made, scope)
                    ours_t, hits = timed(lambda q=ours: q(session), args.repeat)
                    floor_t, exact = timed(lambda q=floor: q(session), args.repeat)
                    ratio = percentile(ours_t, 0.95) / percentile(floor_t, 0.95)
                    shown = f"{hits:,}" if hits == exact else f"~{hits:,}"
                    print(
                        f"{label:24} {shown:>8}  {summary(ours_t)}   {summary(floor_t)}"
                        f"  {ratio:5.2f}x"
                    )
        engine.dispose()


def _ours(shape, scope):
    """A granule search as the catalog runs it (catalog.search.Plan, as a guest): the conditions
    built (orbit parameters read, the shape backtracked for the orbit collections in scope), the
    first page of 10 and the hit count (exact, or the planner's estimate past 10,000)."""
    conditions = [Spatial(shape)]
    if scope is not None:
        conditions.append(ItemIds("C", ((scope, "BENCH"),)))

    def run(session):
        plan = Plan(Query("granules", None, conditions), GUEST)
        plan.page(session, size=10, columns=(Granule.id,))
        return plan.count(session)[0]

    return run


def _floor(shape, made, scope):
    """The same orbit conditions as plain SQL, their ranges computed beforehand: the first page
    of 10 and the count, exact up to the catalog's limit."""
    windows = {cid: search_windows(p, shape) for cid, p in made.items()}
    parts = [seen_sql(cid, w) for cid, w in windows.items() if w is not None]
    if scope is not None:
        parts = [seen_sql(scope, windows[scope])] if windows[scope] is not None else []
        parts = [f"granules.collection_id = {scope}::bigint AND ({' OR '.join(parts) or 'false'})"]
    where = " OR ".join(parts) or "false"
    page = text(f"SELECT id FROM granules WHERE {where} ORDER BY id LIMIT 10")
    # Counted up to where the catalog stops counting (it gives the planner's estimate beyond).
    count = text(
        f"SELECT count(*) FROM (SELECT 1 FROM granules WHERE {where}"
        f" LIMIT {COUNT_EXPECTED_LIMIT + 1}) AS hits"
    )

    def run(session):
        session.execute(page).all()
        return session.scalar(count)

    return run


if __name__ == "__main__":
    main()
