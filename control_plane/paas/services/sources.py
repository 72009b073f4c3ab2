"""The source of a deployment, cloned into the data folder's cache (`paas/sources/<id>`)
and read at one commit: a GitHub repository, a Git repository on this machine under
PAAS_SOURCE_ROOTS, or a Runtime app's own repository. Blocking: run it in a thread."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from control_plane.config import Settings
from control_plane.paas.models import SourceKind
from control_plane.paas.queries.deployments import Deployment
from control_plane.paas.services.requests import allowed_path
from control_plane.runtime import paths
from deployment.errors import INVALID_CONFIGURATION, NOT_DEPLOYABLE, DeployError

CLONE_TIMEOUT_SECONDS = 120
# No prompt for credentials and no slow retries: an unreachable host fails at once.
_GIT_ENVIRONMENT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/true", "LC_ALL": "C"}


def cache_dir(settings: Settings, deployment_id: uuid.UUID) -> Path:
    return settings.data_dir.resolve() / "paas" / "sources" / str(deployment_id)


def _origin(settings: Settings, kind: SourceKind, source: str) -> str:
    """What git clones: the URL, or the folder of the repository on this machine."""
    if kind is SourceKind.GITHUB:
        return source
    if kind is SourceKind.APP:
        return str(paths.repository_dir(settings.data_dir.resolve(), uuid.UUID(source)))
    path = allowed_path(source, settings.paas_source_roots)
    if path is None:  # the roots changed since the request was accepted
        raise DeployError(INVALID_CONFIGURATION, f"{source} is not under PAAS_SOURCE_ROOTS")
    return str(path)


def fetch(settings: Settings, deployment: Deployment) -> tuple[Path, str]:
    """Clone the source afresh into the cache, in a folder named after the deployment;
    (the clone, the commit of its HEAD)."""
    kind, source = deployment.source_kind, deployment.source
    shutil.rmtree(cache_dir(settings, deployment.id), ignore_errors=True)
    target = cache_dir(settings, deployment.id) / deployment.name
    target.parent.mkdir(parents=True)
    environment = {**os.environ, **_GIT_ENVIRONMENT}
    try:
        subprocess.run(
            ["git", "clone", "--quiet", "--", _origin(settings, kind, source), str(target)],
            capture_output=True, text=True, check=True, env=environment,
            timeout=CLONE_TIMEOUT_SECONDS,
        )  # fmt: skip
        commit = subprocess.run(
            ["git", "-C", str(target), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, env=environment,
        ).stdout.strip()  # fmt: skip
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or "").strip().splitlines()
        reason = lines[-1] if lines else f"git exited with {error.returncode}"
        raise DeployError(NOT_DEPLOYABLE, f"could not fetch {source}: {reason}") from None
    except subprocess.TimeoutExpired:
        raise DeployError(
            NOT_DEPLOYABLE, f"could not fetch {source} within {CLONE_TIMEOUT_SECONDS} s"
        ) from None
    return target, commit


def remove(settings: Settings, deployment_id: uuid.UUID) -> None:
    shutil.rmtree(cache_dir(settings, deployment_id), ignore_errors=True)
