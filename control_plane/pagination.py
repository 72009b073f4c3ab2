"""Lists as the seeds show them: `{"count", "next", "previous", "results"}`, with absolute
links, `page` from 1 and `page_size` up to 100."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from control_plane.db import Conn

Item = TypeVar("Item")
MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[Item]):
    count: int
    next: str | None
    previous: str | None
    results: list[Item]


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


def page_of(request: Request, params: PageParams, count: int, results: list[Any]) -> dict[str, Any]:
    def link(page: int) -> str:
        return str(request.url.include_query_params(page=page, page_size=params.page_size))

    has_next = params.offset + len(results) < count
    return {
        "count": count,
        "next": link(params.page + 1) if has_next else None,
        "previous": link(params.page - 1) if params.page > 1 else None,
        "results": results,
    }


@dataclass(frozen=True)
class Listing:
    """A paginated query, in parts: `SELECT {columns} {source} ORDER BY {order}`.

    The parts are constants of the code; values come only as named parameters."""

    columns: str
    source: str  # FROM ... [WHERE ...], with %(name)s parameters
    order: str


async def fetch_page(
    connection: Conn,
    request: Request,
    params: PageParams,
    listing: Listing,
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """One page of `listing` and the count of all its rows, as `page_of` shapes them."""
    cursor = await connection.execute(f"SELECT count(*) AS count {listing.source}", values)
    counted = await cursor.fetchone()
    count = int(counted["count"]) if counted else 0
    cursor = await connection.execute(
        f"SELECT {listing.columns} {listing.source} ORDER BY {listing.order} "
        "LIMIT %(page_limit)s OFFSET %(page_offset)s",
        {**values, "page_limit": params.limit, "page_offset": params.offset},
    )
    return page_of(request, params, count, await cursor.fetchall())
