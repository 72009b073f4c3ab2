"""Release archives: an app's files at one Git commit plus the wheels it runs on.

Hosts install a release without reaching a package index: the controller downloads the
wheels once per commit and target Python, and keeps the archive in its cache. `build_release`
makes a nocode app's; `package` any repository's, given its requirements (deployment.webapp).
"""

from __future__ import annotations

import fcntl
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from deployment.errors import INVALID_CONFIGURATION, NOT_DEPLOYABLE, DeployError

APP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Wheels for glibc up to Debian 12's (2.36): what `pip download` may pick for the host.
MANYLINUX = [f"manylinux_2_{minor}" for minor in (17, 28, 31, 34, 36)] + ["manylinux2014"]
MACHINE = "x86_64"  # the hosts' processor: the wheels are downloaded for it


@dataclass(frozen=True)
class Release:
    app: str  # the app's name, a Python identifier
    version: str
    commit: str  # full SHA-1
    python: str  # "3.11": the Python the wheels are for
    archive: Path

    @property
    def name(self) -> str:
        """The release folder on hosts: `<version>-<commit>`, or `<commit>` without a version."""
        return f"{self.version}-{self.commit[:12]}" if self.version else self.commit[:12]


def git(app_dir: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(app_dir), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DeployError(
            INVALID_CONFIGURATION, f"{app_dir}: git {args[0]}: {result.stderr.strip()}"
        )
    return result.stdout


def project_at(app_dir: Path, commit: str) -> dict[str, object]:
    """The [project] table of the app's pyproject.toml at `commit`, its name and version checked."""
    try:
        pyproject = tomllib.loads(git(app_dir, "show", f"{commit}:pyproject.toml"))
        project: dict[str, object] = pyproject["project"]
        name, version = project["name"], project["version"]
    except (tomllib.TOMLDecodeError, KeyError) as error:
        raise DeployError(
            NOT_DEPLOYABLE, f"{app_dir}: pyproject.toml at {commit[:12]} has no {error}"
        ) from None
    if not isinstance(name, str) or not APP_NAME.match(name):
        raise DeployError(NOT_DEPLOYABLE, f"{app_dir}: project.name {name!r} is not an app name")
    if not isinstance(version, str) or not re.match(r"^[0-9A-Za-z.+_-]+$", version):
        raise DeployError(NOT_DEPLOYABLE, f"{app_dir}: project.version {version!r} is invalid")
    return project


def resolve_commit(app_dir: Path, commit: str = "HEAD") -> str:
    if not (app_dir / ".git").exists():
        raise DeployError(
            INVALID_CONFIGURATION,
            f"{app_dir} is not a Git repository: generate it with `nocode generate --git`",
        )
    return git(app_dir, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()


def file_at(repository: Path, commit: str, path: str) -> str | None:
    """The text of `path` in `repository` at `commit`, None when it has no such file."""
    result = subprocess.run(
        ["git", "-C", str(repository), "show", f"{commit}:{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def target_python(python: str | None) -> str:
    """The hosts' Python, `3.11`; this Python's by default."""
    python = python or f"{sys.version_info.major}.{sys.version_info.minor}"
    if not re.match(r"^3\.[0-9]{1,2}$", python):
        raise DeployError(INVALID_CONFIGURATION, f"python: {python!r} is not a version like 3.11")
    return python


def build_release(
    app_dir: Path, cache_dir: Path, *, commit: str = "HEAD", python: str | None = None
) -> Release:
    """The release of `app_dir` at `commit`, built into `cache_dir` unless already there."""
    python = target_python(python)
    sha = resolve_commit(app_dir, commit)
    project = project_at(app_dir, sha)
    release = Release(
        app=str(project["name"]),
        version=str(project["version"]),
        commit=sha,
        python=python,
        archive=cache_dir / f"{project['name']}-{sha[:12]}-py{python}.tar.gz",
    )
    dependencies = [str(item) for item in project.get("dependencies", [])]  # type: ignore[attr-defined]
    return package(app_dir, release, dependencies)


def package(
    repository: Path, release: Release, requirements: list[str], tools: tuple[str, ...] = ()
) -> Release:
    """`release.archive`: the repository's files at `release.commit`, its requirements.txt
    replaced by `requirements`, and their wheels, with those of `tools` (shipped for the
    install, not listed: pip itself, run from its wheel); built unless already cached."""
    if not release.archive.exists():
        release.archive.parent.mkdir(parents=True, exist_ok=True)
        # Two deployments of one commit at once build it once: the second waits, then finds it.
        with release.archive.with_suffix(".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not release.archive.exists():
                _build(repository, release, requirements, tools)
    return release


def _build(
    repository: Path, release: Release, requirements: list[str], tools: tuple[str, ...]
) -> None:
    with tempfile.TemporaryDirectory(dir=release.archive.parent) as work:
        folder = Path(work) / release.name
        folder.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(repository), "archive", "--format=tar", release.commit],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
        (folder / "requirements.txt").write_text("\n".join(requirements) + "\n")
        _download_wheels(folder, release.python, tools)
        partial = release.archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            tar.add(folder, arcname=release.name)
        partial.rename(release.archive)  # atomic: a cached archive is always complete


def _download_wheels(folder: Path, python: str, tools: tuple[str, ...]) -> None:
    platforms = [arg for tag in MANYLINUX for arg in ("--platform", f"{tag}_{MACHINE}")]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--dest",
            str(folder / "wheels"),
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            python,
            *platforms,
            "--requirement",
            str(folder / "requirements.txt"),
            *tools,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        problems = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        raise DeployError(
            NOT_DEPLOYABLE,
            "could not download the release's wheels: " + ("; ".join(problems) or "pip failed"),
        )
