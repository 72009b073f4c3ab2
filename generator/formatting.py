"""Formatting: black on every rendered Python file, in-process; a failure is an error.

black is the slow stage of a generation (about 9 µs per byte), so files are formatted in
parallel across the machine's cores, and each result is cached under its input's digest
(`~/.cache/nocode/black/`, or `$NOCODE_CACHE_DIR`): a regeneration reformats only the
files that changed. The cache is keyed by black's version and mode as well, so it can
never return another formatting; set `NOCODE_CACHE_DIR=off` to disable it.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from generator.errors import FormatError, Issue

MODE = Mode(target_versions={TargetVersion.PY311})
_KEY_PREFIX = f"black {version('black')} {MODE!r}\n".encode()
# Below this many bytes of Python, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400_000


def _cache_dir() -> Path | None:
    configured = os.environ.get("NOCODE_CACHE_DIR")
    if configured == "off":
        return None
    base = Path(configured) if configured else Path.home() / ".cache" / "nocode"
    return base / "black"


def _cache_key(source: str) -> str:
    return hashlib.sha256(_KEY_PREFIX + source.encode()).hexdigest()


def _format_one(source: str) -> str:
    """black's output, or the error message prefixed by a NUL (not valid Python)."""
    try:
        return black.format_str(source, mode=MODE)
    except InvalidInput as error:
        return f"\x00{error}"


def _read_cache(cache: Path | None, key: str) -> str | None:
    if cache is None:
        return None
    try:
        return (cache / key[:2] / key).read_text(encoding="utf-8")
    except OSError:
        return None


def _write_cache(cache: Path | None, key: str, text: str) -> None:
    if cache is None:
        return
    target = cache / key[:2] / key
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass  # a cache that cannot be written is only slower


def format_files(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    cache = _cache_dir()
    formatted = dict(files)
    todo: dict[PurePosixPath, str] = {}
    for path, text in files.items():
        if path.suffix != ".py":
            continue
        cached = _read_cache(cache, _cache_key(text))
        if cached is not None:
            formatted[path] = cached
        else:
            todo[path] = text
    workers = os.cpu_count() or 1
    if workers > 1 and sum(len(text) for text in todo.values()) > PARALLEL_THRESHOLD:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_format_one, todo.values(), chunksize=8))
    else:
        results = [_format_one(text) for text in todo.values()]
    issues: list[Issue] = []
    for (path, source), result in zip(todo.items(), results, strict=True):
        if result.startswith("\x00"):
            issues.append(Issue(str(path), f"black cannot parse the rendered file: {result[1:]}"))
            continue
        formatted[path] = result
        _write_cache(cache, _cache_key(source), result)
    if issues:
        raise FormatError(issues)
    return formatted
