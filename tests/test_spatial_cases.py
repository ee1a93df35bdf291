"""Every case of ../shared/spatial-cases.json: the item stored in PostGIS, the search run through
the predicate, and CMR's answer expected."""

import json

import pytest
from sqlalchemy import select

from clearinghouse.catalog.models import Collection
from spatial.backtrack import sees
from spatial.search import intersects, prepare_search
from tests.conftest import SHARED
from tests.spatial_support import coverage_of, shape_of, store

CASES = json.loads((SHARED / "spatial-cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cmr_case(session, case):
    if case["item"]["type"] == "orbit":  # no footprint: found by backtracking (test_orbit_*)
        coverage = coverage_of(case)
        query = prepare_search(shape_of(case["query"]["type"], case["query"]["coords"]))
        found = sees(coverage.orbit_parameters, coverage.orbit, query)
        assert found is case["expect_match"], case["note"]
        return
    item_id = store(session, coverage_of(case), case["item"]["name"])
    query = prepare_search(shape_of(case["query"]["type"], case["query"]["coords"]))
    found = session.scalars(
        select(Collection.id).where(Collection.id == item_id, intersects(Collection, query))
    ).all()
    assert bool(found) is case["expect_match"], case["note"]
