"""Reading a spec from YAML or JSON into a checked `ProjectSpec`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.errors import Issue, SpecError
from generator.spec.checks import check_spec
from generator.spec.documents import parse_json, parse_yaml
from generator.spec.models import ProjectSpec


def load_spec(path: Path) -> ProjectSpec:
    """Read, parse and check the spec at `path`; raise `SpecError` listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read the spec: {error}") from None
    return parse_spec(parse_document(text, path.suffix.lower()))


def parse_document(text: str, suffix: str) -> Any:
    """JSON for `.json` files, YAML (a superset of JSON) for anything else."""
    return parse_json(text) if suffix == ".json" else parse_yaml(text)


def parse_spec(document: Any) -> ProjectSpec:
    """Validate a parsed document: shape first (pydantic), then the cross-value checks."""
    if not isinstance(document, dict):
        raise SpecError("the spec must be a mapping with spec_version, project and tables")
    try:
        spec = ProjectSpec.model_validate(document)
    except ValidationError as error:
        raise SpecError([_issue_from_pydantic(item) for item in error.errors()]) from None
    issues = check_spec(spec)
    if issues:
        raise SpecError(issues)
    return spec


def _issue_from_pydantic(item: Any) -> Issue:
    path = ""
    for part in item["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            continue  # the key itself is the bad value; its path already ends with it
        else:
            path += f".{part}" if path else str(part)
    message = item["msg"]
    if item["type"] == "extra_forbidden":
        message = "unknown key"
    elif item["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    return Issue(path, message)
