"""The CRM app that tests/conftest.py generates and serves (`crm`), registered by SQL as
the deployed app of a project of an organisation, until the Runtime's own apps and
deployments make it so through the API: a studio_projects row with the CRM's project id,
a runtime_apps row with its JWT secret encrypted under the control plane's key, and a
runtime_instances row with its URL."""

from __future__ import annotations

import json
import uuid

from psycopg.types.json import Jsonb

from platform_support.secrets import read_env_file
from platform_support.vault import KEY_VARIABLE, Vault
from tests.conftest import TEST_SECRET, RunningApp
from tests.control_plane.conftest import Api, Server


def secret_key(server: Server) -> str:
    """The key of the secrets at rest that `nocode serve` made in its data folder (where
    `serve()` keeps its log)."""
    return read_env_file(server.log.parent)[KEY_VARIABLE]


def project_id(app: RunningApp) -> uuid.UUID:
    recorded = json.loads((app.app_dir / "nocode.spec.json").read_text(encoding="utf-8"))
    return uuid.UUID(recorded["spec"]["project"]["id"])


def register_app(
    api: Api,
    organization: str,
    app: RunningApp,
    environment: str = "production",
    url: str | None = None,
    secret: str = TEST_SECRET,
) -> uuid.UUID:
    """Make `app` (at `url`, by default where it serves; its tokens signed with `secret`)
    the deployed app of its project, in `organization`; any earlier registration of the
    project is dropped. Its app id."""
    project = project_id(app)
    recorded = json.loads((app.app_dir / "nocode.spec.json").read_text(encoding="utf-8"))
    api.query("DELETE FROM studio_projects WHERE id = %s", project)
    api.query(
        "INSERT INTO studio_projects (id, organization_id, name, status, spec) "
        "VALUES (%s, %s, 'Gestion Client', 'published', %s)",
        project,
        uuid.UUID(organization),
        Jsonb(recorded["spec"]),
    )
    return add_app(api, app, environment, url or app.base_url, secret)


def add_app(
    api: Api, app: RunningApp, environment: str, url: str, secret: str = TEST_SECRET
) -> uuid.UUID:
    """One more app of the registered project, deployed in `environment` at `url`."""
    project = project_id(app)
    encrypted = Vault(secret_key(api.server)).encrypt(secret)
    [(app_id,)] = api.query(
        "INSERT INTO runtime_apps (organization_id, project_id, name, status, environment, "
        "jwt_secret) SELECT organization_id, id, 'Gestion Client App', 'deployed', %s, %s "
        "FROM studio_projects WHERE id = %s RETURNING id",
        environment,
        encrypted,
        project,
    )
    api.query(
        "INSERT INTO runtime_instances (app_id, environment, url) VALUES (%s, %s, %s)",
        app_id,
        environment,
        url,
    )
    return uuid.UUID(str(app_id))
