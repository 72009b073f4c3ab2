"""Writing: the only stage that touches the output folder, all or nothing.

Every file is first written to a staging folder beside its final place; only when all are
written are they moved into place (`os.replace`, atomic per file). Should a move fail,
the files already moved are put back, so a failed generation leaves the folder as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import WriteError

MANIFEST = PurePosixPath(".nocode/manifest.json")
EXECUTABLES = frozenset({PurePosixPath(".ci/run")})


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_text(
    generated: dict[PurePosixPath, str],
    owner: dict[PurePosixPath, str],
    header: dict[str, str],
) -> str:
    """What was generated, by which generator from which spec, with each generated file's
    digest, and the owner's files it created, with their digest as created (so that one
    its owner never edited can go when its table goes)."""
    manifest = {
        "generated_by": header,
        "files": {str(path): digest(text) for path, text in sorted(generated.items())},
        "owner_files": {str(path): owner[path] for path in sorted(owner)},
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest an earlier generation left in `out_dir`, or None if there is none."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise WriteError(f"{out_dir / MANIFEST}: unreadable ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise WriteError(f"{out_dir / MANIFEST}: not a nocode manifest")
    return manifest


def write_tree(
    out_dir: Path, files: dict[PurePosixPath, str], remove: Iterable[PurePosixPath] = ()
) -> None:
    """Make `out_dir` hold `files` and no longer hold `remove`, all or nothing."""
    if out_dir.exists() and not out_dir.is_dir():
        raise WriteError(f"{out_dir}: exists and is not a folder")
    stale = set(remove)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).exists():
        raise WriteError(
            f"{out_dir}: the folder is not empty and holds no earlier generation; "
            "choose an empty or new folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".nocode-staging-", dir=out_dir))
    backup = staging / "backup"
    moved: list[tuple[Path, Path | None]] = []  # (target, its backup or None if new)
    try:
        for path, text in files.items():
            staged = staging / "new" / path
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(text, encoding="utf-8", newline="\n")
            if path in EXECUTABLES:
                staged.chmod(0o755)
        for path in sorted(files):
            moved.append(_move_into_place(out_dir / path, staging / "new" / path, backup / path))
        for path in sorted(stale):
            target = out_dir / path
            if target.exists():
                saved = backup / path
                saved.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, saved)
                moved.append((target, saved))
    except OSError as error:
        _restore(moved)
        raise WriteError(f"{out_dir}: cannot write the generated files: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(target: Path, staged: Path, saved: Path) -> tuple[Path, Path | None]:
    target.parent.mkdir(parents=True, exist_ok=True)
    previous: Path | None = None
    if target.exists():
        saved.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, saved)
        previous = saved
    try:
        os.replace(staged, target)
    except OSError:
        if previous is not None:
            os.replace(previous, target)
        raise
    return target, previous


def _restore(moved: list[tuple[Path, Path | None]]) -> None:
    """Undo the moves, newest first: new files go, replaced files come back."""
    for target, saved in reversed(moved):
        with contextlib.suppress(OSError):
            if saved is None:
                target.unlink()
            else:
                os.replace(saved, target)
