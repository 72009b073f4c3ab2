"""Lists as the seeds show them: `{"count", "next", "previous", "results"}`, with absolute
links, `page` from 1 and `page_size` up to 100."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from psycopg import AsyncConnection, sql
from pydantic import BaseModel

from control_plane.db import fetch_all, fetch_value

Item = TypeVar("Item")
Other = TypeVar("Other")
Row = TypeVar("Row")
MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[Item]):
    count: int
    next: str | None
    previous: str | None
    results: list[Item]

    def map(self, convert: Callable[[Item], Other]) -> Page[Other]:
        """The same page, each result converted (a row into its public model)."""
        results = [convert(item) for item in self.results]
        return Page(count=self.count, next=self.next, previous=self.previous, results=results)


class PageParams:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    ) -> None:
        self.page = page
        self.page_size = page_size

    @property
    def limit(self) -> int:
        return self.page_size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


Pagination = Annotated[PageParams, Depends()]


def page_of(request: Request, params: PageParams, count: int, results: list[Item]) -> Page[Item]:
    def link(page: int) -> str:
        return str(request.url.include_query_params(page=page, page_size=params.page_size))

    has_next = params.offset + len(results) < count
    return Page(
        count=count,
        next=link(params.page + 1) if has_next else None,
        previous=link(params.page - 1) if params.page > 1 else None,
        results=results,
    )


@dataclass(frozen=True)
class Listing(Generic[Row]):
    """A paginated query, in parts: `SELECT {columns} {source} ORDER BY {order}`, read into
    `row` (psycopg's class_row).

    The parts are `psycopg.sql` objects, statements of the code composed by psycopg, never
    text; values come only as named parameters (`%(name)s`)."""

    row: type[Row]
    columns: sql.Composable
    source: sql.Composable  # FROM ... [WHERE ...]
    order: sql.Composable


_COUNT = sql.SQL("SELECT count(*) {source}")
_PAGE = sql.SQL(
    "SELECT {columns} {source} ORDER BY {order} LIMIT %(page_limit)s OFFSET %(page_offset)s"
)


async def fetch_page(
    connection: AsyncConnection[Any],
    request: Request,
    params: PageParams,
    listing: Listing[Row],
    values: Mapping[str, Any],
) -> Page[Row]:
    """One page of `listing` and the count of all its rows."""
    count = await fetch_value(connection, int, _COUNT.format(source=listing.source), values)
    statement = _PAGE.format(columns=listing.columns, source=listing.source, order=listing.order)
    bounds = {"page_limit": params.limit, "page_offset": params.offset}
    rows = await fetch_all(connection, listing.row, statement, {**values, **bounds})
    return page_of(request, params, count or 0, rows)
