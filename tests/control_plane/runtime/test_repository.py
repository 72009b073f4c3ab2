"""`/apps/{id}/repository.git`: the app's repository cloned with a real `git` over HTTP
(the password is a platform access token), read-only; and the remote every generation is
pushed to (a local bare repository, served over HTTP by dulwich's own server)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from dulwich.repo import Repo
from dulwich.server import DictBackend, UploadPackHandler
from dulwich.web import HTTPGitApplication, make_server, make_wsgi_chain

from tests.conftest import free_port
from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.runtime.published import (
    create_app,
    crm_document,
    publish,
    publish_version,
    repository,
    runtime_client,
    wait_for_generation,
)


@pytest.fixture(scope="module")
def runtime(api: Api) -> Iterator[httpx.Client]:
    with runtime_client(api) as client:
        yield client


def git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """git, never asking for a password (a refused one fails at once)."""
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "HOME": str(cwd or "/tmp")}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def clone_url(api: Api, app_id: str, user: User | None, password: str | None = None) -> str:
    """The app's repository_url on the test server, with `user`'s token as password."""
    host = api.server.base_url.removeprefix("http://")
    if user is not None:
        password = user.tokens["access"]
    credentials = f"git:{quote(password, safe='')}@" if password is not None else ""
    return f"http://{credentials}{host}/api/v1/runtime/apps/{app_id}/repository.git"


def test_the_owner_clones_the_history_one_commit_per_generation(
    api: Api, runtime: httpx.Client, tmp_path: Path
) -> None:
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    document = crm_document()
    project = publish(api, organization, document)
    app = create_app(api, runtime, owner, project)
    document["project"]["version"] = "1.1.0"
    document["tables"]["clients"]["fields"]["ville"] = {
        "display_name": "Ville",
        "field_type": "TEXT_SHORT",
    }
    publish_version(api, project, document)
    started = runtime.post(f"/apps/{app['id']}/regenerate/", headers=owner.headers, json={})
    assert started.status_code == 202, started.text
    regenerated = wait_for_generation(
        api, runtime, owner, app["id"], started.json()["generation_task_id"]
    )
    assert regenerated["version"] == "1.1.0"

    done = git("clone", "--quiet", clone_url(api, app["id"], owner), "crm", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    clone = tmp_path / "crm"
    log = git("log", "--format=%H %s", cwd=clone).stdout.splitlines()
    assert len(log) == 2, log
    assert log[0].startswith(f"{regenerated['commit']} Regenerate gestion_client: 1.0.0 -> 1.1.0")
    assert log[1].startswith(f"{app['commit']} Generate gestion_client 1.0.0")
    body = git("log", "-1", "--format=%b", cwd=clone).stdout
    assert "additive     field added: tables.clients.fields.ville" in body
    assert "Migration: migrations/0002_v1_1_0.sql" in body
    assert (clone / "migrations" / "0002_v1_1_0.sql").is_file()


@pytest.fixture(scope="module")
def shared(api: Api, runtime: httpx.Client) -> dict[str, object]:
    """An app of one organisation with a CLIENT, and an outsider."""
    owner, client, outsider = api.new_user("owner"), api.new_user("client"), api.new_user("out")
    organization = api.new_organization(owner)
    api.add_member(organization, owner, client, "CLIENT")
    api.new_organization(outsider)
    app = create_app(api, runtime, owner, publish(api, organization, crm_document()))
    return {"owner": owner, "client": client, "outsider": outsider, "app": app}


def test_a_client_of_the_organisation_clones_it_too(
    api: Api, shared: dict[str, object], tmp_path: Path
) -> None:
    app, client = shared["app"], shared["client"]
    assert isinstance(app, dict) and isinstance(client, User)

    done = git("clone", "--quiet", clone_url(api, app["id"], client), "crm", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert git("rev-parse", "HEAD", cwd=tmp_path / "crm").stdout.strip() == app["commit"]


def test_without_a_good_token_git_is_asked_for_basic_credentials(
    api: Api, shared: dict[str, object], tmp_path: Path
) -> None:
    app = shared["app"]
    assert isinstance(app, dict)
    refs = f"/api/v1/runtime/apps/{app['id']}/repository.git/info/refs?service=git-upload-pack"
    asked = httpx.get(api.server.base_url + refs)
    assert_error(asked, 401, "NOT_AUTHENTICATED")
    assert asked.headers["www-authenticate"].startswith("Basic ")
    done = git("clone", "--quiet", clone_url(api, app["id"], None), "crm", cwd=tmp_path)
    assert "could not read Username" in done.stderr, done.stderr  # git asked for them
    for password in ("not-a-token", ""):
        refused = httpx.get(api.server.base_url + refs, auth=("git", password))
        assert_error(refused, 401, "NOT_AUTHENTICATED")
        assert refused.headers["www-authenticate"].startswith("Basic ")
        url = clone_url(api, app["id"], None, password)
        done = git("clone", "--quiet", url, f"crm-{password}", cwd=tmp_path)
        assert done.returncode != 0, done.stderr
        assert not (tmp_path / f"crm-{password}" / "app").exists()
    bearer = {"Authorization": f"Bearer {shared['owner'].tokens['access']}"}  # type: ignore[attr-defined]
    assert_error(httpx.get(api.server.base_url + refs, headers=bearer), 401, "NOT_AUTHENTICATED")


def test_another_organisation_s_member_finds_no_repository(
    api: Api, shared: dict[str, object], tmp_path: Path
) -> None:
    app, outsider = shared["app"], shared["outsider"]
    assert isinstance(app, dict) and isinstance(outsider, User)
    refs = f"/api/v1/runtime/apps/{app['id']}/repository.git/info/refs?service=git-upload-pack"
    token = outsider.tokens["access"]

    response = httpx.get(api.server.base_url + refs, auth=("git", token))

    missing = refs.replace(app["id"], "00000000-0000-4000-8000-000000000000")
    unknown = httpx.get(api.server.base_url + missing, auth=("git", token))
    assert assert_error(response, 404, "NOT_FOUND") == assert_error(unknown, 404, "NOT_FOUND")
    done = git("clone", "--quiet", clone_url(api, app["id"], outsider), "crm", cwd=tmp_path)
    assert done.returncode != 0 and not (tmp_path / "crm" / "app").exists()


def test_pushing_to_the_repository_is_refused(
    api: Api, shared: dict[str, object], tmp_path: Path
) -> None:
    app, owner = shared["app"], shared["owner"]
    assert isinstance(app, dict) and isinstance(owner, User)
    url = clone_url(api, app["id"], owner)
    assert git("clone", "--quiet", url, "crm", cwd=tmp_path).returncode == 0
    clone = tmp_path / "crm"
    (clone / "README.md").write_text("hijacked\n")
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    assert git(*identity, "commit", "-qam", "hijack", cwd=clone).returncode == 0

    pushed = git("push", "--quiet", "origin", "main", cwd=clone)

    assert pushed.returncode != 0, pushed.stderr
    assert "403" in pushed.stderr, pushed.stderr
    served = repository(api, app["id"])
    assert git("rev-parse", "HEAD", cwd=served).stdout.strip() == app["commit"]
    assert "hijacked" not in (served / "README.md").read_text()


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A bare repository that takes pushes over HTTP (dulwich's own server)."""
    bare = tmp_path / "remote.git"
    Repo.init_bare(str(bare), mkdir=True)
    port = free_port()
    server = make_server("127.0.0.1", port, make_wsgi_chain(DictBackend({"/": Repo(str(bare))})))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/", bare
    finally:
        server.shutdown()
        server.server_close()


def test_every_generation_is_pushed_to_the_remote(
    api: Api, runtime: httpx.Client, remote: tuple[str, Path]
) -> None:
    url, bare = remote
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    document = crm_document()
    project = publish(api, organization, document)
    app = create_app(api, runtime, owner, project)
    # A remote's credentials are a secret: shown masked, kept encrypted, used to push.
    with_credentials = url.replace("http://", "http://git:s3cret@")
    updated = runtime.put(
        f"/apps/{app['id']}/", headers=owner.headers, json={"remote_url": with_credentials}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["remote_url"] == url.replace("http://", "http://git:***@")
    [(shown, kept)] = api.query(
        "SELECT remote_url, remote_secret FROM runtime_apps WHERE id = %s", app["id"]
    )
    assert "s3cret" not in shown and b"s3cret" not in bytes(kept)
    document["project"]["version"] = "1.0.1"
    document["tables"]["clients"]["display_name"] = "Nos clients"
    publish_version(api, project, document)

    started = runtime.post(f"/apps/{app['id']}/regenerate/", headers=owner.headers, json={})

    assert started.status_code == 202, started.text
    job = started.json()["generation_task_id"]
    regenerated = wait_for_generation(api, runtime, owner, app["id"], job)
    assert regenerated["error_message"] is None, regenerated
    pushed = git("--git-dir", str(bare), "log", "--format=%H", "main").stdout.split()
    assert pushed == [regenerated["commit"], app["commit"]]
    steps = api.query("SELECT name FROM job_steps WHERE job_id = %s ORDER BY position", job)
    assert steps[-1] == ("pushing to the remote",)


def test_a_failed_push_is_reported_and_the_generation_stands(
    api: Api, runtime: httpx.Client, tmp_path: Path
) -> None:
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    project = publish(api, organization, crm_document())
    app = create_app(api, runtime, owner, project)
    read_only = HTTPGitApplication(
        DictBackend({"/": Repo.init_bare(str(tmp_path / "r.git"), mkdir=True)})
    )
    read_only.handlers = {b"git-upload-pack": UploadPackHandler}  # a remote refusing pushes
    port = free_port()
    server = make_server("127.0.0.1", port, read_only)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        secret_url = f"http://git:s3cret@127.0.0.1:{port}/"
        response = runtime.put(
            f"/apps/{app['id']}/", headers=owner.headers, json={"remote_url": secret_url}
        )
        assert response.json()["remote_url"] == f"http://git:***@127.0.0.1:{port}/"

        started = runtime.post(f"/apps/{app['id']}/regenerate/", headers=owner.headers, json={})

        after = wait_for_generation(
            api, runtime, owner, app["id"], started.json()["generation_task_id"]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert after["status"] == "generated"
    assert after["error_message"].startswith("push to the remote failed: "), after
    assert "s3cret" not in after["error_message"]
    served = repository(api, app["id"])
    assert after["commit"] == git("rev-parse", "HEAD", cwd=served).stdout.strip()


def test_edits_pushed_to_the_remote_are_merged_by_the_next_generation(
    api: Api, runtime: httpx.Client, remote: tuple[str, Path], tmp_path: Path
) -> None:
    url, bare = remote
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    document = crm_document()
    project = publish(api, organization, document)
    app = create_app(api, runtime, owner, project)
    runtime.put(f"/apps/{app['id']}/", headers=owner.headers, json={"remote_url": url})
    started = runtime.post(f"/apps/{app['id']}/regenerate/", headers=owner.headers, json={})
    wait_for_generation(api, runtime, owner, app["id"], started.json()["generation_task_id"])
    assert git("clone", "-q", "-b", "main", url, "work", cwd=tmp_path).returncode == 0
    work = tmp_path / "work"
    main = work / "app" / "main.py"
    main.write_text(main.read_text() + "\n# Pushed by the owner.\n")
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    assert git(*identity, "commit", "-qam", "Our edit", cwd=work).returncode == 0
    assert git("push", "--quiet", "origin", "main", cwd=work).returncode == 0
    document["project"]["version"] = "1.0.1"
    document["tables"]["clients"]["display_name"] = "Nos clients"
    publish_version(api, project, document)

    started = runtime.post(f"/apps/{app['id']}/regenerate/", headers=owner.headers, json={})

    job = started.json()["generation_task_id"]
    regenerated = wait_for_generation(api, runtime, owner, app["id"], job)
    assert regenerated["version"] == "1.0.1" and regenerated["error_message"] is None
    served = repository(api, app["id"])
    assert "# Pushed by the owner." in (served / "app" / "main.py").read_text()
    subjects = git("log", "--format=%s", cwd=served).stdout.splitlines()
    assert subjects[:2] == [subjects[0], "Our edit"] and subjects[0].startswith("Regenerate")
    assert "Hand edits merged into: app/main.py" in git("log", "-1", cwd=served).stdout
    pushed = git("--git-dir", str(bare), "rev-parse", "main").stdout.strip()
    assert pushed == regenerated["commit"]


def test_a_remote_that_diverged_stops_the_generation(
    api: Api, runtime: httpx.Client, remote: tuple[str, Path], tmp_path: Path
) -> None:
    url, bare = remote
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    project = publish(api, organization, crm_document())
    app = create_app(api, runtime, owner, project)
    work = tmp_path / "other"
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    assert git("init", "--quiet", "--initial-branch=main", str(work)).returncode == 0
    (work / "README.md").write_text("another history\n")
    assert git("add", "README.md", cwd=work).returncode == 0
    assert git(*identity, "commit", "-qm", "Unrelated", cwd=work).returncode == 0
    assert git("push", "--quiet", url, "main", cwd=work).returncode == 0
    runtime.put(f"/apps/{app['id']}/", headers=owner.headers, json={"remote_url": url})

    started = runtime.post(f"/apps/{app['id']}/regenerate/", headers=owner.headers, json={})

    after = wait_for_generation(
        api, runtime, owner, app["id"], started.json()["generation_task_id"]
    )
    assert after["status"] == "generated" and after["commit"] == app["commit"]
    assert after["error_message"].startswith("pull from the remote failed: "), after
    assert "the remote's main has commits" in after["error_message"]
    assert git("--git-dir", str(bare), "log", "--format=%s", "main").stdout.strip() == "Unrelated"
