"""Regeneration: what to write into a folder, given what an earlier generation left there.

A generated repository holds four kinds of files:

* generated files, rewritten by every generation. An owner's edit made since the last
  generation is carried onto the new output by a three-way merge (the last generated
  output is kept under `.nocode/base/` for this); when the edit and the new output
  conflict, the regeneration is refused, naming the files, and nothing is written;
* the owner's files (`app/hooks/`), written once when missing and never touched again;
* migrations, which are history: the existing files are kept as they are and the next
  one, planned from the spec diff, is added after them;
* `.nocode/`: the manifest and the base copies.

A spec change that would lose data is refused unless forced; one the database cannot
make safely is refused always (see `generator.changes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.changes import (
    Change,
    ChangeSet,
    Safety,
    hook_warnings,
    plan_changes,
    recorded_spec,
)
from generator.errors import Issue, PlanError, WriteError
from generator.merge import merge_text
from generator.plan import Plan
from generator.spec.models import ProjectSpec
from generator.write import MANIFEST, digest, manifest_text, read_manifest

BASE = PurePosixPath(".nocode/base")
MIGRATIONS = PurePosixPath("migrations")
_NUMBERED = re.compile(r"^(\d{4})_.*\.sql$")


@dataclass(frozen=True)
class Outcome:
    """What a generation writes and removes, and what it did, for the report and commit."""

    files: dict[PurePosixPath, str]
    remove: frozenset[PurePosixPath] = frozenset()
    old_spec: ProjectSpec | None = None
    changes: tuple[Change, ...] = ()
    migration: PurePosixPath | None = None
    merged: tuple[PurePosixPath, ...] = ()
    notices: tuple[str, ...] = field(default=())


def regeneration(
    out_dir: Path,
    spec: ProjectSpec,
    the_plan: Plan,
    files: dict[PurePosixPath, str],
    *,
    force: bool = False,
) -> Outcome:
    """Carry the repository in `out_dir` over to `files`, generated from `spec`; a new
    repository gets `files` and the base copies later merges start from."""
    owner = the_plan.owner_files
    manifest = read_manifest(out_dir)
    if manifest is None:
        return Outcome(files={**files, **_base_copies(files, owner)})
    recorded = recorded_spec(out_dir)
    change_set = plan_changes(recorded.spec, spec, recorded.schema_revision)
    refuse(change_set, force)
    history, migration_path = _history(out_dir, change_set, files)
    generated = {
        path: text
        for path, text in files.items()
        if path not in owner and path != MANIFEST and not is_migration(path)
    }
    carry = _Carry(out_dir, manifest)
    carry.generated_files(generated)
    carry.owner_files({path: files[path] for path in owner})
    if carry.conflicts:
        raise WriteError(
            [Issue("", f"{out_dir}: regeneration refused, nothing was written"), *carry.conflicts]
        )
    carry.files.update(history)
    carry.files.update(_base_copies(generated, owner))
    carry.files[MANIFEST] = manifest_text(
        {**generated, **history}, carry.owner_digests, the_plan.manifest_header
    )
    return Outcome(
        files=carry.files,
        remove=frozenset(carry.remove),
        old_spec=recorded.spec,
        changes=change_set.changes,
        migration=migration_path,
        merged=tuple(carry.merged),
        notices=(*hook_warnings(out_dir, change_set.changes), *carry.notices),
    )


def _history(
    out_dir: Path, change_set: ChangeSet, files: dict[PurePosixPath, str]
) -> tuple[dict[PurePosixPath, str], PurePosixPath | None]:
    """The migrations: the repository's own, plus the next one if the database changes."""
    history = _migrations(out_dir)
    if not history:  # nothing to migrate from: start again from the full schema
        return {path: text for path, text in files.items() if is_migration(path)}, None
    if change_set.migration.empty:
        return history, None
    path = _next_migration(history, change_set.new)
    history[path] = change_set.migration_sql(path.stem)
    return history, path


class _Carry:
    """What to write and remove so that the owner's work survives the new output."""

    def __init__(self, out_dir: Path, manifest: dict[str, Any]) -> None:
        self.out_dir = out_dir
        self.last_digests: dict[str, str] = manifest["files"]
        self.last_owner_digests: dict[str, str] = manifest.get("owner_files", {})
        self.files: dict[PurePosixPath, str] = {}
        self.remove: set[PurePosixPath] = set()
        self.merged: list[PurePosixPath] = []
        self.conflicts: list[Issue] = []
        self.notices: list[str] = []
        self.owner_digests: dict[PurePosixPath, str] = {}

    def generated_files(self, generated: dict[PurePosixPath, str]) -> None:
        for path, new_text in generated.items():
            carried = _carry_edits(self.out_dir, path, new_text, self.last_digests.get(str(path)))
            if carried is None:
                self.conflicts.append(Issue(str(path), _conflict_reason(self.out_dir, path)))
                continue
            self.files[path], was_merged = carried
            if was_merged:
                self.merged.append(path)
        for name, last_digest in self.last_digests.items():
            path = PurePosixPath(name)
            if path in generated or is_migration(path):
                continue
            if _edited(self.out_dir, path, last_digest):
                self.conflicts.append(
                    Issue(
                        name,
                        "edited by hand and no longer generated: move your changes, then delete it",
                    )
                )
            self.remove |= {path, BASE / path}

    def owner_files(self, created: dict[PurePosixPath, str]) -> None:
        """Create the missing ones; of those no longer called, remove the unedited."""
        for path, text in created.items():
            if (self.out_dir / path).exists():
                self.owner_digests[path] = self.last_owner_digests.get(str(path), "")
            else:
                self.files[path] = text
                self.owner_digests[path] = digest(text)
        for name, created_digest in self.last_owner_digests.items():
            path = PurePosixPath(name)
            if path in created or not (self.out_dir / path).exists():
                continue
            if _edited(self.out_dir, path, created_digest):
                self.owner_digests[path] = created_digest
                self.notices.append(
                    f"{name}: no longer called (its table was renamed or dropped); move your "
                    "code to the new table's hooks module, then delete it"
                )
            else:
                self.remove.add(path)


def is_migration(path: PurePosixPath) -> bool:
    """Migrations are history: written once, then kept as they are."""
    return path.parent == MIGRATIONS and path.suffix == ".sql"


def refuse(change_set: ChangeSet, force: bool) -> None:
    """Raise the PlanError of the changes `change_set` may not make (with `force`, only
    those the database cannot make safely)."""
    issues = [Issue(c.path, f"{c.kind}: {c.refusal}") for c in change_set.refused]
    if not force:
        issues += [
            Issue(c.path, f"{c.kind} loses data ({c.detail}); regenerate with --force to accept")
            for c in change_set.changes
            if c.safety == Safety.DESTRUCTIVE and not c.refusal
        ]
    if issues:
        raise PlanError(issues)


def _migrations(out_dir: Path) -> dict[PurePosixPath, str]:
    folder = out_dir / MIGRATIONS
    if not folder.is_dir():
        return {}
    return {
        MIGRATIONS / path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.sql"))
    }


def _next_migration(history: dict[PurePosixPath, str], spec: ProjectSpec) -> PurePosixPath:
    numbers = [int(match[1]) for path in history if (match := _NUMBERED.match(path.name))]
    version = spec.project.version.replace(".", "_")
    return MIGRATIONS / f"{max(numbers, default=0) + 1:04d}_v{version}.sql"


def _base_copies(
    files: dict[PurePosixPath, str], owner: frozenset[PurePosixPath]
) -> dict[PurePosixPath, str]:
    return {
        BASE / path: text
        for path, text in files.items()
        if path not in owner and path != MANIFEST and not is_migration(path)
    }


def _read(path: Path) -> str | None:
    """The text of `path`, or None when there is no file there (writing will say why)."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise WriteError(f"{path}: cannot read it to carry edits over ({error})") from None


def _carry_edits(
    out_dir: Path, path: PurePosixPath, new: str, last_digest: str | None
) -> tuple[str, bool] | None:
    """(text to write, whether an edit was merged in), or None when it cannot be merged."""
    current = _read(out_dir / path)
    if current is None or current == new:
        return new, False
    base = _read(out_dir / BASE / path)
    if base is None:  # an older repository without base copies: only unedited files go
        return (new, False) if last_digest == digest(current) else None
    if current == base:
        return new, False
    if new == base:
        return current, True
    merged = merge_text(current, base, new)
    return None if merged is None else (merged, True)


def _conflict_reason(out_dir: Path, path: PurePosixPath) -> str:
    if not (out_dir / BASE / path).exists():
        return "exists but was not written by the last generation: move it away"
    return (
        "edited by hand, and the edit conflicts with the new generated code: "
        "move the change to app/hooks/ or undo it"
    )


def _edited(out_dir: Path, path: PurePosixPath, last_digest: str) -> bool:
    current = _read(out_dir / path)
    return current is not None and digest(current) != last_digest
