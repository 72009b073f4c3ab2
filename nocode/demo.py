"""`nocode demo`'s walk through the platform: seed 001's flow driven through the control
plane's HTTP API, as a new user would drive it (register, organisation, project, tables,
publish, app, generation, deployment), ending with an app that serves its data.

It is idempotent: a second run signs in as the same demo account and finds what the first
one made (its organisation, project and app), deploying only what is not deployed yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from generator.spec.load import parse_document
from platform_support.errors import UserError

DEMO_EMAIL = "demo@example.com"
ORGANIZATION = "Demo"
WAIT_SECONDS = 600


class DemoError(UserError):
    """The platform refused a step of the demo: the step and the platform's answer."""

    code = "DEMO_FAILED"


@dataclass(frozen=True)
class DemoApp:
    project_id: str
    app_id: str
    api_base_url: str
    admin_url: str
    platform_data_url: str
    repository_url: str
    app_token: str


class Platform:
    """The control plane's API with the demo account's token."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=f"{base_url}/api/v1", timeout=60)

    def call(self, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code != expected:
            raise DemoError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def sign_in(self, password: str) -> None:
        """Register the demo account (the answer is the same when it exists) and log in."""
        account = {"email": DEMO_EMAIL, "password": password, "first_name": "Demo"}
        self.call("POST", "/foundation/auth/register/client/", 201, json=account)
        login = {"email": DEMO_EMAIL, "password": password}
        tokens = self.call("POST", "/foundation/auth/login/", json=login)
        self.http.headers["Authorization"] = f"Bearer {tokens['access']}"

    def first(self, path: str, **filters: str) -> dict[str, Any] | None:
        results: list[dict[str, Any]] = self.call("GET", path, params=filters)["results"]
        return results[0] if results else None


def walk_through(
    base_url: str, password: str, spec_path: Path, announce: Callable[[str], None]
) -> DemoApp:
    """Seed 001's steps 1 to 4 for the project of `spec_path`, through the API."""
    platform = Platform(base_url)
    platform.sign_in(password)
    organization = _organization(platform)
    project = _project(platform, organization, spec_path, announce)
    app = _app(platform, project, announce)
    if app["status"] != "deployed":
        _deploy(platform, app, announce)
    issued = platform.call("POST", f"/runtime/apps/{app['id']}/token/")
    deployed = platform.call("GET", f"/runtime/apps/{app['id']}/")
    return DemoApp(
        project_id=project["id"],
        app_id=app["id"],
        api_base_url=issued["api_base_url"],
        admin_url=deployed["admin_url"],
        platform_data_url=f"{base_url}/api/v1/runtime/projects/{project['id']}/",
        repository_url=app["repository_url"],
        app_token=issued["token"],
    )


def _organization(platform: Platform) -> str:
    for organization in platform.call("GET", "/foundation/organizations/")["results"]:
        if organization["name"] == ORGANIZATION:
            return str(organization["id"])
    made = platform.call("POST", "/foundation/organizations/", 201, json={"name": ORGANIZATION})
    return str(made["id"])


def _project(
    platform: Platform, organization: str, spec_path: Path, announce: Callable[[str], None]
) -> dict[str, Any]:
    """The organisation's project, or a new one with the spec's tables, published."""
    spec = parse_document(spec_path.read_text(encoding="utf-8"), spec_path.suffix)
    found = platform.first("/studio/projects/", organization=organization)
    if found is not None and found["status"] == "published":
        return found
    if found is not None:  # a run stopped half-way: start the project again
        platform.call("DELETE", f"/studio/projects/{found['id']}/", 204)
    body = {
        "name": spec["project"]["name"],
        "organization_id": organization,
        "description": spec["project"].get("description") or "",
    }
    project: dict[str, Any] = platform.call("POST", "/studio/projects/", 201, json=body)
    for name, table in spec["tables"].items():
        announce(f"studio: adding table {name}")
        table_body = {"name": name, **_without_ids(table)}
        platform.call("POST", f"/studio/projects/{project['id']}/add_table/", 201, json=table_body)
    version = platform.call("POST", f"/studio/projects/{project['id']}/publish/", 201)
    announce(f"studio: published version {version['number']}")
    return project


def _without_ids(value: Any) -> Any:
    """A spec part as a client writes it: the server makes the stable ids."""
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _app(platform: Platform, project: dict[str, Any], announce: Callable[[str], None]) -> Any:
    found = platform.first("/runtime/apps/", project=project["id"])
    if found is not None and found["status"] != "error":
        return _until(
            platform, f"/runtime/apps/{found['id']}/", lambda app: app["status"] != "draft"
        )
    body = {"project": project["id"], "name": f"{project['name']} App"}
    created = platform.call("POST", "/runtime/apps/", 201, json=body)
    announce(f"runtime: generating the app (job {created['generation_task_id']})")
    app = _until(platform, f"/runtime/apps/{created['id']}/", lambda app: app["status"] != "draft")
    if app["status"] != "generated":
        raise DemoError(f"the generation failed: {app['error_message']}")
    announce(f"runtime: generated version {app['version']}, commit {app['commit'][:12]}")
    return app


def _generated(platform: Platform, app_id: str) -> Any:
    """The app once its generation ended (draft until then)."""
    return _until(platform, f"/runtime/apps/{app_id}/", lambda app: app["status"] != "draft")


def _deploy(platform: Platform, app: dict[str, Any], announce: Callable[[str], None]) -> None:
    started = platform.call("POST", f"/runtime/apps/{app['id']}/deploy/", 202, json={})
    announce(f"runtime: deploying to the {started['target']} target")
    log = _until(
        platform,
        f"/runtime/deployment-logs/{started['deployment_id']}/",
        lambda log: log["status"] in ("success", "failed", "cancelled"),
    )
    for step in log["steps"]:
        announce(f"  {step['step']}: {step['status']} ({step['duration']})")
    if log["status"] != "success":
        raise DemoError(f"the deployment failed: {log['error_message']}")


def _until(platform: Platform, path: str, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        answer = platform.call("GET", path)
        if done(answer):
            return answer
        time.sleep(0.5)
    raise DemoError(f"GET {path}: not done within {WAIT_SECONDS} s")
