"""Git: make the output folder a repository and commit a generation."""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import WriteError

# Used only when the machine has no Git identity configured.
FALLBACK_IDENTITY = ("-c", "user.name=nocode", "-c", "user.email=nocode@localhost")


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise WriteError("git is not installed: install it or generate without --git") from None
    except subprocess.CalledProcessError as error:
        reason = (error.stderr or error.stdout).strip().splitlines()
        raise WriteError(f"git {args[0]} failed: {reason[-1] if reason else error}") from None
    return done.stdout.strip()


def _identity(repo: Path) -> tuple[str, ...]:
    try:
        _git(repo, "config", "user.email")
        return ()
    except WriteError:
        return FALLBACK_IDENTITY


def commit_generation(repo: Path, message: str) -> str | None:
    """Commit everything in `repo`; return the new commit, or None when nothing changed."""
    if not (repo / ".git").exists():
        _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "add", "--all")
    if not _git(repo, "status", "--porcelain"):
        return None
    _git(repo, *_identity(repo), "commit", "--quiet", "--message", message)
    return _git(repo, "rev-parse", "HEAD")
