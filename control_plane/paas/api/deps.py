"""The PaaS handlers' own dependency: the server's connection pool, for the runs of the
ledger a DELETE writes while it holds the deployment's row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

PoolType = AsyncConnectionPool[AsyncConnection[Any]]


async def get_pool(request: Request) -> PoolType:
    pool: PoolType = request.app.state.pool
    return pool


Pool = Annotated[PoolType, Depends(get_pool)]
