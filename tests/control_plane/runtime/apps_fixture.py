"""An app of the CRM made without the apps API: its project and app rows written by SQL,
and the CRM generated into its repository (`paths.repository_dir`) and committed, as the
generation job leaves it. Its JWT secret is encrypted with the server's key, as at app
creation. The commits are reproducible (tests/deploy/conftest.py), so a release archive
built once is found in the cache afterwards."""

from __future__ import annotations

import secrets
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from psycopg.types.json import Jsonb

from control_plane.runtime import paths
from nocode.apps import development_token
from platform_support.secrets import read_env_file
from platform_support.vault import KEY_VARIABLE, Vault
from tests.control_plane.conftest import Api
from tests.deploy.conftest import REPRODUCIBLE_COMMITS
from tests.deploy.deployer import commit_unhealthy_release, commit_version, crm_spec


@dataclass
class App:
    api: Api
    id: str
    organization: str
    project_id: str
    repository: Path
    jwt_secret: str

    def generate(self, version: str, *, unhealthy: bool = False) -> str:
        """Commit `version` of the CRM (with a /health that never answers 200 if
        `unhealthy`) and make it the app's last generation; returns the commit."""
        if unhealthy:
            commit_unhealthy_release(self.repository, version, self.project_id)
        else:
            commit_version(self.repository, crm_spec(version, self.project_id))
        commit = subprocess.run(
            ["git", "-C", str(self.repository), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        self.api.query(
            "UPDATE runtime_apps SET status = 'generated', version = %s, commit = %s"
            " WHERE id = %s",
            version, commit, uuid.UUID(self.id),
        )  # fmt: skip
        return commit


def make_app(
    api: Api,
    organization: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    generated: bool = True,
) -> App:
    """An app of `organization`: generated (1.0.0 committed), or still a draft."""
    for name, value in REPRODUCIBLE_COMMITS.items():
        monkeypatch.setenv(name, value)
    project_id, app_id = uuid.uuid4(), uuid.uuid4()
    secret_key = read_env_file(api.server.data_dir)[KEY_VARIABLE]
    app = App(
        api,
        str(app_id),
        organization,
        str(project_id),
        paths.repository_dir(api.server.data_dir, app_id),
        secrets.token_urlsafe(48),
    )
    api.query(
        "INSERT INTO studio_projects (id, organization_id, name, status, spec)"
        " VALUES (%s, %s, 'Gestion Client', 'published', %s)",
        project_id, uuid.UUID(organization), Jsonb(crm_spec("1.0.0", str(project_id))),
    )  # fmt: skip
    api.query(
        "INSERT INTO runtime_apps (id, organization_id, project_id, name, jwt_secret)"
        " VALUES (%s, %s, %s, 'CRM', %s)",
        app_id, uuid.UUID(organization), project_id,
        Vault(secret_key).encrypt(app.jwt_secret),
    )  # fmt: skip
    if generated:
        app.repository.parent.mkdir(parents=True)
        app.generate("1.0.0")
    return app


def app_client(app: App, url: str, role: str = "OWNER") -> httpx.Client:
    """The deployed app's own API, with a token signed by the app's secret."""
    token = development_token(app.repository, role, secret=app.jwt_secret)
    return httpx.Client(
        base_url=f"{url}/api/v1/runtime/projects/{app.project_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
