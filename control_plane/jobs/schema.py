"""procrastinate's own tables, installed and upgraded from the SQL files it ships.

Its migrations are recorded in our ledger (schema_migrations) as `procrastinate/<file>`,
so a later version of the library brings only the files this database lacks. A new
database gets the library's full schema at once and every migration it contains recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from procrastinate.schema import SchemaManager

PREFIX = "procrastinate/"


def apply_queue_schema(connection: psycopg.Connection[Any]) -> list[str]:
    """Install or upgrade the queue's schema; return the versions applied now, as recorded.

    `connection` is autocommit, and the caller holds the migration lock.
    """
    migrations = sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql"))
    rows = connection.execute(
        "SELECT version FROM schema_migrations WHERE starts_with(version, %s)", (PREFIX,)
    )
    done = {str(row[0]) for row in rows}
    with connection.transaction():
        if done:
            pending = [path for path in migrations if PREFIX + path.stem not in done]
            for path in pending:
                connection.execute(path.read_bytes())
        else:
            pending = migrations
            connection.execute(SchemaManager.get_schema())
        for path in pending:
            connection.execute(
                "INSERT INTO schema_migrations (version) VALUES (%s)", (PREFIX + path.stem,)
            )
    return [PREFIX + path.stem for path in pending]
