"""`nocode`: generate an app from a spec, run it, and mint development tokens.

The commands are thin: they call generator/, control_plane/ and nocode.apps; their
errors meant for the user become one line per problem on stderr and a non-zero exit,
never a traceback, in one place (nocode.failures).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click

from control_plane import serve as control_plane_server
from control_plane.mail import mail_settings
from control_plane.mail import reading as outbox
from control_plane.migrate import migrate as migrate_control_plane
from control_plane.migrate import summary as migration_summary
from generator.changes import describe, hook_warnings, plan_changes, recorded_spec
from generator.generate import generate as run_generation
from generator.resources import specs_dir
from generator.spec import load_spec
from nocode.apps import (
    ROLES,
    AppError,
    api_base_url,
    app_database,
    app_server_command,
    development_token,
    migrate,
    read_metadata,
)
from nocode.demo import DEMO_EMAIL, walk_through
from nocode.deploy_commands import deploy_command, rollback_command
from nocode.failures import ReportingGroup
from nocode.worker_command import worker_command
from platform_support.errors import UserError
from platform_support.metrics_folder import metrics_folder
from platform_support.postgres import psql_executable
from platform_support.secrets import ensure_secret
from platform_support.servers import (
    exit_reason,
    refuse_a_taken_port,
    serve_until_interrupted,
    server_group,
)

HEALTH_DEADLINE_SECONDS = 60


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


@click.group(cls=ReportingGroup)
@click.version_option(package_name="nocode")
def main() -> None:
    """Turn a project spec into a standalone FastAPI app, and run it."""


@main.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write the app repository into.",
)
@click.option("--git", is_flag=True, help="Make the folder a Git repository and commit.")
@click.option(
    "--force", is_flag=True, help="Accept spec changes that lose data (dropped tables, fields)."
)
def generate(spec: Path, out_dir: Path, git: bool, force: bool) -> None:
    """Validate SPEC and write the app it describes into --out.

    Over an earlier generation, the spec change becomes the next migration and hand
    edits are merged in; a change that would lose data needs --force.
    """
    started = time.perf_counter()
    result = run_generation(spec, out_dir, git=git, force=force, progress=_progress)
    elapsed = time.perf_counter() - started
    outcome = result.outcome
    if outcome.old_spec is not None:
        click.echo(describe(outcome.old_spec, load_spec(spec), list(outcome.changes)), nl=False)
    if outcome.migration:
        click.echo(f"migration: {outcome.migration}")
    for path in outcome.merged:
        click.echo(f"kept your edits in {path}")
    for notice in outcome.notices:
        click.echo(f"note: {notice}", err=True)
    click.echo(f"wrote {result.file_count} files to {out_dir} in {elapsed:.2f}s")
    if result.commit:
        click.echo(f"committed {result.commit[:12]}")


@main.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("app_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--sql", is_flag=True, help="Also print the migration regenerating would write.")
def diff(spec: Path, app_dir: Path, sql: bool) -> None:
    """Print what regenerating APP_DIR from SPEC would change; write nothing."""
    recorded = recorded_spec(app_dir)
    change_set = plan_changes(recorded.spec, load_spec(spec), recorded.schema_revision)
    click.echo(change_set.describe(), nl=False)
    for warning in hook_warnings(app_dir, change_set.changes):
        click.echo(f"warning: {warning}", err=True)
    migration = change_set.migration_sql("next") if sql and not change_set.migration.empty else None
    if migration is not None:
        click.echo()
        click.echo(migration, nl=False)


def _wait_healthy(
    host: str, port: int, server: subprocess.Popen[bytes], what: str = "the app's server"
) -> None:
    deadline = time.monotonic() + HEALTH_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AppError(
                f"{what} stopped before it answered /health ({exit_reason(server.returncode)})"
            )
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise AppError(f"{what} did not answer /health within {HEALTH_DEADLINE_SECONDS}s")


def _stop_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _serve(app_dir: Path, host: str, port: int, workers: int) -> None:
    _stop_on_sigterm()
    refuse_a_taken_port(host, port)
    project = read_metadata(app_dir)
    secret = ensure_secret(app_dir)
    with app_database(app_dir, click.echo) as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "JWT_SECRET": secret}
        migrate(app_dir, env)
        command = app_server_command(host, port, workers)
        with server_group(command, cwd=app_dir, env=env) as server:
            try:
                _wait_healthy(host, port, server)
            except KeyboardInterrupt:
                return
            click.echo(f"api_base_url: {api_base_url(host, port, project['id'])}")
            click.echo(f"docs: http://{host}:{port}/api/docs/")
            click.echo(f"admin: http://{host}:{port}/admin/ (sign in with a `nocode token`)")
            click.echo("press Ctrl+C to stop")
            serve_until_interrupted(server, "the app's server")


@main.command()
@click.argument("app_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def run(app_dir: Path, host: str, port: int, workers: int) -> None:
    """Migrate and serve the generated app in APP_DIR (embedded PostgreSQL by default)."""
    _serve(app_dir, host, port, workers)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("app_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def psql(app_dir: Path, psql_args: tuple[str, ...]) -> None:
    """Open psql on the database of the app in APP_DIR: its embedded PostgreSQL, or
    DATABASE_URL. Arguments after APP_DIR (or after --) go to psql, e.g. -c "UPDATE ..."."""
    _stop_on_sigterm()
    try:
        with app_database(app_dir, lambda message: click.echo(message, err=True)) as url:
            client = subprocess.Popen([psql_executable(), f"--dbname={url}", *psql_args])
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C cancels psql's query
            status = client.wait()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    raise SystemExit(status)


@main.command()
@click.argument("app_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--role", type=click.Choice(ROLES), default="OWNER", show_default=True)
@click.option("--hours", type=click.IntRange(1, 24 * 30), default=24, show_default=True)
def token(app_dir: Path, role: str, hours: int) -> None:
    """Print a development JWT that the app in APP_DIR accepts."""
    click.echo(development_token(app_dir, role, hours))


_DATA_DIR = click.option(
    "--data-dir",
    envvar="NOCODE_DATA_DIR",
    default=Path("nocode-data"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded PostgreSQL and JWT secret of the control plane [env: NOCODE_DATA_DIR].",
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=os.cpu_count() or 1,
    show_default="one per CPU",
    type=click.IntRange(1, 64),
    help="Server processes.",
)
@_DATA_DIR
def serve(host: str, port: int, workers: int, data_dir: Path) -> None:
    """Run the control plane (an embedded PostgreSQL unless DATABASE_URL is set)."""
    _run_control_plane(host, port, workers, data_dir)


def _run_control_plane(
    host: str,
    port: int,
    workers: int,
    data_dir: Path,
    once_up: Callable[[str], None] | None = None,
) -> None:
    """Serve the control plane until Ctrl+C or SIGTERM; `once_up(base_url)` runs once it
    answers /health."""
    _stop_on_sigterm()  # a stop during start-up still cleans up
    os.environ.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    os.environ.setdefault("INSIGHTS_CONTROL_PLANE_URL", f"http://{host}:{port}")
    try:
        with control_plane_server.control_plane_environment(data_dir, click.echo):
            settings = control_plane_server.load_settings()
            click.echo(migration_summary(migrate_control_plane(settings.database_url)))
            click.echo(mail_settings().describe())
            refuse_a_taken_port(host, port)
            command = control_plane_server.server_command(host, port, workers)
            with metrics_folder(), server_group(command) as server:
                if once_up is not None:
                    _wait_healthy(host, port, server, "the control plane")
                    once_up(f"http://{host}:{port}")
                click.echo(f"control plane: http://{host}:{port}/api/docs/ (Ctrl+C to stop)")
                serve_until_interrupted(server, "the control plane's server")
    except KeyboardInterrupt:
        raise SystemExit(130) from None


@main.command("migrate")
@_DATA_DIR
def migrate_command(data_dir: Path) -> None:
    """Apply the control plane's schema migrations, then exit."""
    with control_plane_server.control_plane_environment(data_dir, click.echo):
        settings = control_plane_server.load_settings()
        click.echo(migration_summary(migrate_control_plane(settings.database_url)))


@main.command("mail")
@click.argument("mail_id", required=False, type=click.IntRange(1))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@_DATA_DIR
def mail_command(mail_id: int | None, limit: int, data_dir: Path) -> None:
    """List the recent emails of the outbox with their links, or print mail MAIL_ID."""
    with control_plane_server.control_plane_environment(data_dir, _progress):
        database_url = control_plane_server.load_settings().database_url
        if mail_id is None:
            click.echo(outbox.listing(outbox.recent(database_url, limit)))
            return
        mail = outbox.one(database_url, mail_id)
    if mail is None:
        raise UserError(f"no mail {mail_id} in the outbox", code="NOT_FOUND")
    click.echo(outbox.full(mail))


@main.command()
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@_DATA_DIR
def demo(port: int, data_dir: Path) -> None:
    """Run the control plane and, through its API, make the example CRM
    (specs/gestion_client.yaml) a project, publish it, generate and deploy its app."""

    def walk(base_url: str) -> None:
        password = ensure_secret(data_dir, "DEMO_PASSWORD", lambda: secrets.token_urlsafe(12))
        app = walk_through(base_url, password, specs_dir() / "gestion_client.yaml", _progress)
        click.echo(f"platform login: {DEMO_EMAIL} / {password} (kept in {data_dir}/.env)")
        click.echo(f"the app's data through the platform: {app.platform_data_url}")
        click.echo(f"the app's own api_base_url: {app.api_base_url}")
        click.echo(f"the app's admin: {app.admin_url} (sign in with the app token)")
        click.echo(f"app token (OWNER): {app.app_token}")
        click.echo(f"its repository: git clone {app.repository_url}")

    _run_control_plane("127.0.0.1", port, 1, data_dir, once_up=walk)


main.add_command(worker_command)
main.add_command(deploy_command)
main.add_command(rollback_command)
