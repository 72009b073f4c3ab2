"""What the deployment tests share: CRM versions in Git, `nocode deploy` runs, API calls."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from generator.generate import generate
from generator.resources import specs_dir
from nocode.apps import development_token
from platform_support.secrets import read_env_file
from tests.deploy.hosts import HostFactory, TestHost

NOCODE = [sys.executable, "-m", "nocode"]
API = "/api/v1/runtime/projects/550e8400-e29b-41d4-a716-446655440000"


def crm_spec(version: str = "1.0.0", project_id: str | None = None) -> dict[str, Any]:
    """The CRM of specs/gestion_client.yaml (under another project id if given); from 1.1.0
    on, clients gain `site_web` and `telephone` is renamed `mobile` (same stable id: a
    rename, not drop + add)."""
    spec: dict[str, Any] = yaml.safe_load((specs_dir() / "gestion_client.yaml").read_text())
    spec["project"]["version"] = version
    if project_id is not None:
        spec["project"]["id"] = project_id
    if version != "1.0.0":
        fields = spec["tables"]["clients"]["fields"]
        fields["mobile"] = fields.pop("telephone")
        fields["site_web"] = {
            "id": "fld-clients-site-web",
            "display_name": "Site web",
            "field_type": "URL",
        }
    return spec


def commit_version(repo: Path, spec: dict[str, Any]) -> None:
    """Generate `spec` into the Git repository `repo` (created on the first call) and commit."""
    path = repo.parent / f"gestion_client-{spec['project']['version']}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    generate(path, repo, git=True)


def commit_edit(repo: Path, relative: str, old: str, new: str, message: str) -> None:
    """A hand edit of the generated code, committed: to make a release that misbehaves."""
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} has no {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", message], check=True)


def commit_unhealthy_release(repo: Path, version: str, project_id: str | None = None) -> None:
    """Commit `version` of the CRM with a /health that never answers 200."""
    commit_version(repo, crm_spec(version, project_id))
    commit_edit(
        repo,
        "app/api/health.py",
        'return JSONResponse({"status": "ok", "database": "ok"})',
        'return error_response(503, UNHEALTHY, {"database": "broken on purpose"})',
        "A release that is never healthy",
    )


@dataclass
class Run:
    """One `nocode deploy` or `nocode rollback`, and the record it wrote."""

    result: subprocess.CompletedProcess[str]
    record: dict[str, Any]

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr

    def step(self, name: str) -> dict[str, Any]:
        return next(step for step in self.record["steps"] if step["step"] == name)


class Deployer:
    """Runs the real CLI against test hosts, as an operator would."""

    def __init__(self, factory: HostFactory, work: Path, roots: Path) -> None:
        self.factory = factory
        self.work = work
        self.roots = roots  # short: the app's Unix sockets live under its root
        self.mounts: list[Path] = []
        self.known_hosts = work / "known_hosts"
        self.runs = 0

    def root(self, host: TestHost) -> str:
        """Where the app lives on `host`: hosts sharing the machine's files each get their own."""
        return "/srv/nocode/gestion_client" if host.root else str(self.roots / host.name)

    def small_disk(self, name: str, megabytes: int) -> Path:
        """A tmpfs of `megabytes` as the root of the host `name`: mount before creating it."""
        path = self.roots / name
        path.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)], check=True
        )
        self.mounts.append(path)
        return path

    def unmount(self) -> None:
        for path in self.mounts:
            subprocess.run(["umount", "--lazy", str(path)], check=False)

    def files(self, host: TestHost) -> Path:
        """The app's folder on `host`, as the machine sees it."""
        root = self.root(host)
        return host.root / root.lstrip("/") if host.root else Path(root)

    def __call__(
        self, command: str, repo: Path, *args: str, env: dict[str, str] | None = None
    ) -> Run:
        self.runs += 1
        record = self.work / f"record-{self.runs}.json"
        result = subprocess.run(
            [
                *NOCODE,
                command,
                str(repo),
                "--known-hosts",
                str(self.known_hosts),
                "--key",
                str(self.factory.client_key),
                "--record",
                str(record),
                *args,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        data = json.loads(record.read_text()) if record.exists() else {}
        return Run(result, data)

    def to(self, command: str, repo: Path, host: TestHost, *args: str, **kwargs: Any) -> Run:
        target = f"{host.user}@{host.address}:{host.port}"
        return self(command, repo, "--host", target, "--root", self.root(host), *args, **kwargs)

    def inventory(self, hosts: list[TestHost], **variables: object) -> Path:
        """An inventory file of `hosts` in the deployment group, each with its own root."""
        path = self.work / "inventory.yml"
        entries = {
            host.name: {
                "ansible_host": host.address,
                "ansible_port": host.port,
                "ansible_user": host.user,
                "nocode_app_root": self.root(host),
                **variables,
            }
            for host in hosts
        }
        path.write_text(yaml.safe_dump({"nocode_targets": {"hosts": entries}}))
        return path


class Api:
    """A deployed app's API at `url`, with an OWNER token signed by the app's secret."""

    def __init__(self, url: str, repo: Path, secret: str) -> None:
        token = development_token(repo, "OWNER", secret=secret)
        self.url = url
        self.client = httpx.Client(
            base_url=f"{url}{API}", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    @classmethod
    def on_host(cls, host: TestHost, files: Path, repo: Path) -> Api:
        """The app a deployment put on `host`, with the secret made there."""
        secret = read_env_file(files / "shared")["JWT_SECRET"]
        return cls(f"http://{host.address}:8000", repo, secret)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def create(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(f"/tables/{table}/", json=values)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def records(self, table: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/tables/{table}/", params={"page_size": 100})
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def fields(self, table: str) -> list[str]:
        response = self.client.get(f"/schema/{table}/")
        assert response.status_code == 200, response.text
        return [field["name"] for field in response.json()["fields"]]
