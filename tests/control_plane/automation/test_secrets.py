"""Integrations' secrets stay in automation_integrations.secrets, encrypted: after
integrations are made with recognisable secrets and nodes use them (for real and as dry
runs, succeeding and failing), no other column of the platform's database, no node
output, no run log line and not the server's log holds one."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from psycopg import sql

from control_plane.automation.engine.nodes import NodeFailed
from control_plane.automation.node_types import NodeType
from tests.control_plane.automation.conftest import (
    Automation,
    Place,
    Web,
    chat_integration,
    executing_in,
    new_integration,
    smtp_integration,
)
from tests.control_plane.conftest import Api, Inbox, smtp_server
from tests.control_plane.studio.conftest import Team

MARK = f"S3CR3T{uuid.uuid4().hex[:12]}"
_COLUMNS = """
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public'
  AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea', 'ARRAY')
"""


def holding(api: Api, secret: str) -> list[str]:
    """Every table.column of the platform's database that holds `secret` in some row,
    except the encrypted secrets themselves."""
    found = []
    for table, column, data_type in api.query(_COLUMNS):
        if (table, column) == ("automation_integrations", "secrets"):
            continue
        value = sql.Identifier(column)
        if data_type == "bytea":
            test = sql.SQL("position(convert_to(%s, 'UTF8') in {}) > 0").format(value)
        else:
            test = sql.SQL("{}::text LIKE '%%' || %s || '%%'").format(value)
        query = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(sql.Identifier(table), test)
        [(count,)] = api.query(query.as_string(), secret)  # type: ignore[arg-type]
        if count:
            found.append(f"{table}.{column}")
    return found


class Authenticator:
    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == f"pw-{MARK}"
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535


def test_secrets_are_nowhere_but_encrypted(
    api: Api, team: Team, place: Place, web: Web, automation: Automation
) -> None:
    with smtp_server(Inbox(), authenticator=Authenticator(), auth_require_tls=False) as inbox:
        port = inbox.port  # type: ignore[attr-defined]
        mail = smtp_integration(
            automation,
            team,
            port,
            username="robot",
            password=f"pw-{MARK}",
            webhook_secret=f"wh-{MARK}",
        )
        chat = chat_integration(automation, team, web.url(f"/hook/{MARK}"))
        database = new_integration(
            automation,
            team,
            name="DB",
            type="database",
            provider="postgresql",
            configuration={"dsn": f"{api.server.database_url} application_name=db-{MARK}"},
        )
        wrong = smtp_integration(
            automation, team, port, name="Wrong", username="robot", password=f"bad-{MARK}"
        )
        email = {
            "action_type": "send_email",
            "recipient": "a@example.com",
            "subject": "s",
            "body": "b",
        }
        nodes: list[tuple[NodeType, dict[str, Any], bool]] = [
            (NodeType.ACTION, {**email, "integration": mail["id"]}, False),
            (NodeType.ACTION, {**email, "integration": mail["id"]}, True),
            (NodeType.ACTION, {**email, "integration": wrong["id"]}, False),
            (
                NodeType.ACTION,
                {"action_type": "webhook", "integration": chat["id"], "text": "t"},
                False,
            ),
            (
                NodeType.ACTION,
                {"action_type": "webhook", "integration": chat["id"], "text": "t"},
                True,
            ),
            (
                NodeType.DATABASE_QUERY,
                {"integration": database["id"], "query": "SELECT 1 AS one"},
                False,
            ),
            (
                NodeType.DATABASE_QUERY,
                {"integration": database["id"], "query": "SELECT nope"},
                False,
            ),
        ]
        outputs, failures, log = asyncio.run(_run_all(api, place, nodes))
        assert inbox.wait_for("a@example.com", "s")
    assert len(failures) == 2  # the wrong password, the bad query
    assert failures[0].startswith("SMTP_FAILED") and failures[1].startswith("42703")
    listed = automation.request(
        "GET", f"/integrations/?organization={team.organization}", team.users["ADMIN"]
    )
    for text in (repr(outputs), repr(failures), repr(log), listed.text):
        assert MARK not in text
    for integration in (mail, chat, database, wrong):
        shown = automation.request(
            "GET", f"/integrations/{integration['id']}/", team.users["MEMBER"]
        )
        assert MARK not in shown.text
    assert holding(api, MARK) == []
    assert MARK not in api.server.log.read_text(errors="replace")


async def _run_all(
    api: Api, place: Place, nodes: list[tuple[NodeType, dict[str, Any], bool]]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    outputs: list[dict[str, Any]] = []
    failures: list[str] = []
    async with executing_in(api, place) as here:
        for node_type, config, dry_run in nodes:
            try:
                outputs.append(await here.run(node_type, config, dry_run=dry_run))
            except NodeFailed as failed:
                failures.append(f"{failed.code}: {failed}")
        return outputs, failures, here.log


@pytest.fixture(autouse=True)
def _mark_is_not_in_the_database_before(api: Api) -> None:
    assert holding(api, MARK) == []
