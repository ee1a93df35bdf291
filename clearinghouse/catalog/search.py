"""Running a catalog ``Query``: what the caller may see, the hit count, and pages in a stable order.

Only live records appear: not deleted, visible, not past their DeleteTime, of a collection the
caller may read (``catalog.access``), and, for granules, of a live collection. Pages are read by
key (the sort key and the id of the last record served), not by OFFSET, so paging on while ingest
runs neither skips nor repeats; a result set also ignores records that arrived after it was made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from psycopg2.errors import QueryCanceled
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.sql.visitors import InternalTraversal

from clearinghouse.accounts.sessions import Caller
from clearinghouse.catalog import access
from clearinghouse.catalog.conditions import (
    Query,
    collection_ids,
    collection_resolver,
    granule_count,
)
from clearinghouse.catalog.models import Collection, Granule
from clearinghouse.errors import InvalidValue
from clearinghouse.inputs import unholdable

#: The largest page served at once.
PAGE_LIMIT = 2000
#: Hit counts are exact up to here; beyond, the planner's estimate, flagged as such.
EXACT_COUNT_LIMIT = 100_000
#: How long an exact count may take before the estimate stands in for it.
COUNT_BUDGET_MS = 30
#: Past this many expected hits, counting them is not even tried (rows scattered over a large
#: table: tens of thousands cost more than the search).
COUNT_EXPECTED_LIMIT = 10_000
_NEVER = "0001-01-01T00:00:00Z"  # sorts before any real time (and stays a datetime)

SORTS = ("natural", "start_time", "update_time")


def _model(target: str):
    return Collection if target == "collections" else Granule


@dataclasses.dataclass(frozen=True)
class SortKey:
    """One of CMR's sort keys (``SORT_FIELDS``, or ``score``: the keyword's rank)."""

    field: str
    descending: bool = False
    keyword: Any = None  # for score: the Keyword condition that ranks


def _of_collection(column) -> ColumnElement:
    """A granule's collection's column, as a sort key."""
    return select(column).where(Collection.id == Granule.collection_id).scalar_subquery()


_FAR = "9999-12-31T23:59:59Z"  # an ongoing record's end: after any real one
#: CMR's sort keys: the kind of value (how a key is read back), a collection's, a granule's.
SORT_FIELDS = {
    "start_date": ("time", lambda m: func.coalesce(m.temporal_start, _time(_NEVER))),
    "end_date": ("time", lambda m: func.coalesce(m.temporal_end, _time(_FAR))),
    "revision_date": ("time", lambda m: m.updated_at),
    "provider": ("text", lambda m: m.provider_id),
    "entry_title": (
        "text",
        lambda m: (
            Collection.dataset_id if m is Collection else _of_collection(Collection.dataset_id)
        ),
    ),
    "short_name": (
        "text",
        lambda m: (
            Collection.short_name if m is Collection else _of_collection(Collection.short_name)
        ),
    ),
    "entry_id": (
        "text",
        lambda m: (
            func.coalesce(Collection.entry_id, "")
            if m is Collection
            else _of_collection(func.coalesce(Collection.entry_id, ""))
        ),
    ),
    "granule_ur": ("text", lambda m: Granule.granule_ur),
    "producer_granule_id": ("text", lambda m: func.coalesce(Granule.producer_granule_id, "")),
    "cloud_cover": ("number", lambda m: func.coalesce(Granule.cloud_cover, -1.0)),
}


def _time(value: str):
    return text(f"'{value}'::timestamptz")


def _order(target: str, sort) -> list[tuple[ColumnElement, bool, str]]:
    """(column, descending, kind) of each key a result set is ordered by, ending with the id
    (unique: a total order). ``sort``: one of SORTS, or SortKeys."""
    model = _model(target)
    if not isinstance(sort, str):
        keys = []
        for key in sort:
            if key.field == "score":
                keys.append((key.keyword.score(), key.descending, "number"))
            else:
                kind, column = SORT_FIELDS[key.field]
                keys.append((column(model), key.descending, kind))
        return [*keys, (model.id, False, "id")]
    if sort == "start_time":
        first = [func.coalesce(model.temporal_start, _time(_NEVER))]
        kind = "time"
    elif sort == "update_time":
        first, kind = [model.updated_at], "time"
    elif target == "collections":
        first = [Collection.provider_id, Collection.short_name, Collection.version_id]
        kind = "text"
    else:
        first, kind = [], "text"
    return [*((column, False, kind) for column in first), (model.id, False, "id")]


def sort_keys(target: str, sort) -> list[ColumnElement]:
    """The columns a result set is ordered by, ending with the id (unique: a total order)."""
    return [column for column, _, _ in _order(target, sort)]


def _after(order: list[tuple[ColumnElement, bool, str]], values: list) -> ColumnElement[bool]:
    """Rows past the key ``values`` in ``order``: one row comparison when every key ascends (an
    index can serve it), else each key's own direction, the earlier keys equal."""
    if not any(descending for _, descending, _ in order):
        return tuple_(*(c for c, _, _ in order)) > tuple_(*(literal(v) for v in values))
    parts = []
    for i, (column, descending, _) in enumerate(order):
        equal = [order[j][0] == literal(values[j]) for j in range(i)]
        past = column < literal(values[i]) if descending else column > literal(values[i])
        parts.append(and_(*equal, past))
    return or_(*parts)


def live(model) -> list[ColumnElement[bool]]:
    return [
        model.deleted_at.is_(None),
        model.visible.is_(True),
        (model.delete_time.is_(None)) | (model.delete_time > func.now()),
    ]


def visible(target: str, caller: Caller) -> list[ColumnElement[bool]]:
    """What the caller may see of the collections or the granules.

    Granules are filtered by the collections the caller may *not* see (few: restricted, deleted
    or hidden ones), not by those it may see (nearly all): a long list of allowed collections
    would look to the planner like a selective condition and draw it away from the search's own.
    """
    readable = [*live(Collection), access.readable(caller)]
    if target == "collections":
        return readable
    hidden = collection_ids(not_(and_(*readable)))
    if isinstance(hidden, list):
        return [*live(Granule), *([Granule.collection_id.not_in(hidden)] if hidden else [])]
    return [*live(Granule), Granule.collection_id != func.all(hidden)]


@dataclasses.dataclass(frozen=True)
class Plan:
    """A query made ready to run for one caller."""

    query: Query
    caller: Caller
    sort: str = "natural"
    as_of: datetime | None = None
    _conditions: list | None = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.query.order and self.sort == "natural":  # CMR's sort_key
            object.__setattr__(self, "sort", self.query.order)

    @property
    def model(self):
        return _model(self.query.target)

    def conditions(self, session: Session) -> list[ColumnElement[bool]]:
        """Built once per plan (the count and the page share them), the collection-level
        conditions of a granule search settled first, in ``session``."""
        if self._conditions is None:
            with _resolving(session):
                parts = [*visible(self.query.target, self.caller), *self.query.where()]
            if self.as_of is not None:
                parts.append(self.model.created_at <= self.as_of)
            object.__setattr__(self, "_conditions", parts)
        return self._conditions

    def count(self, session: Session) -> tuple[int, bool]:
        """The hit count: exact when it is cheap, else the planner's estimate, flagged as such.
        Cheap: the planner expects at most COUNT_EXPECTED_LIMIT hits, and counting them (up to
        EXACT_COUNT_LIMIT) takes at most COUNT_BUDGET_MS."""
        statement = select(literal(1)).where(*self.conditions(session))
        plan = session.execute(Explain(statement)).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        expected = int(plan[0]["Plan"]["Plan Rows"])
        if expected > COUNT_EXPECTED_LIMIT:
            return expected, True
        capped = statement.limit(EXACT_COUNT_LIMIT + 1)
        found = within_budget(session, select(func.count()).select_from(capped.subquery()))
        if found is not None and found <= EXACT_COUNT_LIMIT:
            return found, False
        return max(expected, found or 0), True

    def page(
        self,
        session: Session,
        *,
        size: int,
        after: list | None = None,
        skip: int = 0,
        columns: tuple = (),
    ):
        """Rows (id, provider_id, the sort key…, then ``columns``, by default the XML) of one
        page: after the key ``after``, or ``skip`` rows from the start."""
        order = _order(self.query.target, self.sort)
        keys = [column for column, _, _ in order]
        model = self.model
        extra = ()
        if self.query.granule_counts is not None and self.query.target == "collections":
            with _resolving(session):  # a count by area backtracks orbits, as a search does
                extra = (granule_count(list(self.query.granule_counts)),)
        statement: Select = select(
            model.id, model.provider_id, *keys, *(columns or (model.xml,)), *extra
        ).where(*self.conditions(session))
        skip = skip or self.query.skip
        if after is not None:
            if self.query.skip:
                raise InvalidValue("CMR-Search-After: not with page_num or offset (CMR's rule)")
            statement = statement.where(_after(order, after))
        elif skip:
            statement = statement.offset(skip)
        ordering = [column.desc() if descending else column for column, descending, _ in order]
        return session.execute(statement.order_by(*ordering).limit(size)).all()


@contextlib.contextmanager
def _resolving(session: Session):
    """Where granule conditions are built: the collections they depend on (orbit parameters)
    read in ``session``."""
    token = collection_resolver.set(lambda q: list(session.scalars(q)))
    try:
        yield
    finally:
        collection_resolver.reset(token)


def within_budget(session: Session, statement: Select) -> int | None:
    """The statement's scalar, or None when it takes longer than COUNT_BUDGET_MS: counting
    tens of thousands of rows scattered over a large table costs more than a search should.

    The timeout is set inside a savepoint that is rolled back afterwards, whatever happened: that
    restores the transaction's own timeout exactly (and the count changed nothing to keep). Plain
    driver statements, two of them in each round trip: a search should not pay five for this."""
    connection = session.connection()
    connection.exec_driver_sql(
        f"SAVEPOINT count_budget; SET LOCAL statement_timeout = '{COUNT_BUDGET_MS}ms'"
    )
    try:
        return session.scalar(statement)
    except OperationalError as error:
        if isinstance(error.orig, QueryCanceled):
            return None
        raise
    finally:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT count_budget; RELEASE count_budget")


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, its parameters bound as it binds them; compiled
    once per statement shape, as the statement itself is (its cache key is the statement's)."""

    _traverse_internals: ClassVar = [("statement", InternalTraversal.dp_clauseelement)]
    inherit_cache = True

    def __init__(self, statement: Select):
        self.statement = statement

    @property
    def _all_selected_columns(self) -> list:  # the plan is read by position, not by name
        return []


@compiles(Explain)
def _explain(element: Explain, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def check_page_size(size: int, where: str) -> int:
    if not 1 <= size <= PAGE_LIMIT:
        raise InvalidValue(f"{where}: {size} is not from 1 to {PAGE_LIMIT} (the page size limit)")
    return size


def key_of(row, target: str, sort: str) -> list:
    """The sort key of a page's row, as JSON can keep it."""
    values = list(row[2 : 2 + len(sort_keys(target, sort))])
    out = []
    for value in values:
        out.append(value.isoformat() if isinstance(value, datetime) else value)
    return out


def key_values(key: list, target: str, sort) -> list:
    """A stored key back into values to compare with."""
    order = _order(target, sort)
    wrong = InvalidValue("the position in the results is not one this server gave")
    if not isinstance(key, list) or len(key) != len(order):
        raise wrong
    out = []
    for value, (_, _, kind) in zip(key, order, strict=True):
        out.append(_key_value(value, kind, wrong))
    return out


def _key_value(value, kind: str, wrong: InvalidValue):
    if kind == "id":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
            raise wrong
    elif kind == "time":
        try:
            return datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise wrong from None
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
    elif not isinstance(value, str) or unholdable(value) is not None:
        raise wrong
    return value


def iso(moment: datetime | None) -> str | None:
    """A time as results show it: ISO 8601 in UTC, with Z."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
