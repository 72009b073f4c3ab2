"""`deploy_webapp` (deployment/webapp.py, ansible/deploy_webapp.yml) for real: the FastAPI, Flask
and Django samples of tests/deploy/webapps deployed over SSH onto test hosts and called from here;
a new commit switched in beside the previous release; a broken one rolled back; repositories of
another framework, or of none, refused before anything runs. What a repository is and how it
starts (deployment/frameworks.py) is read from its commits here too."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deployment.deploy import Deployment, Hosts
from deployment.errors import INVALID_CONFIGURATION, NOT_DEPLOYABLE, DeployError
from deployment.frameworks import FRAMEWORKS, check, detect, release_command, start_command
from deployment.inventory import Target
from deployment.runner import Connection
from deployment.webapp import deploy_webapp
from tests.conftest import REPOSITORY, traversable_dir
from tests.deploy.conftest import REPRODUCIBLE_COMMITS, system_user
from tests.deploy.hosts import CACHE, HostFactory, TestHost

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).with_name("webapps")
# Built once per commit and kept between runs: the samples' commits are reproducible.
RELEASES = CACHE / "webapp-releases"
SAMPLES_KEYS = ["fastapi", "flask", "django"]


def sample(tmp_path: Path, framework: str) -> Path:
    """The sample app of `framework` in a new Git repository, committed."""
    repository = tmp_path / f"sample_{framework}"
    shutil.copytree(SAMPLES / framework, repository)
    git(repository, "init", "-q", "-b", "main")
    commit(repository, "The sample app")
    return repository


def git(repository: Path, *args: str) -> None:
    env = {**os.environ, **REPRODUCIBLE_COMMITS}
    subprocess.run(["git", "-C", str(repository), *args], check=True, env=env)


def commit(repository: Path, message: str) -> None:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)


def edit(repository: Path, relative: str, old: str, new: str) -> None:
    path = repository / relative
    text = path.read_text()
    assert old in text, f"{relative} has no {old!r}"
    path.write_text(text.replace(old, new))
    commit(repository, f"{relative}: {old} -> {new}")


class Deployer:
    """deploy_webapp onto test hosts, each app in its own folder of the test's roots."""

    def __init__(self, factory: HostFactory, work: Path, roots: Path) -> None:
        self.factory = factory
        self.roots = roots
        self.connection = Connection(known_hosts=work / "known_hosts", key_file=factory.client_key)

    def __call__(
        self, repository: Path, framework: str, host: TestHost, **options: int
    ) -> Deployment:
        name = system_user(f"nocode-{repository.name.replace('_', '-')}")
        assert name.startswith("nocode-")  # the role's user for the app `repository.name`
        target = Target(host.user, host.address, host.port)
        hosts = Hosts(targets=(target,), key_file=self.factory.client_key)
        return deploy_webapp(
            repository,
            framework,
            hosts,
            self.connection,
            RELEASES,
            name=repository.name,
            root=str(self.files(repository)),
            **options,
        )

    def files(self, repository: Path) -> Path:
        return self.roots / repository.name


@pytest.fixture
def deployer(host_factory: HostFactory, tmp_path: Path) -> Iterator[Deployer]:
    # The apps' users go through the roots, as through /srv.
    with traversable_dir("nc-") as roots:
        yield Deployer(host_factory, tmp_path, roots)
        host_factory.close()  # first: its hosts' processes still use the roots


def get(host: TestHost, path: str) -> httpx.Response:
    return httpx.get(f"http://{host.address}:8000{path}", timeout=10)


def succeeded(record: Deployment) -> list[str]:
    """The steps of a run that succeeded; the failure, with the log, otherwise."""
    assert record.status == "success", (record.error_message, record.as_dict()["logs"])
    assert all(step.status == "success" for step in record.recorder.steps)
    return [step.name for step in record.recorder.steps]


@pytest.mark.parametrize("framework", ["fastapi", "django"])
def test_framework_app_is_deployed_and_serves(
    deployer: Deployer, host_factory: HostFactory, tmp_path: Path, framework: str
) -> None:
    repository = sample(tmp_path, framework)
    host = host_factory.create("web")

    record = deployer(repository, framework, host)

    release_command = ["Release command"] if framework == "django" else []
    assert succeeded(record) == [
        *("Build", "Validation", "Host Preparation", "Code Deployment"),
        *release_command,
        *("Switch", "Health Checks", "Clean up"),
    ]
    assert f"<h1>{FRAMEWORKS[framework].name} sample, version 1</h1>" in get(host, "/").text
    info = get(host, "/api/info").json()
    assert info["framework"] == framework and info["version"] == "1"
    if framework == "django":
        assert info["groups"] == 0  # its tables exist: manage.py migrate ran
        assert (deployer.files(repository) / "shared/data/db.sqlite3").exists()


def test_new_commit_switches_and_a_broken_one_rolls_back(
    deployer: Deployer, host_factory: HostFactory, tmp_path: Path
) -> None:
    repository = sample(tmp_path, "flask")
    host = host_factory.create("web")
    files = deployer.files(repository)
    first = deployer(repository, "flask", host)
    assert "Release command" not in succeeded(first)
    assert get(host, "/api/info").json() == {"framework": "flask", "version": "1"}

    # Version 2, started by its Procfile (Heroku's way: $PORT), beside version 1.
    (repository / "Procfile").write_text(
        "web: gunicorn app:app --workers 2 --bind :$PORT\n"
        'release: echo "released by $(id -un)" > "$DATA_DIR/release"\n'
    )
    edit(repository, "app.py", 'VERSION = "1"', 'VERSION = "2"')
    second = deployer(repository, "flask", host)
    assert "Release command" in succeeded(second)
    released = (files / "shared/data/release").read_text()
    assert released == f"released by nocode-{repository.name.replace('_', '-')}\n"
    assert second.recorder.steps[0].details.endswith(": gunicorn app:app --workers 2 --bind :$PORT")
    assert get(host, "/api/info").json() == {"framework": "flask", "version": "2"}
    assert first.release is not None and second.release is not None
    releases = {path.name for path in (files / "releases").iterdir()}
    assert releases == {first.release.name, second.release.name}
    assert (files / "current").resolve().name == second.release.name

    # Version 3 answers 500 at /: its health check fails, version 2 serves again.
    edit(repository, "app.py", 'return f"<h1>', 'raise RuntimeError("broken")\n    return f"<h1>')
    broken = deployer(repository, "flask", host, health_deadline=4)
    assert broken.status == "failed" and broken.error_code == NOT_DEPLOYABLE
    steps = {step.name: step.status for step in broken.recorder.steps}
    assert steps["Health Checks"] == "failed" and steps["Rollback"] == "success"
    assert broken.recorder.failure is not None and broken.recorder.failure.step == "Health Checks"
    assert f"rolled back to {second.release.name}" in str(broken.error_message)
    assert get(host, "/api/info").json() == {"framework": "flask", "version": "2"}
    assert {path.name for path in (files / "releases").iterdir()} == releases
    assert (files / "current").resolve().name == second.release.name


def test_repository_of_another_framework_or_none_is_refused(tmp_path: Path) -> None:
    flask = sample(tmp_path, "flask")
    hosts = Hosts(targets=(Target("root", "192.0.2.1", 22),))  # never reached
    connection = Connection(known_hosts=tmp_path / "known_hosts")

    for framework, reason in [
        ("django", "it has no manage.py"),
        ("fastapi", "neither requirements.txt nor pyproject.toml requires fastapi"),
        ("nocode", "not generated by nocode"),
    ]:
        with pytest.raises(DeployError) as refused:
            check(framework, flask, "HEAD")
        assert refused.value.code == NOT_DEPLOYABLE and reason in str(refused.value)
    with pytest.raises(DeployError) as refused:
        deploy_webapp(flask, "django", hosts, connection, tmp_path / "releases")
    assert refused.value.code == NOT_DEPLOYABLE
    assert "sample_flask is not a Django app: it has no manage.py" in str(refused.value)
    with pytest.raises(DeployError) as refused:
        deploy_webapp(flask, "rails", hosts, connection, tmp_path / "releases")
    assert refused.value.code == INVALID_CONFIGURATION
    assert "unknown framework 'rails': one of nocode, fastapi, flask, django" in str(refused.value)
    assert not (tmp_path / "releases").exists()  # nothing was built


def test_detection_and_start_commands(tmp_path: Path) -> None:
    repositories = {framework: sample(tmp_path, framework) for framework in SAMPLES_KEYS}
    assert {key: detect(path, "HEAD") for key, path in repositories.items()} == {
        key: key for key in SAMPLES_KEYS
    }
    assert [
        start_command(FRAMEWORKS[key], repositories[key], "HEAD", 8000) for key in SAMPLES_KEYS
    ] == [
        "uvicorn main:app --host 0.0.0.0 --port 8000",
        "gunicorn app:app --bind 0.0.0.0:8000",
        "gunicorn mysite.wsgi:application --bind 0.0.0.0:8000",
    ]

    assert [
        release_command(FRAMEWORKS[key], repositories[key], "HEAD") for key in SAMPLES_KEYS
    ] == [
        "",
        "",
        "python manage.py migrate --noinput",
    ]

    # The generated CRM (the golden copy) is a nocode app; a repository of nothing is none.
    generated = tmp_path / "generated"
    shutil.copytree(REPOSITORY / "tests/golden/gestion_client/expected", generated)
    git(generated, "init", "-q")
    commit(generated, "generated")
    assert detect(generated, "HEAD") == "nocode"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README").write_text("nothing to run\n")
    git(empty, "init", "-q")
    commit(empty, "nothing")
    assert detect(empty, "HEAD") is None
