"""What a repository was generated from, as its nocode.spec.json records it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SpecError
from generator.plan import RECORDED_SPEC
from generator.spec import parse_spec
from generator.spec.models import ProjectSpec


@dataclass(frozen=True)
class Recorded:
    """The spec a repository was generated from, by a generator of which schema revision
    (1 when not recorded: repositories older than revisions)."""

    spec: ProjectSpec
    schema_revision: int


def recorded_spec(repository: Path) -> Recorded:
    path = repository / RECORDED_SPEC
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        spec, revision = document["spec"], document["generated_by"].get("schema_revision", 1)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SpecError(f"{path}: no recorded spec to compare with ({error})") from None
    return Recorded(parse_spec(spec), int(revision))
