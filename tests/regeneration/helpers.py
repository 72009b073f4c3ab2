"""Helpers of the regeneration tests: generate a version, serve it, read the records and
the shape of its database."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from generator.generate import GenerationResult, generate
from tests.conftest import (
    CRM_SPEC,
    RunningApp,
    app_environment,
    fresh_database,
    nocode,
    start_app,
)
from tests.regeneration.versions import write_spec


def generate_version(
    folder: Path, spec: dict[str, Any], repo: Path, *, force: bool = False, git: bool = False
) -> GenerationResult:
    version = spec["project"]["version"]
    return generate(write_spec(folder, spec, f"v{version}.yaml"), repo, force=force, git=git)


@contextmanager
def serving(repo: Path, database_url: str) -> Iterator[RunningApp]:
    """The app in `repo` migrated and served on `database_url`, stopped afterwards."""
    app = start_app(repo, database_url)
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)


class Api:
    """The records API of a running app, failing loudly on an unexpected status."""

    def __init__(self, app: RunningApp) -> None:
        self.app = app
        self.http = httpx.Client(timeout=30, headers=app.headers())

    def create(self, table: str, values: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = self.http.post(f"{self.app.api}tables/{table}/", json=values)
        assert response.status_code == status, response.text
        return dict(response.json())

    def get(self, table: str, record_id: int) -> dict[str, Any]:
        response = self.http.get(f"{self.app.api}tables/{table}/{record_id}/")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def patch(
        self, table: str, record_id: int, values: dict[str, Any], status: int = 200
    ) -> dict[str, Any]:
        response = self.http.patch(f"{self.app.api}tables/{table}/{record_id}/", json=values)
        assert response.status_code == status, response.text
        return dict(response.json())

    def count(self, table: str) -> int:
        response = self.http.get(f"{self.app.api}tables/{table}/")
        assert response.status_code == 200, response.text
        return int(response.json()["count"])


# Every column, constraint, index, trigger, sequence and comment of the public schema, in a
# form that does not depend on how the database got there (column order aside). The
# NOT NULL constraints PostgreSQL 18 names keep their first name through a rename: the
# columns' nullability stands for them.
_SHAPE = """
SELECT 'column', table_name || '.' || column_name,
       concat_ws(' ', data_type, character_maximum_length, numeric_precision, numeric_scale,
                 is_nullable, column_default)
FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'constraint', conrelid::regclass || '.' || conname,
       pg_get_constraintdef(oid) || ' valid=' || convalidated
FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n'
UNION ALL
SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'trigger', tgrelid::regclass || '.' || tgname, pg_get_triggerdef(oid)
FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'sequence', sequence_name, data_type
FROM information_schema.sequences WHERE sequence_schema = 'public'
UNION ALL
SELECT 'comment', c.relname || '.' || coalesce(a.attname, ''), d.description
FROM pg_description d
JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
ORDER BY 1, 2, 3
"""


def database_shape(database_url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(database_url) as connection:
        return [tuple(row) for row in connection.execute(_SHAPE).fetchall()]


def applied_migrations(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (outside .git) and its digest: to prove nothing changed."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def migrate(repo: Path, database: str) -> subprocess.CompletedProcess[str]:
    """`python -m app migrate` in the generated repository, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        cwd=repo,
        env=app_environment(database),
        capture_output=True,
        text=True,
    )


def upgrade_by_regenerating(repo: Path, database: str, pg_server: str, announced: str) -> None:
    """Regenerate the CRM app `repo`, made as an older generator made it, and migrate its
    `database`: `nocode diff` announces `announced`, one migration applies, and the database
    then has the shape of a fresh CRM app's (generated and migrated beside `repo`)."""
    planned = nocode("diff", str(CRM_SPEC), str(repo))
    assert planned.returncode == 0, planned.stderr
    assert announced in planned.stdout
    generated = nocode("generate", str(CRM_SPEC), "--out", str(repo))
    assert generated.returncode == 0, generated.stderr
    done = migrate(repo, database)
    assert done.returncode == 0, done.stderr
    assert applied_migrations(database) == ["0001_initial", "0002_v1_0_0"]
    fresh_repo, fresh = repo.parent / "fresh", fresh_database(pg_server)
    assert nocode("generate", str(CRM_SPEC), "--out", str(fresh_repo)).returncode == 0
    assert migrate(fresh_repo, fresh).returncode == 0
    assert database_shape(database) == database_shape(fresh)


def _record_revision(repo: Path, revision: int | None) -> None:
    """Record `revision` (None: none, as generators before revisions) in `repo`'s specs."""
    for recorded in (repo / "nocode.spec.json", repo / ".nocode/base/nocode.spec.json"):
        document = json.loads(recorded.read_text(encoding="utf-8"))
        if revision is None:
            del document["generated_by"]["schema_revision"]
        else:
            document["generated_by"]["schema_revision"] = revision
        recorded.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


# What a generator of schema revision 3 wrote for exact counts: change counters.
CHANGE_COUNTERS = """\
-- Change counters: lists reuse an exact count while its table has not changed.
CREATE TABLE nocode_changes (
    table_name text NOT NULL,
    slot smallint NOT NULL,
    changes bigint NOT NULL,
    PRIMARY KEY (table_name, slot)
);

CREATE FUNCTION nocode_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO nocode_changes AS c (table_name, slot, changes)
    VALUES (TG_TABLE_NAME, pg_backend_pid() % 8, 1)
    ON CONFLICT (table_name, slot) DO UPDATE SET changes = c.changes + 1;
    RETURN NULL;
END
$$;

"""
_DELTAS_SETUP = re.compile(r"-- Count deltas:.*?nocode_count_prune\(.*?\n\$\$;\n\n", re.DOTALL)
_FIRST_COUNT_TRIGGER = re.compile(
    r"CREATE TRIGGER \w+__counts_inserted AFTER INSERT ON (\w+)\n.*?;\n", re.DOTALL
)
_OTHER_COUNT_TRIGGER = re.compile(
    r"CREATE TRIGGER \w+__counts_(updated|deleted|truncated) .*?;\n", re.DOTALL
)


def as_generated_before_count_deltas(repo: Path) -> None:
    """Make `repo` what a generator of schema revision 3 wrote: change counters
    (nocode_changes) and their trigger on every table, instead of count deltas."""
    _record_revision(repo, 3)
    initial = repo / "migrations/0001_initial.sql"
    sql, setups = _DELTAS_SETUP.subn(CHANGE_COUNTERS, initial.read_text(encoding="utf-8"))
    sql, tables = _FIRST_COUNT_TRIGGER.subn(
        lambda found: (
            f"CREATE TRIGGER {found[1]}__changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {found[1]}\n    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_change();\n"
        ),
        sql,
    )
    sql, others = _OTHER_COUNT_TRIGGER.subn("", sql)
    assert setups == 1 and tables > 0 and others == 3 * tables
    initial.write_text(sql, encoding="utf-8")


_EVENTS_SETUP = re.compile(r"-- Record events:.*?\n\$\$;\n\n", re.DOTALL)
_EVENT_TRIGGER = re.compile(r"CREATE TRIGGER \w+__events_\w+ .*?;\n", re.DOTALL)


def as_generated_before_record_events(repo: Path) -> None:
    """Make `repo` what a generator of schema revision 2 wrote: no outbox of record events
    (nocode_events) and no event triggers in its first migration."""
    as_generated_before_count_deltas(repo)
    _record_revision(repo, 2)
    initial = repo / "migrations/0001_initial.sql"
    sql, setups = _EVENTS_SETUP.subn("", initial.read_text(encoding="utf-8"))
    sql, triggers = _EVENT_TRIGGER.subn("", sql)
    assert setups == 1 and triggers > 0
    initial.write_text(sql, encoding="utf-8")


def as_generated_before_case_insensitive_emails(repo: Path) -> None:
    """Make `repo` what a generator of schema revision 1 wrote: the same files, but unique
    emails compared with their case (a declared unique index on the column, or a unique
    constraint in CREATE TABLE), no record events, and no revision recorded."""
    as_generated_before_record_events(repo)
    _record_revision(repo, None)
    initial = repo / "migrations/0001_initial.sql"
    sql = initial.read_text(encoding="utf-8")
    assert "(lower(email))" in sql
    constraint = re.search(
        r"\nCREATE UNIQUE INDEX (\w+__email_key) ON (\w+) \(lower\(email\)\);", sql
    )
    if constraint is not None:  # a unique field: the constraint went into its CREATE TABLE
        name, table = constraint.groups()
        sql = sql.replace(constraint[0], "")
        create = re.search(rf"CREATE TABLE {table} \(\n.*?\n\);", sql, re.DOTALL)
        assert create is not None
        sql = sql.replace(
            create[0], create[0][: -len("\n);")] + f",\n    CONSTRAINT {name} UNIQUE (email)\n);"
        )
    initial.write_text(sql.replace("(lower(email))", "(email)"), encoding="utf-8")
