"""Spatial validation benchmark: how long checking one large geodetic polygon takes.

    .venv/bin/python bench/spatial_validation.py
    .venv/bin/python bench/spatial_validation.py --vertices 1000,5000,20000 --repeat 5

For each size, two rings round (20°E, 10°N), counter-clockwise: a "coast" (radius 10° with a
random ripple of 0.5%) and a "zigzag" (radius alternating between 5° and 6°: long thin teeth, the
worst case for any method that pairs up edges by their boxes). Times the validation a search
polygon and an ingested one both get (``spatial.validation.prepare``: points, duplicates,
antipodes, self-intersection, orientation, poles), and as the floor shapely's ``is_valid`` on the
same ring read as planar lon/lat. Searches are refused past CMR's 5,000 points (the closing point
counted): the cap is 4,999 vertices, and 5,000 vertices shows the time to refuse.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shapely

from spatial.errors import TooManyPoints
from spatial.shapes import CoordinateSystem, Polygon, ring
from spatial.validation import MAX_SEARCH_POLYGON_POINTS, prepare


def coast(n: int, rng: random.Random) -> list[tuple[float, float]]:
    return [_at(i, n, 10.0 * (1 + 0.005 * rng.uniform(-1, 1))) for i in range(n)]


def zigzag(n: int, rng: random.Random) -> list[tuple[float, float]]:
    return [_at(i, n, 5.0 + i % 2) for i in range(n)]


def _at(i: int, n: int, radius: float) -> tuple[float, float]:
    angle = 2 * math.pi * i / n
    return 20 + radius * math.cos(angle), 10 + radius * math.sin(angle)


def _best(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def _validate(polygon: Polygon, search: bool) -> str:
    try:
        prepare(polygon, CoordinateSystem.GEODETIC, search=search)
    except TooManyPoints:
        return "refused (cap)"
    return "valid"


def main() -> None:
    cap = MAX_SEARCH_POLYGON_POINTS - 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--vertices",
        default=f"1000,{cap},5000",
        help="ring sizes (distinct vertices), comma-separated",
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(16)
    print(f"search cap: {MAX_SEARCH_POLYGON_POINTS} points = {cap} vertices and the closing point")
    print(
        f"{'ring':>8} {'vertices':>8} {'search':>14} {'search s':>9} {'ingest s':>9} "
        f"{'floor s':>9} {'x floor':>8}"
    )
    for n in (int(v) for v in args.vertices.split(",")):
        for name, make in (("coast", coast), ("zigzag", zigzag)):
            points = make(n, rng)
            polygon = Polygon(ring(*points))
            verdict = _validate(polygon, search=True)
            searched = _best(lambda: _validate(polygon, True), args.repeat)  # noqa: B023
            ingested = _best(lambda: _validate(polygon, False), args.repeat)  # noqa: B023
            planar = shapely.Polygon(points)
            floor = _best(lambda: shapely.is_valid(planar), args.repeat)  # noqa: B023
            print(
                f"{name:>8} {n:>8} {verdict:>14} {searched:>9.4f} {ingested:>9.4f} "
                f"{floor:>9.4f} {ingested / floor:>8.1f}"
            )


if __name__ == "__main__":
    main()
