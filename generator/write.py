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
from pathlib import Path, PurePosixPath

from generator.errors import WriteError

MANIFEST = PurePosixPath(".nocode/manifest.json")
EXECUTABLES = frozenset({PurePosixPath(".ci/run")})


def manifest_text(files: dict[PurePosixPath, str], header: dict[str, str]) -> str:
    """What was generated, by which generator from which spec, with each file's digest."""
    digests = {
        str(path): hashlib.sha256(text.encode()).hexdigest() for path, text in sorted(files.items())
    }
    return json.dumps({"generated_by": header, "files": digests}, indent=2, sort_keys=True) + "\n"


def previous_files(out_dir: Path) -> set[PurePosixPath]:
    """The files the previous generation wrote into `out_dir`, from its manifest."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {PurePosixPath(name) for name in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def write_tree(out_dir: Path, files: dict[PurePosixPath, str]) -> None:
    """Make `out_dir` hold `files`, removing files an earlier generation wrote and dropped."""
    if out_dir.exists() and not out_dir.is_dir():
        raise WriteError(f"{out_dir}: exists and is not a folder")
    stale = previous_files(out_dir) - set(files) if out_dir.exists() else set()
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
