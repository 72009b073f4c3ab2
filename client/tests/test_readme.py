"""The README's example, the seed's "Python Client" block made to run: run as it is written
(its placeholders replaced by a real server, account and organisation), it creates a
project, publishes it, has it generated and deployed to the local target with the progress
printed, then reads and writes its data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import Account

from tests.control_plane.conftest import PASSWORD, Api

README = Path(__file__).parents[1] / "README.md"
pytestmark = pytest.mark.slow


def example() -> str:
    """The README's first Python block."""
    found = re.search(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    assert found is not None
    return found.group(1)


def test_the_readme_example_runs(
    platform: Api, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    code = (
        example()
        .replace('"https://api.nocode-platform.com"', repr(platform.server.base_url))
        .replace('"user@company.com"', repr(account.user.email))
        .replace('"password"', repr(PASSWORD))
        .replace('"org-uuid"', repr(account.organization))
    )
    scope: dict[str, Any] = {}
    exec(compile(code, str(README), "exec"), scope)

    assert scope["data"].count == 0 and scope["data"].results == []
    product = scope["product"]
    assert product["name"] == "iPhone 15" and float(product["price"]) == 1199.99
    client = scope["client"]
    assert client.get_table_data(scope["project"].id, "products").results == [product]
    # Each step printed once, in order, as it finished: every step of the deployment.
    deployment = client.get_deployment(scope["deployment"].deployment_id)
    assert deployment.status == "success"
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{step.step} {step.status} {step.duration}" for step in deployment.steps]
    assert len(printed) >= 3
