"""The connection pool, and the request's connection as a FastAPI dependency.

Connections are autocommit: a read is one statement, no BEGIN/COMMIT round trips. A write
that must be all or nothing (the change and its audit entry) opens a transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from control_plane.config import Settings

Conn = AsyncConnection[DictRow]


async def _configure(connection: AsyncConnection[Any]) -> None:
    await connection.set_autocommit(True)
    await connection.execute("SET TIME ZONE 'UTC'")


def create_pool(settings: Settings) -> AsyncConnectionPool[Conn]:
    return AsyncConnectionPool(
        settings.database_url,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        kwargs={"row_factory": dict_row},
        configure=_configure,
        connection_class=AsyncConnection[DictRow],
        open=False,
    )


async def _connection(request: Request) -> AsyncIterator[Conn]:
    pool: AsyncConnectionPool[Conn] = request.app.state.pool
    async with pool.connection() as connection:
        yield connection


Connection = Annotated[Conn, Depends(_connection)]
