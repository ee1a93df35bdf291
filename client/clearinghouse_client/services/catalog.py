"""CatalogService: AQL searches, their hits and their result sets page by page."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from clearinghouse_client.errors import InvalidValue
from clearinghouse_client.query import Query
from clearinghouse_client.services.base import Service
from clearinghouse_client.values import Collection, Granule
from clearinghouse_client.xml import E, optional, text

#: The largest page the server sends.
MAX_PAGE = 2000
FORMATS = ("ECHO10", "BRIEF")
SORTS = ("natural", "start_time", "update_time")


class CatalogService(Service):
    """Searching the catalog: ``session.catalog.search(query)``."""

    name = "CatalogService"

    def search(
        self,
        query: Query,
        *,
        page_size: int = 100,
        result_format: str = "ECHO10",
        sort: str = "natural",
        max_results: int | None = None,
    ) -> Results:
        """The records the query finds, as :class:`Results`: iterate it (pages are fetched as
        needed), or ask its :meth:`~Results.hits`. Granule queries give
        :class:`~clearinghouse_client.values.Granule` values, collection queries
        :class:`~clearinghouse_client.values.Collection` ones. ``result_format`` BRIEF leaves the
        ECHO 10 records out; ``sort`` is natural, start_time or update_time."""
        if not 1 <= page_size <= MAX_PAGE:
            raise InvalidValue(
                f"ExecuteQueryRequest/IteratorSize: {page_size} is not from 1 to {MAX_PAGE}"
                " (the page size limit)"
            )
        if result_format.upper() not in FORMATS:
            raise InvalidValue(
                f"ExecuteQueryRequest/ResultFormat: {result_format!r} is not one of"
                f" {', '.join(FORMATS)}"
            )
        if sort not in SORTS:
            raise InvalidValue(
                f"ExecuteQueryRequest/SortBy: {sort!r} is not one of {', '.join(SORTS)}"
            )
        return Results(self, query, page_size, result_format.upper(), sort, max_results)

    def hits(self, query: Query) -> int:
        """How many records the query finds, without fetching any."""
        answer = self._perform(_execute(query, "HITS", 1, "BRIEF", "natural", None))
        return int(text(answer, "Hits"))


def _execute(query, result_type, size, result_format, sort, max_results) -> etree._Element:
    return E.ExecuteQueryRequest(
        query.to_xml(),
        E.ResultType(result_type),
        E.IteratorSize(str(size)),
        *optional("MaxResults", max_results),
        E.ResultFormat(result_format),
        E.SortBy(sort),
    )


class Results:
    """A search's result set, fetched page by page as it is iterated. Iterating again starts
    from the first record of the same result set (what was found when the search ran)."""

    def __init__(self, catalog, query, page_size, result_format, sort, max_results):
        self._catalog = catalog
        self.query = query
        self.page_size = page_size
        self.result_format = result_format
        self.sort = sort
        self.max_results = max_results
        self._guid: str | None = None
        self._hits: int | None = None
        #: Whether :meth:`hits` is the server's estimate rather than an exact count.
        self.estimated = False
        self._first: list | None = None
        self._value = Granule if query.target == "granules" else Collection

    def __repr__(self) -> str:
        return f"<Results of {self.query.target}, hits={self._hits}>"

    def _start(self) -> None:
        answer = self._catalog._perform(
            _execute(
                self.query,
                "RESULTS",
                self.page_size,
                self.result_format,
                self.sort,
                self.max_results,
            )
        )
        self._read_head(answer)
        self._first = self._records(answer)

    def _read_head(self, answer: etree._Element) -> None:
        self._guid = text(answer, "ResultSetGuid")
        hits = answer.find("Hits")
        self._hits = int(hits.text)
        self.estimated = hits.get("estimated") == "true"

    def _records(self, answer: etree._Element) -> list:
        return [self._value.from_xml(r) for r in answer.iterfind("Results/Result")]

    def hits(self) -> int:
        """How many records the result set holds (the search is run if it was not yet)."""
        if self._hits is None:
            self._start()
        return self._hits

    def pages(self) -> Iterator[list]:
        """The result set page by page (lists of up to ``page_size`` values)."""
        if self._first is None:
            self._start()
            page, cursor = self._first, 1
        else:
            page, cursor = self._fetch(1), 1
        while page:
            yield page
            cursor += len(page)
            if len(page) < self.page_size or cursor > self._hits:
                return
            page = self._fetch(cursor)

    def _fetch(self, cursor: int) -> list:
        answer = self._catalog._perform(
            E.GetQueryResultsRequest(
                E.ResultSetGuid(self._guid),
                E.IteratorSize(str(self.page_size)),
                E.Cursor(str(cursor)),
            )
        )
        self._read_head(answer)
        return self._records(answer)

    def __iter__(self) -> Iterator:
        for page in self.pages():
            yield from page
