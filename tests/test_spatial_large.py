"""Large polygons: the search cap (CMR's 5,000 points) and the self-intersection check that pairs
edges through a tree, held to the all-pairs answer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from spatial import crossings, errors, sphere
from spatial.search import prepare_search
from spatial.shapes import CoordinateSystem, Point, Polygon, ring
from spatial.validation import MAX_SEARCH_POLYGON_POINTS, prepare
from tests.catalog_support import aql, refused, run

G = CoordinateSystem.GEODETIC


def _round_ring(n: int, lon=20.0, lat=10.0, radius=5.0, ripple=0.0):
    return [
        (
            lon + (radius + ripple * (i % 2)) * math.cos(2 * math.pi * i / n),
            lat + (radius + ripple * (i % 2)) * math.sin(2 * math.pi * i / n),
        )
        for i in range(n)
    ]


def test_a_search_polygon_is_capped_at_cmr_s_5000_points():
    at_cap = Polygon(ring(*_round_ring(MAX_SEARCH_POLYGON_POINTS - 1)))  # closing point: 5000
    assert prepare_search(at_cap) == at_cap
    over = Polygon(ring(*_round_ring(MAX_SEARCH_POLYGON_POINTS)))
    with pytest.raises(errors.TooManyPoints) as info:
        prepare_search(over)
    assert info.value.message == (
        "A search polygon may have at most 5000 points (its rings together, each closing point "
        "counted), but had 5001."
    )
    assert info.value.status == 400
    holes = Polygon(ring(*_round_ring(4000, radius=5)), (ring(*_round_ring(1000, radius=1)),))
    with pytest.raises(errors.TooManyPoints, match="but had 5002"):
        prepare_search(holes)
    assert prepare(over, G) == (over,)  # records are not capped: CMR ingests large footprints


def _cmr_polygon(points) -> str:
    closed = [*points, points[0]]
    return ",".join(f"{x!r},{y!r}" for x, y in closed)


def test_the_cap_is_a_precise_400_over_http_and_aql(client, db):
    over = _round_ring(MAX_SEARCH_POLYGON_POINTS)
    response = client.get("/search/granules.json", query_string={"polygon": _cmr_polygon(over)})
    assert response.status_code == 400, response.data
    assert b"at most 5000 points" in response.data and b"but had 5001" in response.data
    points = "".join(f'<IIMSPoint long="{x!r}" lat="{y!r}"/>' for x, y in [*over, over[0]])
    condition = f"<spatial><IIMSPolygon><IIMSLRing>{points}</IIMSLRing></IIMSPolygon></spatial>"
    fields = refused(client, aql("granules", condition))
    assert "at most 5000 points" in fields["Message"] and "but had 5001" in fields["Message"]
    at_cap = _round_ring(MAX_SEARCH_POLYGON_POINTS - 1)
    response = client.get("/search/granules.json", query_string={"polygon": _cmr_polygon(at_cap)})
    assert response.status_code == 200, response.data
    points = "".join(f'<IIMSPoint long="{x!r}" lat="{y!r}"/>' for x, y in [*at_cap, at_cap[0]])
    condition = f"<spatial><IIMSPolygon><IIMSLRing>{points}</IIMSLRing></IIMSPolygon></spatial>"
    assert run(client, aql("granules", condition)).findtext("Hits") == "0"
    # As big a polygon fits no address a server takes (gunicorn: 4,094 bytes): POSTed, as CMR
    posted = client.post("/search/granules.json", data={"polygon": _cmr_polygon(at_cap)})
    assert posted.status_code == 200 and posted.headers["CMR-Hits"] == "0", posted.data


def test_a_large_ring_crossing_itself_names_where_in_edge_order():
    points = _round_ring(3000)
    # Swap two vertices far along: the ring crosses itself there, twice.
    points[2000], points[2001] = points[2001], points[2000]
    with pytest.raises(errors.SelfIntersection) as info:
        prepare(Polygon(ring(*points)), G)
    found = info.value.message.split(": ", 1)[1]
    assert found.count("[lon=") == 1  # the two swapped edges cross once
    v = sphere.points_xyz([Point(*p) for p in points])
    (expected,) = _brute_force(v)
    lon, lat = sphere.lonlat(expected)
    assert found == str(Point(round(lon, 6), round(lat, 6)))


def test_many_crossings_are_named_ten_at_a_time_in_edge_order():
    points = _round_ring(2000)
    for k in range(100, 1900, 100):
        points[k], points[k + 1] = points[k + 1], points[k]
    with pytest.raises(errors.SelfIntersection) as info:
        prepare(Polygon(ring(*points)), G)
    v = sphere.points_xyz([Point(*p) for p in points])
    expected = [sphere.lonlat(x) for x in _brute_force(v)[:10]]
    named = ", ".join(str(Point(round(lon, 6), round(lat, 6))) for lon, lat in expected)
    assert info.value.message.endswith(": " + named)


def _brute_force(v: np.ndarray) -> np.ndarray:
    """Every non-adjacent pair of edges, in order (what validation did before the tree)."""
    n = len(v)
    pairs = [(i, j) for i in range(n) for j in range(i + 2, n) if not (i == 0 and j == n - 1)]
    i, j = (np.array(c) for c in zip(*pairs, strict=True))
    b = np.roll(v, -1, axis=0)
    hits = sphere.arc_pair_crossings(v[i], b[i], v[j], b[j])
    return hits[~np.isnan(hits[:, 0])]


lons = st.one_of(st.floats(-180, 180), st.floats(170, 180), st.floats(-180, -170))
lats = st.one_of(st.floats(-89, 89), st.floats(80, 90), st.floats(-90, -80))


def _brute_pairs(v: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """Every non-adjacent pair's crossing, and whether it truly lies on both arcs (the exact test
    alone also answers the point opposite an arc too short to have a sure great circle)."""
    b = np.roll(v, -1, axis=0)
    n = len(v)
    out = []
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            (x,) = sphere.arc_pair_crossings(v[[i]], b[[i]], v[[j]], b[[j]])
            if not np.isnan(x[0]):
                on_both = sphere.on_arc(x, v[i], b[i], 1e-7) and sphere.on_arc(x, v[j], b[j], 1e-7)
                out.append((x, on_both))
    return out


@settings(max_examples=300, deadline=None)
@given(points=st.lists(st.tuples(lons, lats), min_size=4, max_size=12, unique=True))
def test_the_tree_finds_what_every_pair_finds(points):
    """Random rings, many crossing themselves, across the antimeridian and round the poles."""
    v = sphere.xyz([p[0] for p in points], [p[1] for p in points])
    assume(np.einsum("ij,ij->i", v, np.roll(v, -1, axis=0)).min() > -1 + 1e-9)  # no antipodes
    every = _brute_pairs(v)
    found = crossings.ring_self_crossings(v)

    def among(x, rows):
        return any(np.allclose(x, y, atol=1e-9) for y in rows)

    assert all(among(x, found) for x, on_both in every if on_both)
    assert all(among(x, [y for y, _ in every]) for x in found)
    if crossings.ring_is_simple(v):  # GEOS's yes lets validation skip the search: never wrongly
        assert not any(on_both for _, on_both in every)
