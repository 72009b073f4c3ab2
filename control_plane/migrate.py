"""The control plane's schema: the job queue's own (procrastinate's, see jobs/schema.py),
then the SQL files of control_plane/migrations/, applied in name order, each once and in
one transaction, recorded in `schema_migrations`.

The service applies them at start and `nocode migrate` on demand. Instances starting
together take turns on a PostgreSQL advisory lock, so none applies a file twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from control_plane.jobs.schema import PREFIX as QUEUE_PREFIX
from control_plane.jobs.schema import apply_queue_schema
from platform_support.errors import UserError

logger = logging.getLogger("control_plane.migrate")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK = 7_112_001  # shared by every control-plane instance on a database

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(UserError):
    """A migration failed; it was rolled back, the later ones not tried."""

    code = "MIGRATION_FAILED"


def migrate(database_url: str, folder: Path = MIGRATIONS) -> list[str]:
    """Apply the files not applied yet; return their versions, in order."""
    applied_now: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK,))
        try:
            connection.execute(_LEDGER)
            try:
                applied_now += apply_queue_schema(connection)
            except psycopg.Error as error:
                reason = error.diag.message_primary or str(error)
                raise MigrationError(f"the job queue's schema failed: {reason}") from None
            done = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
            for path in sorted(folder.glob("*.sql")):
                if path.stem in done:
                    continue
                try:
                    with connection.transaction():
                        connection.execute(path.read_bytes())
                        connection.execute(
                            "INSERT INTO schema_migrations (version) VALUES (%s)", (path.stem,)
                        )
                except psycopg.Error as error:
                    reason = error.diag.message_primary or str(error)
                    raise MigrationError(f"migration {path.name} failed: {reason}") from None
                logger.info("applied migration %s", path.name)
                applied_now.append(path.stem)
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK,))
    return applied_now


def summary(applied: list[str]) -> str:
    """One line for the versions `migrate` applied: ours by name, the queue's counted."""
    queue = [version for version in applied if version.startswith(QUEUE_PREFIX)]
    ours = [version for version in applied if not version.startswith(QUEUE_PREFIX)]
    parts = ours + ([f"the job queue's schema ({len(queue)} files)"] if queue else [])
    return f"applied {', '.join(parts)}" if parts else "no migration to apply"
