"""Published projects for Runtime's tests, written straight into Studio's tables
(`studio_projects`, `studio_versions`) until the tests publish through the Studio API;
and the helpers the apps' tests share (the Runtime client, waiting for a generation)."""

from __future__ import annotations

import copy
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml
from psycopg.types.json import Jsonb

from tests.control_plane.conftest import Api, User

RUNTIME = "/api/v1/runtime"
CRM_SPEC = Path(__file__).resolve().parents[3] / "specs" / "gestion_client.yaml"


def crm_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(CRM_SPEC.read_text(encoding="utf-8"))
    return document


def publish(api: Api, organization_id: str, spec_document: dict[str, Any]) -> str:
    """A project of the organisation with one published version, `spec_document` with
    its project id replaced by the project's: returns the project's id."""
    project_id = str(uuid.uuid4())
    document = copy.deepcopy(spec_document)
    document["project"]["id"] = project_id
    api.query(
        "INSERT INTO studio_projects (id, organization_id, name, status, spec)"
        " VALUES (%s, %s, %s, 'published', %s)",
        project_id,
        organization_id,
        document["project"]["name"],
        Jsonb(document),
    )
    publish_version(api, project_id, document)
    return project_id


def publish_version(api: Api, project_id: str, spec_document: dict[str, Any]) -> str:
    """One more published version of the project: the number is the spec's
    project.version, and its project.id becomes the project's. Returns the number."""
    document = copy.deepcopy(spec_document)
    document["project"]["id"] = project_id
    major, minor, patch = (int(part) for part in document["project"]["version"].split("."))
    api.query(
        "INSERT INTO studio_versions (project_id, major, minor, patch, spec)"
        " VALUES (%s, %s, %s, %s, %s)",
        project_id,
        major,
        minor,
        patch,
        Jsonb(document),
    )
    return str(document["project"]["version"])


def runtime_client(api: Api) -> httpx.Client:
    return httpx.Client(base_url=f"{api.server.base_url}{RUNTIME}", timeout=60)


def data_dir(api: Api) -> Path:
    """The server's NOCODE_DATA_DIR (its log is written there)."""
    return api.server.log.parent


def repository(api: Api, app_id: str) -> Path:
    return data_dir(api) / "apps" / app_id / "repository"


def wait_for_job(api: Api, job_id: int, timeout: float = 240) -> str:
    """The final procrastinate status of job `job_id`, once the worker is done with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [(status,)] = api.query("SELECT status::text FROM procrastinate_jobs WHERE id = %s", job_id)
        if status in ("succeeded", "failed", "cancelled", "aborted"):
            return str(status)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {timeout} s")


def wait_for_generation(
    api: Api, runtime: httpx.Client, user: User, app_id: str, job_id: int
) -> dict[str, Any]:
    """The app once its generation job `job_id` succeeded."""
    assert wait_for_job(api, job_id) == "succeeded"
    response = runtime.get(f"/apps/{app_id}/", headers=user.headers)
    assert response.status_code == 200, response.text
    app: dict[str, Any] = response.json()
    return app


def create_app(
    api: Api, runtime: httpx.Client, user: User, project_id: str, **body: Any
) -> dict[str, Any]:
    """A generated app of the project (POST /apps/, then its generation)."""
    response = runtime.post(
        "/apps/", headers=user.headers, json={"project": project_id, "name": "CRM", **body}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    app = wait_for_generation(api, runtime, user, created["id"], created["generation_task_id"])
    assert app["status"] == "generated", app
    return app
