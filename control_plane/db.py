"""The connection pool, the request's connection as a FastAPI dependency, and typed reads.

Connections are autocommit: a read is one statement, no BEGIN/COMMIT round trips. A write
that must be all or nothing (the change and its audit entry) opens a transaction.

Rows are read into the query module's own classes (`fetch_one(connection, Row, ...)`,
psycopg's `class_row`), never handed around as dicts.

When the database goes away, a request waits at most DB_POOL_TIMEOUT for a connection
(then answers 503, see errors.py), and the pool reconnects by itself once it is back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg.abc import Params, QueryNoTemplate
from psycopg.rows import TupleRow, class_row, scalar_row
from psycopg_pool import AsyncConnectionPool

from control_plane.config import Settings

# Plain cursors give tuples: rows meant to be read are fetched through fetch_one/fetch_all.
Conn = AsyncConnection[TupleRow]
Row = TypeVar("Row")
Value = TypeVar("Value")

# A reconnection attempt backs off exponentially; giving up after this many seconds lets
# the next request start a fresh attempt, so the service recovers soon after a long outage.
RECONNECT_TIMEOUT_SECONDS = 10.0


async def _configure(connection: AsyncConnection[Any]) -> None:
    await connection.set_autocommit(True)
    await connection.execute("SET TIME ZONE 'UTC'")


def create_pool(settings: Settings) -> AsyncConnectionPool[Conn]:
    return AsyncConnectionPool(
        settings.database_url,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        configure=_configure,
        connection_class=AsyncConnection[TupleRow],
        timeout=settings.db_pool_timeout,
        # One round trip proves a pooled connection alive before a request gets it:
        # connections the database dropped (restart, failover) are replaced, not served.
        check=AsyncConnectionPool.check_connection,
        reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
        open=False,
        name="control_plane",
    )


async def get_connection(request: Request) -> AsyncIterator[Conn]:
    pool: AsyncConnectionPool[Conn] = request.app.state.pool
    async with pool.connection() as connection:
        yield connection


Connection = Annotated[Conn, Depends(get_connection)]


async def fetch_one(
    connection: AsyncConnection[Any], row: type[Row], query: QueryNoTemplate, params: Params
) -> Row | None:
    """The first row of `query` as a `row`, or None."""
    async with connection.cursor(row_factory=class_row(row)) as cursor:
        await cursor.execute(query, params)
        return await cursor.fetchone()


async def fetch_all(
    connection: AsyncConnection[Any], row: type[Row], query: QueryNoTemplate, params: Params
) -> list[Row]:
    async with connection.cursor(row_factory=class_row(row)) as cursor:
        await cursor.execute(query, params)
        return await cursor.fetchall()


async def fetch_value(
    connection: AsyncConnection[Any], kind: type[Value], query: QueryNoTemplate, params: Params
) -> Value | None:
    """The first column of the first row of `query`, a `kind` (None without a row)."""
    async with connection.cursor(row_factory=scalar_row) as cursor:
        await cursor.execute(query, params)
        value = await cursor.fetchone()
    if value is not None and not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, the query returned {type(value).__name__}")
    return value
