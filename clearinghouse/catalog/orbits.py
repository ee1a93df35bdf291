"""Spatial searches on granules answered by backtracking for the granules of orbit collections.

An orbit granule has no footprint (``spatial.backtrack``): for each orbit collection a search
shape becomes windows of ascending-crossing longitude and circular latitude, one indexed
condition on (collection, crossing) per collection. Collection searches do no backtracking, but
their granule counts are counted by the granule conditions, so they agree.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select, text

from clearinghouse.catalog.models import Collection
from spatial.backtrack import Window, search_windows
from spatial.shapes import OrbitParameters


def orbit_collections(
    resolve, scope: list[ColumnElement[bool]]
) -> list[tuple[int, OrbitParameters]]:
    """The collections with orbit parameters (a swath width: what CMR asks) among those the
    ``scope`` conditions allow, by ``resolve`` (the plan's collection resolver), which runs the
    statement and returns its scalars."""
    statement = select(func.jsonb_build_array(Collection.id, Collection.orbit)).where(
        Collection.orbit.op("?")("swath_width_km"), *scope
    )
    return [(int(cid), OrbitParameters(**orbit)) for cid, orbit in resolve(statement)]


def backtracked(shape, resolve, scope: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """One condition per orbit collection in scope taking part in a search by ``shape``."""
    out = []
    for cid, parameters in orbit_collections(resolve, scope):
        windows = search_windows(parameters, shape)
        if windows is not None:
            out.append(text(seen_sql(cid, windows)))
    return out


def seen_sql(cid: int, windows: list[Window]) -> str:
    """The granules of collection ``cid`` some window sees, as SQL text of numbers we computed.
    Text, not bound expressions: compiling hundreds of bound comparisons per search costs more
    than running them. The collection's id typed bigint, as the index has it."""
    seen = []
    for w in windows:
        crossings = [
            f"granules.orbit_asc_crossing BETWEEN {_n(a)} AND {_n(b)}" for a, b in w.longitudes
        ]
        clats = [
            f"(granules.orbit_start_clat <= {_n(b)} AND granules.orbit_end_clat >= {_n(a)})"
            for a, b in w.clats
        ]
        seen.append(f"({_any(crossings)} AND {_any(clats)})")
    return f"(granules.collection_id = {int(cid)}::bigint AND {_any(seen)})"


def _any(parts: list[str]) -> str:
    return "(" + (" OR ".join(parts) or "false") + ")"


def _n(value: float) -> str:
    """A float exactly as SQL reads it back (float8: the columns' type)."""
    return f"{float(value)!r}::float8"
