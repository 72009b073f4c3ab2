"""A deploy request checked against seed 002's rules, every broken rule reported at once
(field path -> the seed's text), before anything is written.

The body is read as plain JSON rather than through a pydantic model, so that a value of
the wrong type is one more broken rule beside the others instead of hiding them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from control_plane.paas.models import DeploymentType, SourceKind
from control_plane.paas.queries.deployments import NewDeployment
from deployment.frameworks import FRAMEWORKS

NAME = re.compile(r"[A-Za-z0-9_-]{3,50}")
GITHUB_URL = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?(\.git)?/?")
NOCODE = "nocode"

# Seed 002's bounds: (least, most) per deployment type.
BOUNDS: dict[str, dict[DeploymentType, tuple[int, int]]] = {
    "cores": {DeploymentType.VM: (1, 16), DeploymentType.LXC: (1, 8)},
    "memory": {DeploymentType.VM: (512, 32768), DeploymentType.LXC: (256, 16384)},
    "disk": {DeploymentType.VM: (10, 500), DeploymentType.LXC: (5, 200)},
}
UNITS = {"cores": "", "memory": " MB", "disk": " GB"}
FIELDS = frozenset(
    {"name", "deployment_type", "framework", "github_url", "git_url", "app_id", "resources",
     "organization_id"}
)  # fmt: skip
SOURCES = ("github_url", "git_url", "app_id")


@dataclass(frozen=True)
class DeployRequest:
    """What a valid body asks for; the organisation is decided by the caller's roles."""

    organization_id: uuid.UUID | None
    name: str
    deployment_type: DeploymentType
    framework: str
    source_kind: SourceKind
    source: str  # the URL or path as given, or the app's id
    app_id: uuid.UUID | None
    cores: int
    memory: int
    disk: int

    def of(self, organization_id: uuid.UUID) -> NewDeployment:
        """The row to write, for the organisation the request was found to be for."""
        return NewDeployment(
            organization_id=organization_id,
            name=self.name,
            deployment_type=self.deployment_type,
            framework=self.framework,
            source_kind=self.source_kind,
            source=self.source,
            app_id=self.app_id,
            cores=self.cores,
            memory=self.memory,
            disk=self.disk,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and "\x00" not in value else None


def _local_path(url: str) -> Path | None:
    """The path a `file://` URL or an absolute path names; None for anything else."""
    if url.startswith("file://"):
        parts = urlsplit(url)
        return Path(unquote(parts.path)) if parts.netloc in ("", "localhost") else None
    return Path(url) if url.startswith("/") else None


def allowed_path(url: str, roots: list[Path]) -> Path | None:
    """The repository a Git URL names on this machine, if it lies under an allowed root
    (after resolving `..` and links)."""
    path = _local_path(url)
    if path is None:
        return None
    resolved = path.resolve()
    return resolved if any(resolved.is_relative_to(root.resolve()) for root in roots) else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _type(body: dict[str, Any], problems: dict[str, str]) -> DeploymentType | None:
    value = body.get("deployment_type")
    if value in ("vm", "lxc"):
        return DeploymentType(value)
    problems["deployment_type"] = "Invalid deployment_type. Must be 'vm' or 'lxc'"
    return None


def _source(
    body: dict[str, Any], roots: list[Path], problems: dict[str, str]
) -> tuple[SourceKind, str] | None:
    given = [key for key in SOURCES if body.get(key) is not None]
    if len(given) != 1:
        what = "Give only one of" if given else "Missing source: give one of"
        problems["github_url"] = f"{what} github_url, git_url, app_id"
        return None
    key = given[0]
    value = _text(body[key])
    if key == "github_url":
        if value is None or not GITHUB_URL.fullmatch(value):
            problems[key] = "Invalid GitHub URL"
            return None
        return SourceKind.GITHUB, value
    if key == "git_url":
        if value is None or allowed_path(value, roots) is None:
            problems[key] = "Invalid Git URL: not a path or file:// URL under an allowed root"
            return None
        return SourceKind.GIT, value
    if _uuid(value) is None:
        problems[key] = "Invalid app_id: must be the id of an app of the organization"
        return None
    return SourceKind.APP, str(_uuid(value))


def _resources(
    body: dict[str, Any], deployment_type: DeploymentType | None, problems: dict[str, str]
) -> dict[str, int]:
    """The resources that are whole numbers in their type's bounds; the others are
    problems (bounds are only checked against a valid deployment_type)."""
    resources = body.get("resources")
    if not isinstance(resources, dict):
        problems["resources"] = "Invalid resources: must be an object with cores, memory, disk"
        return {}
    for key in resources.keys() - BOUNDS.keys():
        problems[f"resources.{key}"] = "Unknown field"
    checked: dict[str, int] = {}
    for key, bounds in BOUNDS.items():
        value = resources.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            problems[f"resources.{key}"] = f"Invalid {key}: must be a whole number"
            continue
        if deployment_type is None:
            continue
        least, most = bounds[deployment_type]
        if not least <= value <= most:
            unit = UNITS[key]
            problems[f"resources.{key}"] = (
                f"Invalid {key}. Must be between {least} and {most}{unit} "
                f"for {deployment_type.value.upper()}"
            )
            continue
        checked[key] = value
    return checked


def check(body: dict[str, Any], roots: list[Path]) -> tuple[DeployRequest | None, dict[str, str]]:
    """The request, or None and every problem (field path -> message)."""
    problems: dict[str, str] = {key: "Unknown field" for key in body.keys() - FIELDS}
    name = _text(body.get("name"))
    if name is None or not NAME.fullmatch(name):
        problems["name"] = (
            "Invalid name. Must be 3-50 characters: letters, digits, hyphens and underscores"
        )
    deployment_type = _type(body, problems)
    source = _source(body, roots, problems)
    framework = body.get("framework")
    if source is not None and source[0] is SourceKind.APP:
        framework = NOCODE if framework is None else framework
        if framework != NOCODE:
            problems["framework"] = "Invalid framework for app_id: an app deploys as 'nocode'"
    if not isinstance(framework, str) or framework not in FRAMEWORKS:
        supported = ", ".join(sorted(FRAMEWORKS))
        problems["framework"] = f"Unsupported framework. Must be one of: {supported}"
    resources = _resources(body, deployment_type, problems)
    organization = body.get("organization_id")
    if organization is not None and _uuid(organization) is None:
        problems["organization_id"] = "Invalid organization_id: must be a UUID"
    if problems:
        return None, problems
    assert name and deployment_type and source and isinstance(framework, str)
    return (
        DeployRequest(
            organization_id=_uuid(organization),
            name=name,
            deployment_type=deployment_type,
            framework=framework,
            source_kind=source[0],
            source=source[1],
            app_id=_uuid(source[1]) if source[0] is SourceKind.APP else None,
            **resources,
        ),
        problems,
    )
