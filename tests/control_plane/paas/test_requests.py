"""POST /api/deploy against seed 002's rules: every broken rule in one answer with the
seed's text, nothing written; the bounds of each deployment type; the sources the platform
adds (a Git repository under PAAS_SOURCE_ROOTS, an app of the organisation)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.control_plane.paas.conftest import Paas, assert_seed_error, git_repository
from tests.control_plane.runtime.apps_fixture import make_app
from tests.control_plane.studio.conftest import Team

NAME = "Invalid name. Must be 3-50 characters: letters, digits, hyphens and underscores"
TYPE = "Invalid deployment_type. Must be 'vm' or 'lxc'"
FRAMEWORK = "Unsupported framework. Must be one of: django, fastapi, flask, nocode"
GITHUB = "Invalid GitHub URL"


def body(**changes: Any) -> dict[str, Any]:
    valid = {
        "name": "mon-application",
        "deployment_type": "vm",
        "framework": "django",
        "github_url": "https://github.com/username/repository",
        "resources": {"cores": 2, "memory": 2048, "disk": 20},
    }
    return {**valid, **changes}


def refused(paas: Paas, team: Team, request: dict[str, Any]) -> dict[str, str]:
    """The details of a 400 that wrote nothing."""
    before = paas.rows(team.organization)
    response = paas.deploy(team.owner, request)
    details = dict(assert_seed_error(response, 400, "VALIDATION_ERROR")["details"])
    assert paas.rows(team.organization) == before
    return details


def test_every_broken_rule_is_reported_at_once_with_the_seed_s_text(paas: Paas, team: Team) -> None:
    everything_wrong = {
        "name": "ab",
        "deployment_type": "docker",
        "framework": "laravel",
        "github_url": "http://gitlab.com/owner/repo",
        "resources": {"cores": "2", "memory": True, "disk": 2.5, "gpus": 1},
        "colour": "blue",
    }
    assert refused(paas, team, everything_wrong) == {
        "name": NAME,
        "deployment_type": TYPE,
        "framework": FRAMEWORK,
        "github_url": GITHUB,
        "resources.cores": "Invalid cores: must be a whole number",
        "resources.memory": "Invalid memory: must be a whole number",
        "resources.disk": "Invalid disk: must be a whole number",
        "resources.gpus": "Unknown field",
        "colour": "Unknown field",
    }
    names = ["a" * 51, "bad name", "naïve", "x/y", "ab\x00c", 123]
    for name in names:
        assert refused(paas, team, body(name=name)) == {"name": NAME}, name
    for url in ("https://github.com/owner", "https://github.com/o/r/tree/main",
                "git@github.com:o/r.git", "https://github.com.evil.org/o/r"):  # fmt: skip
        assert refused(paas, team, body(github_url=url)) == {"github_url": GITHUB}, url
    assert refused(paas, team, {}) == {
        "name": NAME,
        "deployment_type": TYPE,
        "framework": FRAMEWORK,
        "github_url": "Missing source: give one of github_url, git_url, app_id",
        "resources": "Invalid resources: must be an object with cores, memory, disk",
    }


def test_resources_are_bounded_per_deployment_type(paas: Paas, team: Team) -> None:
    below = {"cores": 0, "memory": 511, "disk": 9}
    assert refused(paas, team, body(resources=below)) == {
        "resources.cores": "Invalid cores. Must be between 1 and 16 for VM",
        "resources.memory": "Invalid memory. Must be between 512 and 32768 MB for VM",
        "resources.disk": "Invalid disk. Must be between 10 and 500 GB for VM",
    }
    above = {"cores": 17, "memory": 32769, "disk": 501}
    assert set(refused(paas, team, body(resources=above))) == {
        "resources.cores", "resources.memory", "resources.disk"
    }  # fmt: skip
    lxc_below = {"cores": 0, "memory": 255, "disk": 4}
    assert refused(paas, team, body(deployment_type="lxc", resources=lxc_below)) == {
        "resources.cores": "Invalid cores. Must be between 1 and 8 for LXC",
        "resources.memory": "Invalid memory. Must be between 256 and 16384 MB for LXC",
        "resources.disk": "Invalid disk. Must be between 5 and 200 GB for LXC",
    }
    lxc_above = {"cores": 9, "memory": 16385, "disk": 201}
    assert len(refused(paas, team, body(deployment_type="lxc", resources=lxc_above))) == 3
    # The bounds themselves are accepted: a VM's top, a container's bottom.
    for kind, resources in (
        ("vm", {"cores": 16, "memory": 32768, "disk": 500}),
        ("lxc", {"cores": 1, "memory": 256, "disk": 5}),
    ):
        request = body(name=f"bounds-{kind}", deployment_type=kind, resources=resources)
        response = paas.deploy(team.owner, {**request, "github_url": "https://github.com/o/r.git"})
        assert response.status_code == 202, response.text
        deployment = response.json()["deployment"]
        assert deployment["status"] == "pending" and deployment["resources"] == resources


def test_sources_besides_github(
    paas: Paas, team: Team, sources_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = git_repository(tmp_path / "outside", {"manage.py": ""})
    escaping = f"{sources_root}/../{outside.name}"
    for url in (str(outside), f"file://{outside}", escaping, "relative/path",
                "ssh://host/repo.git", "file://otherhost/srv/repo"):  # fmt: skip
        details = refused(paas, team, body(github_url=None, git_url=url))
        assert details == {
            "git_url": "Invalid Git URL: not a path or file:// URL under an allowed root"
        }, url
    assert refused(paas, team, body(git_url="/srv/x")) == {
        "github_url": "Give only one of github_url, git_url, app_id"
    }
    assert refused(paas, team, body(github_url=None, app_id="not-an-id")) == {
        "app_id": "Invalid app_id: must be the id of an app of the organization"
    }
    no_app = body(github_url=None, app_id=str(uuid.uuid4()), framework="nocode")
    assert refused(paas, team, no_app) == {
        "app_id": "Invalid app_id: no such app in the organization"
    }
    assert refused(paas, team, {**no_app, "framework": "django"}) == {
        "framework": "Invalid framework for app_id: an app deploys as 'nocode'"
    }
    draft = make_app(paas.api, team.organization, monkeypatch, generated=False)
    assert refused(paas, team, {**no_app, "app_id": draft.id}) == {
        "app_id": "Invalid app_id: the app was never generated"
    }
    theirs = make_app(paas.api, paas.studio.team("paas-apps").organization, monkeypatch)
    assert refused(paas, team, {**no_app, "app_id": theirs.id}) == {
        "app_id": "Invalid app_id: no such app in the organization"
    }
    # Accepted; then the job finds that the repository is no Django app: no machine is made.
    inside = git_repository(sources_root / "site", {"app.py": "print('hello')\n"})
    for url in (str(inside), f"file://{inside}"):
        response = paas.deploy(team.owner, body(name="local-site", github_url=None, git_url=url))
        assert response.status_code == 202, response.text
        deployment = paas.wait(team.owner, response.json()["deployment"]["id"])
        assert deployment["git_url"] == url and deployment["status"] == "failed"
        assert deployment["error_message"] == (
            "Framework: local-site is not a Django app: it has no manage.py"
        ), deployment
        assert deployment["ip_address"] is None and len(deployment["commit"]) == 40
