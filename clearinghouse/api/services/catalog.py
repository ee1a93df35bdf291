"""CatalogService: AQL queries (ExecuteQueryRequest) and paging through their result sets
(GetQueryResultsRequest). Anyone may search; each sees what access control lets it see.

A result set belongs to the session that made it (a guest without a token: to guests without
one) and ends after an hour unused. It keeps the query as sent and re-runs it page by page,
reading on by key from where the last page ended, and leaving out records that arrived after it
was made: paging while ingest runs neither skips nor repeats.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from lxml import etree
from sqlalchemy import func, select

from clearinghouse import xmlsafe
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields, boolean_text
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.catalog import aql, search
from clearinghouse.catalog.conditions import item_id
from clearinghouse.catalog.models import Collection, Granule, ResultSet
from clearinghouse.errors import ClearinghouseError, InvalidValue, NotFound

SERVICE = "CatalogService"
#: A result set not used for this long is gone.
RESULT_SET_IDLE = timedelta(hours=1)
DEFAULT_PAGE = 10
FORMATS = ["ECHO10", "BRIEF"]
RESULT_TYPES = ["RESULTS", "HITS"]


def query_element(holder: etree._Element) -> etree._Element:
    """The AQL ``<query>``, sent inline or as text (then errors give lines within that text)."""
    if any(isinstance(child.tag, str) for child in holder):
        return holder
    text = (holder.text or "").strip()
    if not text:
        raise InvalidValue(
            "ExecuteQueryRequest/query: empty: send an AQL <query> inline or as text"
        )
    try:
        query = xmlsafe.parse(text.encode("utf-8"))
    except ClearinghouseError as exc:
        exc.message = f"in the AQL query: {exc.message}"
        raise
    if query.tag != "query":
        raise InvalidValue(f"in the AQL query: the root is <{query.tag}>, not <query>", line=1)
    return query


def _in_query(function, element):
    try:
        return function(element)
    except ClearinghouseError as exc:
        if not exc.message.startswith("in the AQL query"):
            exc.message = f"in the AQL query: {exc.message}"
        raise


@REGISTRY.transaction(SERVICE, "ExecuteQueryRequest", who=Who.ANYONE)
def execute_query(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    query_text = query_element(request.find("query"))
    query = _in_query(aql.read, query_text)
    result_type = fields.choice("ResultType", RESULT_TYPES) or "RESULTS"
    size = search.check_page_size(
        fields.integer("IteratorSize", minimum=0) or DEFAULT_PAGE,
        "ExecuteQueryRequest/IteratorSize",
    )
    cursor = fields.integer("Cursor", minimum=1, maximum=2**62) or 1
    max_results = fields.integer("MaxResults", minimum=1, maximum=2**62)
    result_format = fields.choice("ResultFormat", FORMATS) or "ECHO10"
    sort = fields.choice("SortBy", list(search.SORTS)) or "natural"

    as_of = call.session.scalar(select(func.now()))
    plan = search.Plan(query, call.caller, sort, as_of)
    result_set = ResultSet(
        guid=str(uuid.uuid4()),
        session_id=call.caller.session_id,
        target=query.target,
        query=etree.tostring(query_text, encoding="unicode", with_tail=False),
        sort=sort,
        result_format=result_format,
        hits=0,
        hits_estimated=False,
        max_results=max_results,
        as_of=as_of,
        position=0,
        last_used_at=as_of,
    )
    page = _page(call, result_set, plan, cursor, size) if result_type == "RESULTS" else None
    returned = int(page[1].text) if page else 0
    if page and cursor == 1 and returned < size:
        hits, estimated = returned, False  # the whole answer is on this page: no count needed
    else:
        hits, estimated = plan.count(call.session)
    if max_results is not None and hits > max_results:
        hits, estimated = max_results, False
    result_set.hits, result_set.hits_estimated = hits, estimated
    call.session.add(result_set)
    response = E.ExecuteQueryResponse(
        E.ResultSetGuid(result_set.guid),
        E.Hits(str(hits), estimated=boolean_text(estimated)),
    )
    if page:
        response.extend(page)
    call.session.flush()
    return response


@REGISTRY.transaction(SERVICE, "GetQueryResultsRequest", who=Who.ANYONE)
def get_query_results(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    guid = fields.required("ResultSetGuid", max_length=36)
    size = search.check_page_size(
        fields.integer("IteratorSize", minimum=0) or DEFAULT_PAGE,
        "GetQueryResultsRequest/IteratorSize",
    )
    result_set = _result_set(call, guid)
    cursor = fields.integer("Cursor", minimum=1, maximum=2**62) or result_set.position + 1
    query = aql.read(etree.fromstring(result_set.query))
    plan = search.Plan(query, call.caller, result_set.sort, result_set.as_of)
    response = E.GetQueryResultsResponse(
        E.ResultSetGuid(guid),
        E.Hits(str(result_set.hits), estimated=boolean_text(result_set.hits_estimated)),
    )
    response.extend(_page(call, result_set, plan, cursor, size))
    return response


def _result_set(call: Call, guid: str) -> ResultSet:
    try:
        uuid.UUID(guid)
    except ValueError:
        raise InvalidValue(f"ResultSetGuid: {guid!r} is not a result set id") from None
    result_set = call.session.get(ResultSet, guid, with_for_update=True)
    if result_set is None or result_set.session_id != call.caller.session_id:
        raise NotFound(f"no result set {guid} in this session")
    now = call.session.scalar(select(func.now()))
    if now - result_set.last_used_at > RESULT_SET_IDLE:
        call.session.delete(result_set)
        raise NotFound(f"the result set {guid} expired after {RESULT_SET_IDLE} unused: query again")
    result_set.last_used_at = now
    return result_set


def _page(call: Call, result_set: ResultSet, plan, cursor: int, size: int) -> list:
    """Cursor, ItemsReturned and the records from position ``cursor`` on."""
    limit = result_set.max_results
    if limit is not None:
        size = max(0, min(size, limit - cursor + 1))
    rows = []
    if size:
        if cursor == result_set.position + 1 and result_set.last_key is not None:
            after = search.key_values(result_set.last_key, plan.query.target, plan.sort)
            rows = plan.page(call.session, size=size, after=after)
        else:  # a jump: counted from the start
            rows = plan.page(call.session, size=size, skip=cursor - 1)
    if rows:
        result_set.position = cursor + len(rows) - 1
        result_set.last_key = search.key_of(rows[-1], plan.query.target, plan.sort)
    results = E.Results(*_results(call, plan.query.target, result_set.result_format, rows))
    return [E.Cursor(str(cursor)), E.ItemsReturned(str(len(rows))), results]


def _results(call: Call, target: str, result_format: str, rows) -> list[etree._Element]:
    kind = "C" if target == "collections" else "G"
    if result_format == "BRIEF":
        return _brief(call, target, rows)
    out = []
    for row in rows:
        result = E.Result(itemId=item_id(kind, row.id, row.provider_id), provider=row.provider_id)
        result.append(etree.fromstring(row.xml))
        out.append(result)
    return out


def _brief(call: Call, target: str, rows) -> list[etree._Element]:
    """Ids and the main fields, from the columns (no XML parsed)."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    if target == "collections":
        found = {
            c.id: c
            for c in call.session.execute(
                select(
                    Collection.id,
                    Collection.short_name,
                    Collection.version_id,
                    Collection.dataset_id,
                    Collection.temporal_start,
                    Collection.temporal_end,
                    Collection.updated_at,
                ).where(Collection.id.in_(ids))
            )
        }
        return [
            E.Result(
                E.ShortName(found[row.id].short_name),
                E.VersionId(found[row.id].version_id),
                E.DataSetId(found[row.id].dataset_id),
                *_times(found[row.id]),
                itemId=item_id("C", row.id, row.provider_id),
                provider=row.provider_id,
            )
            for row in rows
        ]
    found = {
        g.id: g
        for g in call.session.execute(
            select(
                Granule.id,
                Granule.granule_ur,
                Granule.collection_id,
                Collection.dataset_id,
                Granule.temporal_start,
                Granule.temporal_end,
                Granule.updated_at,
                Granule.cloud_cover,
            )
            .join(Collection, Collection.id == Granule.collection_id)
            .where(Granule.id.in_(ids))
        )
    }
    out = []
    for row in rows:
        g = found[row.id]
        result = E.Result(
            E.GranuleUR(g.granule_ur),
            E.CollectionItemId(item_id("C", g.collection_id, row.provider_id)),
            E.DataSetId(g.dataset_id),
            *_times(g),
            itemId=item_id("G", row.id, row.provider_id),
            provider=row.provider_id,
        )
        if g.cloud_cover is not None:
            result.append(E.CloudCover(f"{g.cloud_cover:g}"))
        out.append(result)
    return out


def _times(row) -> list[etree._Element]:
    out = []
    if row.temporal_start is not None:
        out.append(E.StartTime(search.iso(row.temporal_start)))
    if row.temporal_end is not None:
        out.append(E.EndTime(search.iso(row.temporal_end)))
    out.append(E.LastUpdate(search.iso(row.updated_at)))
    return out
