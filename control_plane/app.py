"""The control plane's FastAPI app: `create_app()` for any ASGI server
(`uvicorn --factory control_plane.app:create_app`), started by `nocode serve`.

At start it applies the schema migrations (instances starting together take turns),
opens the connection pool and, unless IN_PROCESS_WORKER is off, takes its turn to run the
job worker (see jobs/in_process.py); on the way out it stops them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

import psycopg
from fastapi import FastAPI, Request

from control_plane.config import Settings, get_settings
from control_plane.db import create_pool
from control_plane.errors import UNHEALTHY, ApiError, install_error_handlers
from control_plane.insights.services.platform_collector import PlatformCollector
from control_plane.insights.services.writer import EventWriter
from control_plane.jobs.in_process import run_in_process_worker
from control_plane.logs import configure_logging
from control_plane.metrics import metrics_endpoint
from control_plane.middleware import RequestContext
from control_plane.migrate import migrate
from control_plane.modules import ROUTERS
from control_plane.runtime.services.forwarding import new_app_client

logger = logging.getLogger("control_plane.health")
SERVICE = "nocode control plane"
VERSION = version("nocode")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate, settings.database_url)
        pool = create_pool(settings)
        await pool.open(wait=True)
        app.state.pool = pool
        app.state.event_writer = EventWriter(pool)  # insights: tracked events' group commit
        app.state.event_writer.start()
        app.state.app_client = new_app_client(settings.app_timeout)  # runtime data
        stop = asyncio.Event()
        jobs = (
            asyncio.create_task(
                run_in_process_worker(
                    settings.database_url, settings.in_process_worker_concurrency, stop
                )
            )
            if settings.in_process_worker
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if jobs is not None:
                await jobs  # running jobs get WorkerSettings.shutdown_seconds to finish
            await app.state.event_writer.close()
            await app.state.app_client.aclose()
            await pool.close()

    app = FastAPI(
        title=SERVICE,
        version=VERSION,
        docs_url="/api/docs/",
        redoc_url="/api/redoc/",
        openapi_url="/api/schema/",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.platform_metrics = PlatformCollector()
    install_error_handlers(app)
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)

    @app.get("/health", tags=["health"])
    async def health(request: Request) -> dict[str, str]:
        """Liveness with a database check, for load balancers: 503 UNHEALTHY without it.
        Seed 002's fields (`status` healthy, `service`, `version`) and the database's."""
        try:
            async with request.app.state.pool.connection() as connection:
                await connection.execute("SELECT 1")
        except psycopg.OperationalError as error:
            logger.warning("health check failed: %s", type(error).__name__)
            raise ApiError(UNHEALTHY, {"database": "unavailable"}) from None
        return {"status": "healthy", "database": "ok", "service": SERVICE, "version": VERSION}

    return app
