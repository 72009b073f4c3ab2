"""The number of the next version, from the generator's change classes between the last
version and the draft (`generator.changes.plan_changes`):

* a destructive change (data lost) bumps the major: 1.4.2 -> 2.0.0;
* an additive or locking change (a table or field added, a rename, a type widened...)
  bumps the minor: 1.4.2 -> 1.5.0;
* changes the database does not see (labels, descriptions, validation rules, form and
  list hints, permissions: what the generator calls "app only"), or a change of the
  project's name, description or pages alone, bump the patch: 1.4.2 -> 1.4.3.

The first version is 1.0.0. Nothing changed at all: 409 NOTHING_TO_PUBLISH. A change the
database cannot make safely (the generator refuses it): 409 CHANGE_REFUSED, by its path.
"""

from __future__ import annotations

import json
from typing import Any

from control_plane.errors import ApiError, ErrorKind
from control_plane.studio.queries.versions import Latest
from generator.changes import Change, Safety, plan_changes
from generator.spec import ProjectSpec, parse_spec

NOTHING_TO_PUBLISH = ErrorKind(409, "NOTHING_TO_PUBLISH", "Nothing changed since the last version")
CHANGE_REFUSED = ErrorKind(409, "CHANGE_REFUSED", "The database cannot make this change safely")
FIRST = (1, 0, 0)

# The generator's change kinds that only change the app (models, metadata), never the
# database (generator/changes/classify.py).
_APP_ONLY = frozenset({"field settings changed", "table settings changed", "permissions changed"})


def next_version(
    previous: Latest | None, draft: ProjectSpec, document: dict[str, Any], pages: list[Any]
) -> tuple[tuple[int, int, int], tuple[Change, ...]]:
    """The next number after `previous` and the changes that made it."""
    if previous is None:
        empty = draft.model_copy(update={"tables": {}})
        return FIRST, plan_changes(empty, draft).changes
    change_set = plan_changes(parse_spec(previous.spec), draft)
    if change_set.refused:
        refusals = {c.path: f"{c.kind}: {c.refusal}" for c in change_set.refused}
        raise ApiError(CHANGE_REFUSED, refusals)
    changes = change_set.changes
    major, minor, patch = previous.major, previous.minor, previous.patch
    if any(change.safety == Safety.DESTRUCTIVE for change in changes):
        return (major + 1, 0, 0), changes
    if any(change.kind not in _APP_ONLY for change in changes):
        return (major, minor + 1, 0), changes
    if changes or not _same(previous.spec, document) or previous.pages != pages:
        return (major, minor, patch + 1), changes
    raise ApiError(NOTHING_TO_PUBLISH, {"project": "The draft is the last version."})


def _same(published: dict[str, Any], draft: dict[str, Any]) -> bool:
    """The same document but for its version number (in order: order is meaning)."""

    def text(document: dict[str, Any]) -> str:
        project = {k: v for k, v in document["project"].items() if k != "version"}
        return json.dumps({**document, "project": project})

    return text(published) == text(draft)


def change_public(change: Change) -> dict[str, str]:
    return {
        "safety": change.safety.value,
        "kind": change.kind,
        "path": change.path,
        "detail": change.detail,
    }
