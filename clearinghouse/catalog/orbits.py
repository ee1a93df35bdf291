"""Spatial searches on granules answered by backtracking for the granules of orbit collections.

An orbit granule has no footprint (``spatial.backtrack``): for each orbit collection a search
shape becomes windows of ascending-crossing longitude and circular latitude, one indexed
condition on (collection, crossing) per collection. Collection searches do no backtracking, but
their granule counts are counted by the granule conditions, so they agree.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ColumnElement, and_, cast, func, literal, or_, select

from clearinghouse.catalog.models import Collection, Granule
from spatial.backtrack import Window, search_windows
from spatial.shapes import OrbitParameters


def orbit_collections(resolve) -> list[tuple[int, OrbitParameters]]:
    """Every collection with orbit parameters (a swath width: what CMR asks), by ``resolve``
    (the plan's collection resolver), which runs the statement and returns its scalars."""
    statement = select(func.jsonb_build_array(Collection.id, Collection.orbit)).where(
        Collection.orbit.op("?")("swath_width_km")
    )
    return [(int(cid), OrbitParameters(**orbit)) for cid, orbit in resolve(statement)]


def backtracked(shape, resolve) -> list[ColumnElement[bool]]:
    """One condition per orbit collection taking part in a search by ``shape``."""
    out = []
    for cid, parameters in orbit_collections(resolve):
        windows = search_windows(parameters, shape)
        if windows is None:
            continue
        seen = or_(*(_window(w) for w in windows)) if windows else literal(False)
        out.append(and_(Granule.collection_id == cast(literal(cid), BigInteger), seen))
    return out


def _window(window: Window) -> ColumnElement[bool]:
    clats = or_(*(and_(Granule.orbit_start_clat <= high, Granule.orbit_end_clat >= low)
                  for low, high in window.clats))  # fmt: skip
    crossings = or_(*(Granule.orbit_asc_crossing.between(low, high)
                      for low, high in window.longitudes))  # fmt: skip
    return and_(crossings, clats)
