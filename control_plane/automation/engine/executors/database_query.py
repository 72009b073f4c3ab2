"""`database_query`: one parameterised statement against the project's deployed app's
database (the local target's, `environment` production by default) or a `database`
integration's DSN (`integration`).

config: `query` with `%(name)s` placeholders and `params` an object, or `$1` placeholders
and `params` a list (values rendered from expressions, bound by PostgreSQL, never
spliced); `read_only` (true: `SET TRANSACTION READ ONLY`; false needs DATABASE_WRITE,
checked when the node is saved), `timeout` (statement_timeout, 10 s, at most 60),
`max_rows` (1,000 at most). One statement only (the extended protocol refuses more).
Output: `rows` (objects), `columns`, `row_count`, `truncated` (rows or bytes capped).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg.rows import dict_row

from control_plane.automation import expressions
from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.executors.integration_use import UsesIntegration
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun, register
from control_plane.automation.models.common import IntegrationType
from control_plane.automation.node_types import NodeType
from control_plane.automation.queries import app_databases
from control_plane.runtime import paths
from control_plane.runtime.models.environments import Environment
from deployment.local_layout import Target
from platform_support.secrets import read_env_file

MAX_ROWS = 1000
MAX_OUTPUT_BYTES = 1_048_576
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 60.0
CONNECT_SECONDS = 5
ENVIRONMENTS = frozenset(environment.value for environment in Environment)
_STATEMENT_TIMEOUT = "SELECT set_config('statement_timeout', %s, true)"  # this transaction's


async def app_dsn(node: NodeRun) -> str:
    """The DSN of the project's app deployed on the local target in `environment`."""
    environment = str(node.config.get("environment", Environment.PRODUCTION))
    async with node.services.pool.connection() as connection:
        app_id = await app_databases.local_app(connection, node.project_id, environment)
    if app_id is None:
        raise NodeFailed(
            f"no app of the project is deployed on the local target in {environment}; "
            "use a database integration for another server",
            "APP_NOT_DEPLOYED",
        )
    target = Target(paths.local_target_dir(node.services.settings.data_dir))
    instance = target.instance(paths.instance_name(app_id, environment))
    return read_env_file(instance.folder)["DATABASE_URL"]


def jsonable(value: Any) -> Any:
    """A column's value as JSON (numerics, dates, uuids and bytes as text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def bounded(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The rows that fit in MAX_OUTPUT_BYTES of JSON, and whether some were left out."""
    kept: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        size += len(json.dumps(row)) + 1
        if size > MAX_OUTPUT_BYTES:
            return kept, True
        kept.append(row)
    return kept, False


class DatabaseQuery(UsesIntegration):
    node_type = NodeType.DATABASE_QUERY
    required = ("query",)
    integration_type = IntegrationType.DATABASE

    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return config.get("read_only", True) is False

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        issues: list[ConfigIssue] = []
        checks.text(config, "query", issues)
        if not isinstance(config.get("params", {}), dict | list):
            issues.append(ConfigIssue("config.params", "An object (%(name)s) or a list ($1)."))
        checks.flag(config, "read_only", issues)
        checks.number(config, "timeout", 0.1, MAX_TIMEOUT, issues)
        checks.number(config, "max_rows", 1, MAX_ROWS, issues)
        checks.choice(config, "environment", ENVIRONMENTS, issues, Environment.PRODUCTION)
        checks.text(config, "integration", issues)
        return issues

    async def dsn(self, node: NodeRun) -> str:
        """Where the query goes: the integration's DSN, or the project's app's database."""
        if not node.config.get("integration"):
            return await app_dsn(node)
        integration = await self.integration(node, node.config)
        return str(integration.values["dsn"])

    async def run(self, node: NodeRun) -> dict[str, Any]:
        checks.require(node.config, self.required)
        read_only = node.config.get("read_only", True) is not False
        params = expressions.render(node.config.get("params", {}), node.scope)
        query = str(node.config["query"])  # never rendered: values go in params
        if node.dry_run and not read_only:
            return {"dry_run": {"would": "run a statement that writes", "query": query}}
        dsn = await self.dsn(node)
        left = node.deadline - time.monotonic()
        timeout = min(float(node.config.get("timeout", DEFAULT_TIMEOUT)), left)
        if timeout <= 0:
            raise NodeFailed("the execution's time ran out", "AUTO_006")
        max_rows = int(node.config.get("max_rows", MAX_ROWS))
        try:
            output = await _execute(dsn, query, params, read_only, timeout, max_rows)
        except psycopg.Error as error:
            code = error.sqlstate or "DATABASE_ERROR"
            message = error.diag.message_primary or type(error).__name__
            raise NodeFailed(f"the database refused the query: {message}", code) from None
        await node.services.log(f"query returned {output['row_count']} rows")
        return output


async def _execute(
    dsn: str, query: str, params: Any, read_only: bool, timeout: float, max_rows: int
) -> dict[str, Any]:
    async with (
        await psycopg.AsyncConnection.connect(
            dsn, connect_timeout=CONNECT_SECONDS, row_factory=dict_row
        ) as connection,
        connection.transaction(),
    ):
        if read_only:
            await connection.execute("SET TRANSACTION READ ONLY")
        milliseconds = max(1, int(timeout * 1000))
        await connection.execute(_STATEMENT_TIMEOUT, (str(milliseconds),))
        cursor = (
            psycopg.AsyncRawCursor(connection, row_factory=dict_row)
            if isinstance(params, list)
            else connection.cursor()
        )
        async with cursor:
            # prepared: the extended protocol runs one statement, never a script
            await cursor.execute(query, params, prepare=True)
            if cursor.description is None:
                return {"rows": [], "columns": [], "row_count": cursor.rowcount, "truncated": False}
            fetched = await cursor.fetchmany(max_rows + 1)
            columns = [column.name for column in cursor.description]
    rows = [{k: jsonable(v) for k, v in row.items()} for row in fetched[:max_rows]]
    rows, cut = bounded(rows)
    return {
        "rows": rows,
        "columns": columns,
        "row_count": len(rows),
        "truncated": cut or len(fetched) > max_rows,
    }


EXECUTOR = register(DatabaseQuery())
