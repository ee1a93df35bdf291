"""Spatial search benchmark: N random footprints in PostGIS, a fixed set of searches.

    .venv/bin/python bench/spatial.py                 # 1,000,000 footprints
    .venv/bin/python bench/spatial.py --footprints 200000 --repeat 5

Starts a throwaway PostGIS cluster of its own (removed afterwards), loads the footprints into the
granules table with COPY (half Cartesian boxes, half geodetic quadrilaterals, a few percent across
the antimeridian, some near the poles), then runs every search through the project's predicate and,
as the floor, as the plainest PostGIS query on the same table (one ST_Intersects on the geography
column). Prints searches per second and p50/p95 latency for both.
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
from pyproj import Geod
from sqlalchemy import create_engine, func, select, text

from clearinghouse.catalog.models import Granule
from spatial.postgis import coverage_columns, geography_wkt
from spatial.search import intersects, prepare_search
from spatial.shapes import (
    BoundingBox,
    CoordinateSystem,
    Coverage,
    Point,
    Polygon,
    ring,
)

GEOD = Geod(ellps="WGS84")
SEARCHES = {
    "box 10° mid-latitude": BoundingBox(10, 40, 20, 50),
    "box 10° equator": BoundingBox(-65, -5, -55, 5),
    "box 10° across antimeridian": BoundingBox(175, -20, -175, -10),
    "box 10° at the north pole": BoundingBox(0, 80, 10, 90),
    "cap 80°-90° (10° x 360°)": BoundingBox(-180, 80, 180, 90),
    "polygon ~10°": Polygon(ring((100, 10), (110, 10), (110, 20), (100, 20))),
    "point": Point(-100.5, 35.25),
}


def footprint(rng: random.Random) -> Coverage:
    lon = rng.uniform(-180, 180)
    lat = math.degrees(math.asin(rng.uniform(-1, 1)))  # uniform over the sphere
    size = rng.uniform(0.5, 4.0)
    if rng.random() < 0.5:
        west = max(-180.0, min(180.0 - size, lon))
        south = max(-90.0, min(90.0 - size, lat))
        box = BoundingBox(west, south, west + size, south + size)
        return Coverage(system=CoordinateSystem.CARTESIAN, shapes=(box,))
    # A granule-like quadrilateral around (lon, lat), geodetic, possibly across the antimeridian.
    lat = max(-88.0, min(88.0, lat))
    azimuth = rng.uniform(0, 90)
    distance = size * 111_000 / math.sqrt(2)
    corners = [
        GEOD.fwd(lon, lat, (azimuth - k * 90) % 360, distance)[:2] for k in range(4)
    ]  # counter-clockwise: decreasing azimuths
    return Coverage(system=CoordinateSystem.GEODETIC, shapes=(Polygon(ring(*corners)),))


def load(engine, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO providers (provider_id, contact_email) VALUES ('BENCH', 'b@x.org')")
        )
        collection = conn.execute(
            text(
                "INSERT INTO collections (provider_id, short_name, version_id, dataset_id, xml)"
                " VALUES ('BENCH', 'BENCH', '1', 'BENCH', '<Collection/>') RETURNING id"
            )
        ).scalar()
    raw = engine.raw_connection()
    try:
        batch = 50_000
        for start in range(0, count, batch):
            buffer = io.StringIO()
            for n in range(start, min(count, start + batch)):
                coverage = footprint(rng)
                columns = coverage_columns(coverage, coverage.shapes)
                geom = columns["spatial_geom"] or "\\N"
                buffer.write(
                    f"BENCH\t{collection}\tG{n}\t<Granule/>\t{coverage.system.value}\t{geom}"
                    f"\t{columns['spatial_geog']}\t{columns['spatial_mbr']}\tf\n"
                )
            buffer.seek(0)
            with raw.cursor() as cur:
                cur.copy_expert(
                    "COPY granules (provider_id, collection_id, granule_ur, xml, coordinate_system,"
                    " spatial_geom, spatial_geog, spatial_mbr, global_coverage) FROM STDIN",
                    buffer,
                )
            raw.commit()
            print(f"  loaded {min(count, start + batch):,}", file=sys.stderr)
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE granules"))


def measure(engine, statement, params=None, repeat=5) -> tuple[list[float], int]:
    timings = []
    rows = 0
    with engine.connect() as conn:
        conn.execute(statement, params or {}).all()  # warm the cache once
        for _ in range(repeat):
            started = time.perf_counter()
            rows = len(conn.execute(statement, params or {}).all())
            timings.append(time.perf_counter() - started)
    return timings, rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def summary(timings: list[float]) -> str:
    """p50 and p95 in milliseconds, and searches per second, of one client."""
    p50 = statistics.median(timings) * 1000
    p95 = percentile(timings, 0.95) * 1000
    return f"{p50:7.1f}ms {p95:6.1f}ms {len(timings) / sum(timings):5.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--footprints", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each search")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print each search's plan")
    args = parser.parse_args()

    with throwaway.cluster(56000) as (url, _):
        engine = create_engine(url)
        started = time.perf_counter()
        load(engine, args.footprints, args.seed)
        print(f"loaded {args.footprints:,} footprints in {time.perf_counter() - started:.0f} s")
        print(
            f"{'search':30} {'hits':>7}   ours p50    p95    /s    floor p50    p95    /s"
            "  p95 ratio"
        )
        all_ours, all_floor = [], []
        for name, shape in SEARCHES.items():
            prepared = prepare_search(shape)
            ours = select(Granule.id).where(intersects(Granule, prepared))
            floor = select(Granule.id).where(
                func.ST_Intersects(
                    Granule.spatial_geog,
                    func.ST_GeogFromText(geography_wkt([prepared], CoordinateSystem.GEODETIC)),
                )
            )
            if args.explain:
                sql = ours.compile(engine, compile_kwargs={"literal_binds": True})
                with engine.connect() as conn:
                    plan = conn.execute(text(f"EXPLAIN (ANALYZE) {sql}")).all()
                print("\n".join(row[0] for row in plan), file=sys.stderr)
            t_ours, hits = measure(engine, ours, repeat=args.repeat)
            t_floor, _ = measure(engine, floor, repeat=args.repeat)
            all_ours += t_ours
            all_floor += t_floor
            print(
                f"{name:30} {hits:7,}  {summary(t_ours)}   {summary(t_floor)}"
                f"  {percentile(t_ours, 0.95) / percentile(t_floor, 0.95):5.2f}x"
            )
        print(f"{'all':30} {'':7}  {summary(all_ours)}   {summary(all_floor)}")
        engine.dispose()


if __name__ == "__main__":
    main()
