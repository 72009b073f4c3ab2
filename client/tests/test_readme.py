"""The README's example, the seed's "Python Client" block made to run: run as it is written
(its placeholders replaced by a real server, account and organisation), it creates a
project, publishes it, has it generated and deployed to the local target with the progress
printed, then reads and writes its data. The app it deployed serves the other tests of
records here."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import Account

from nocode_client import AsyncNoCodeClient, NotFound
from tests.control_plane.conftest import PASSWORD, Api

README = Path(__file__).parents[1] / "README.md"
pytestmark = pytest.mark.slow


def example() -> str:
    """The README's first Python block."""
    found = re.search(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    assert found is not None
    return found.group(1)


@dataclass
class Ran:
    scope: dict[str, Any]  # the example's variables
    printed: list[tuple[datetime, str]]  # what it printed, and when


@pytest.fixture(scope="module")
def ran(platform: Api, account: Account) -> Ran:
    code = (
        example()
        .replace('"https://api.nocode-platform.com"', repr(platform.server.base_url))
        .replace('"user@company.com"', repr(account.user.email))
        .replace('"password"', repr(PASSWORD))
        .replace('"org-uuid"', repr(account.organization))
    )
    printed: list[tuple[datetime, str]] = []

    def record(*values: Any) -> None:
        printed.append((datetime.now().astimezone(), " ".join(str(value) for value in values)))

    scope: dict[str, Any] = {"print": record}
    exec(compile(code, str(README), "exec"), scope)
    return Ran(scope, printed)


def test_the_readme_example_runs(ran: Ran) -> None:
    data, product, client = ran.scope["data"], ran.scope["product"], ran.scope["client"]
    assert data.count == 0 and data.results == []
    assert product["name"] == "iPhone 15" and float(product["price"]) == 1199.99
    assert client.get_table_data(ran.scope["project"].id, "products").results == [product]


def test_the_progress_shows_each_step_once_as_it_finishes(ran: Ran) -> None:
    client = ran.scope["client"]
    deployment = client.get_deployment(ran.scope["deployment"].deployment_id)
    assert deployment.status == "success" and len(deployment.steps) >= 3
    lines = [line for _, line in ran.printed]
    assert lines == [f"{step.step} {step.status} {step.duration}" for step in deployment.steps]
    # told while the deployment still ran, not all at its end
    first_told, _ = ran.printed[0]
    assert deployment.completed_at is not None and first_told < deployment.completed_at


def test_records_read_and_written(ran: Ran) -> None:
    client, project = ran.scope["client"], ran.scope["project"]
    created = [
        client.create_record(project.id, "products", {"name": f"Mac {n}", "price": 1000 + n})
        for n in range(3)
    ]
    cheap = client.update_record(project.id, "products", created[0].id, {"price": 9.5})
    assert float(cheap["price"]) == 9.5 and "name" not in cheap.model_dump()
    replaced = client.replace_record(
        project.id, "products", created[1].id, {"name": "iMac", "price": 1500}
    )
    assert client.get_record(project.id, "products", created[1].id) == replaced

    expensive = client.iter_records(
        project.id, "products", filters={"price__gte": 1000}, sort_by="price", page_size=1
    )
    assert [record["name"] for record in expensive] == ["iMac", "iPhone 15", "Mac 2"]

    client.delete_record(project.id, "products", created[2].id)
    with pytest.raises(NotFound) as missing:
        client.get_record(project.id, "products", created[2].id)
    assert missing.value.status == 404


def test_records_through_the_async_client(ran: Ran, platform: Api) -> None:
    project, tokens = ran.scope["project"], ran.scope["client"].tokens
    name = f"async {uuid.uuid4().hex[:6]}"

    async def write_then_search() -> tuple[Any, list[Any]]:
        async with AsyncNoCodeClient(platform.server.base_url, tokens=tokens) as client:
            record = await client.create_record(project.id, "products", {"name": name})
            found = [row async for row in client.iter_records(project.id, "products", search=name)]
            return record, found

    record, found = asyncio.run(write_then_search())
    assert found == [record] and record["price"] is None


def test_the_project_its_versions_and_its_app(ran: Ran) -> None:
    client, project, app = ran.scope["client"], ran.scope["project"], ran.scope["app"]
    (table,) = client.list_tables(project=project.id).results
    assert table.name == "products"
    fields = {field.name: field for field in client.list_fields(table.id)}
    assert set(fields) >= {"name", "price"}
    client.update_field(table.id, fields["name"].id, {"display_name": "Product name"})
    assert client.publish(project.id).number == "1.0.1"
    assert [version.number for version in client.iter_versions(project.id)] == ["1.0.1", "1.0.0"]
    assert client.get_version(project.id, "1.0.0").spec["tables"]["products"]

    assert client.get_app(app.id).status == "deployed"
    status = client.app_status(app.id)
    assert status.health_status["overall"] == "healthy"
    plan = client.plan_app(app.id)
    assert (plan.from_version, plan.to_version) == ("1.0.0", "1.0.1")
    assert not plan.requires_force and not plan.refused
    deployment_id = ran.scope["deployment"].deployment_id
    assert [d.id for d in client.iter_deployments(app_id=app.id)] == [deployment_id]
    logs = client.app_logs(app.id)
    assert logs.total_logs == 1 and logs.logs[0].id == deployment_id

    regenerating = client.regenerate_app(app.id)
    assert regenerating.version == "1.0.1"
    regenerated = client.wait_for_generation(app.id, regenerating.version, timeout=60)
    assert regenerated.version == "1.0.1" and regenerated.error_message is None
