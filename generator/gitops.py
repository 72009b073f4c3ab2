"""Git: make the output folder a repository, commit a generation, push it to a remote."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from generator.errors import WriteError

# Used only when the machine has no Git identity configured.
FALLBACK_IDENTITY = ("-c", "user.name=nocode", "-c", "user.email=nocode@localhost")


# A push never waits for a password nobody will type, nor for a remote that hangs.
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}
PUSH_TIMEOUT_SECONDS = 300


def _git(
    repo: Path, *args: str, env: dict[str, str] | None = None, timeout: float | None = None
) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **env} if env else None,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise WriteError(f"git {args[0]} failed: no answer within {timeout:g} s") from None
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


def head_commit(repo: Path) -> str:
    return _git(repo, "rev-parse", "HEAD")


def push(repo: Path, remote_url: str) -> None:
    """Push `main` and every tag to `remote_url` (never forced: a remote that has moved on
    refuses it)."""
    _git(
        repo,
        "push",
        "--quiet",
        "--porcelain",
        remote_url,
        "refs/heads/main:refs/heads/main",
        "refs/tags/*:refs/tags/*",
        env=_NO_PROMPT,
        timeout=PUSH_TIMEOUT_SECONDS,
    )


def pull(repo: Path, remote_url: str) -> bool:
    """Bring the commits pushed to `remote_url`'s main (the owner's edits) into `repo`'s
    main, by fast-forward only; False when the remote has no main yet. A remote that has
    diverged is refused: merging histories is the owner's call, not a generation's."""
    found = _git(
        repo,
        "ls-remote",
        remote_url,
        "refs/heads/main",
        env=_NO_PROMPT,
        timeout=PUSH_TIMEOUT_SECONDS,
    )
    if not found:
        return False
    _git(
        repo,
        "fetch",
        "--quiet",
        remote_url,
        "refs/heads/main",
        env=_NO_PROMPT,
        timeout=PUSH_TIMEOUT_SECONDS,
    )
    try:
        _git(repo, "merge", "--ff-only", "--quiet", "FETCH_HEAD")
    except WriteError:
        raise WriteError(
            "the remote's main has commits the app's repository does not have, and the app's "
            "has commits the remote does not: merge them on the remote first"
        ) from None
    return True
