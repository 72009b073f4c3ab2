"""Generating an app from a published version, with the generator's own functions: the
plan of a regeneration before it runs, and the generation itself (the job's work).

The repository is the app's folder (`paths.repository_dir`): `generate_spec` carries its
data (a migration), its owner's committed edits (three-way merges) and its history (one
commit per generation) over, or refuses and writes nothing, exactly as `nocode generate`
does. With a remote, the owner's edits pushed to its main come first (fast-forward only),
and the result is pushed back. It runs in a child process: rendering and formatting a
large app takes seconds of CPU, which must not stall the server process's requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import traceback
import uuid
from collections.abc import Callable, Coroutine
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.errors import CONFLICT, ApiError
from control_plane.runtime import paths
from control_plane.runtime.models.apps import AppPlan, PlannedChange, without_password
from control_plane.runtime.queries import apps, published
from control_plane.runtime.services import repositories
from generator.changes import ChangeSet, hook_warnings, plan_changes, recorded_spec
from generator.errors import GeneratorError, Issue, PlanError
from generator.generate import generate_spec
from generator.gitops import head_commit, pull, push
from generator.regenerate import refuse
from generator.spec import ProjectSpec, parse_spec
from generator.spec.models import MAX_TABLES
from generator.write import MANIFEST
from platform_support.vault import Vault

Pool = AsyncConnectionPool[AsyncConnection[Any]]
Report = Callable[[str], Coroutine[Any, Any, None]]
Result = TypeVar("Result")
BACKGROUND_NICENESS = 10


def estimated_time(spec: dict[str, Any]) -> str:
    """How long generating `spec` takes on a busy 2-core machine (bench/app_generation.py:
    about 1 s for the CRM, 10 s for 100 tables of 50 fields): 1 s, and 0.1 s a table."""
    tables = min(len(spec.get("tables") or {}), MAX_TABLES)
    seconds = round(1 + 0.1 * tables)
    return f"about {seconds} second{'s' if seconds != 1 else ''}"


def _changes(repository: Path, spec: ProjectSpec) -> ChangeSet:
    recorded = recorded_spec(repository)
    return plan_changes(recorded.spec, spec, recorded.schema_revision)


def _plan(repository: Path, spec: ProjectSpec) -> AppPlan:
    change_set = _changes(repository, spec)
    refused = bool(change_set.refused)
    sql = None
    if not refused and not change_set.migration.empty:
        sql = change_set.migration_sql("next")
    return AppPlan(
        from_version=change_set.old.project.version,
        to_version=spec.project.version,
        changes=[
            PlannedChange(
                class_=change.safety.value,
                kind=change.kind,
                path=change.path,
                detail=change.detail,
                refusal=change.refusal,
            )
            for change in change_set.changes
        ],
        migration_sql=sql,
        requires_force=any(change.safety == "destructive" for change in change_set.changes),
        refused=refused,
        warnings=hook_warnings(repository, change_set.changes),
    )


def _refusal(repository: Path, spec: ProjectSpec, force: bool) -> None:
    try:
        refuse(_changes(repository, spec), force)
    except PlanError as error:
        details = {issue.path or "spec": issue.message for issue in error.issues}
        raise ApiError(CONFLICT, details) from None


def _spec(document: dict[str, Any]) -> ProjectSpec:
    try:
        return parse_spec(document)
    except GeneratorError as error:  # a published version is checked: not expected
        raise ApiError(CONFLICT, {"version": "; ".join(error.lines())}) from None


def has_generation(data_dir: Path, app_id: uuid.UUID) -> bool:
    """Whether the app's repository holds a generation to regenerate from."""
    return (paths.repository_dir(data_dir, app_id) / MANIFEST).is_file()


async def plan(data_dir: Path, app_id: uuid.UUID, spec_document: dict[str, Any]) -> AppPlan:
    """What regenerating the app's repository from `spec_document` would change."""
    if not has_generation(data_dir, app_id):
        raise ApiError(CONFLICT, {"app": "Not generated yet: there is nothing to compare with."})
    repository = paths.repository_dir(data_dir, app_id)
    return await asyncio.to_thread(_plan, repository, _spec(spec_document))


async def refuse_unforced(
    data_dir: Path, app_id: uuid.UUID, spec_document: dict[str, Any], force: bool
) -> None:
    """409 with the generator's lines when the regeneration would be refused: a change
    the database cannot make, or one losing data without `force`."""
    repository = paths.repository_dir(data_dir, app_id)
    await asyncio.to_thread(_refusal, repository, _spec(spec_document), force)


async def generate_app(
    pool: Pool,
    data_dir: Path,
    vault: Vault,
    app_id: uuid.UUID,
    version_number: str,
    *,
    force: bool,
    report: Report,
) -> None:
    """Generate (or regenerate) the app from its project's version `version_number`,
    commit it, record the outcome on the app, and push to its remote if it has one.

    A refusal or an invalid spec is the user's to fix: it is recorded on the app and the
    job ends (retrying would give the same answer). Anything else raises, for a retry."""
    async with pool.connection() as connection:
        app = await apps.one(connection, app_id)
        if app is None:
            return  # deleted since
        version = await published.version(connection, app.project_id, version_number)
        secret = await apps.remote_secret(connection, app_id)
    remote = vault.decrypt(secret) if secret is not None else None
    if version is None:
        async with pool.connection() as connection:
            await apps.generation_failed(
                connection, app_id, f"version {version_number} is not published"
            )
        return
    repository = paths.repository_dir(data_dir, app_id)
    if remote and has_generation(data_dir, app_id):
        await report("pulling the remote's main")
        try:
            await _in_thread(pull, repository, remote)
        except GeneratorError as error:  # generating without them would not push
            reason = _remote_failure("pull from the remote failed", error, remote)
            async with pool.connection() as connection:
                await apps.generation_failed(connection, app_id, reason)
            return
    try:
        await report("checking the spec")
        parse_spec(version.spec)
        await asyncio.to_thread(repository.mkdir, parents=True, exist_ok=True)
        commit = await _in_child_process(version.spec, repository, force, report)
        # No commit when nothing changed (the same version again, or a retried job).
        if commit is None:
            commit = await asyncio.to_thread(head_commit, repository)
    except asyncio.CancelledError:  # the job was cancelled: by a DELETE of the app?
        async with pool.connection() as connection:
            if await apps.organization_of(connection, app_id) is None:
                await repositories.remove(data_dir, app_id)
        raise
    except GeneratorError as error:
        async with pool.connection() as connection:
            await apps.generation_failed(connection, app_id, "\n".join(error.lines()))
        return
    async with pool.connection() as connection:
        recorded = await apps.generated(connection, app_id, version.number, commit)
    if not recorded:  # deleted meanwhile: its folder goes too
        await repositories.remove(data_dir, app_id)
        return
    if remote:
        await report("pushing to the remote")
        await _push(pool, app_id, repository, remote)


async def _in_thread(function: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
    """`function` in a thread. A thread cannot be stopped: a cancel waits for it to end
    (so that nothing writes the repository afterwards), then goes on."""
    running = asyncio.ensure_future(asyncio.to_thread(function, *args, **kwargs))
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await running
        raise


async def _in_child_process(
    spec_document: dict[str, Any], repository: Path, force: bool, report: Report
) -> str | None:
    """`generate_spec` in a child process, its progress reported as it goes; the commit.

    Not a thread: generating an app at the seed limits is seconds of pure Python, which in
    a thread would hold the server process's interpreter lock and stall its requests. A
    cancel waits for the child to end (nothing writes the repository afterwards)."""
    context = multiprocessing.get_context("spawn")  # no fork of a threaded server process
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_generate_in_child,
        args=(spec_document, str(repository), force, sender),
        daemon=True,
    )
    # In a thread: start() writes the pickled spec into a pipe that the child reads only
    # as it imports the generator, and that write held the event loop for half a second.
    await _in_thread(child.start)
    sender.close()
    try:
        while True:
            kind, value = await _in_thread(_receive, receiver)
            if kind == "progress":
                await report(value)
            elif kind == "refused":
                raise GeneratorError([Issue(*issue) for issue in value])
            elif kind == "commit":
                commit: str | None = value
                return commit
            else:
                _child_failed(value)
    finally:
        await _in_thread(child.join)
        receiver.close()


def _receive(receiver: Connection) -> tuple[str, Any]:
    try:
        message: tuple[str, Any] = receiver.recv()
    except EOFError:
        return ("failed", "the generation's process ended without an answer")
    return message


def _child_failed(reason: str) -> NoReturn:
    raise RuntimeError(f"the generation failed: {reason}")  # not the user's: retried


def _generate_in_child(
    spec_document: dict[str, Any], repository: str, force: bool, sender: Connection
) -> None:
    """The child process's work: every outcome goes back as one message. It runs at a
    lower CPU priority: on a busy machine, requests come before background work."""
    os.nice(BACKGROUND_NICENESS)
    try:
        result = generate_spec(
            parse_spec(spec_document),
            Path(repository),
            git=True,
            force=force,
            progress=lambda message: sender.send(("progress", message)),
        )
        sender.send(("commit", result.commit))
    except GeneratorError as error:
        sender.send(("refused", [(issue.path, issue.message) for issue in error.issues]))
    except Exception:  # anything else goes back whole, for the job's log
        sender.send(("failed", traceback.format_exc()))


async def _push(pool: Pool, app_id: uuid.UUID, repository: Path, remote_url: str) -> None:
    """A failed push is reported on the app; the generation stands."""
    try:
        await asyncio.to_thread(push, repository, remote_url)
    except GeneratorError as error:
        reason = _remote_failure("push to the remote failed", error, remote_url)
        async with pool.connection() as connection:
            await apps.push_failed(connection, app_id, reason)


def _remote_failure(what: str, error: GeneratorError, remote_url: str) -> str:
    reason = "\n".join(error.lines()).replace(remote_url, without_password(remote_url))
    return f"{what}: {reason}"
