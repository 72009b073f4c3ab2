"""`nocode deploy` and `nocode rollback`: the deployment engine (deployment/) on the
command line, with its steps shown as they happen."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from deployment.deploy import Deployment, Hosts, Settings, deploy, rollback
from deployment.errors import INVALID_CONFIGURATION, DeployError
from deployment.inventory import Target
from deployment.record import LogLine, Step, human_duration
from deployment.runner import Connection
from nocode.apps import AppError, api_base_url, read_metadata


def _user_dir(variable: str, fallback: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / fallback) / "nocode"


class _Progress:
    """Prints steps as they start and end, and every task with --verbose."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    def __call__(self, kind: str, payload: Any) -> None:
        if kind == "step":
            self._step(payload)
        elif isinstance(payload, LogLine) and (
            self.verbose or payload.status in ("failed", "unreachable")
        ):
            click.echo(f"    {payload}", err=True)

    @staticmethod
    def _step(step: Step) -> None:
        if step.status == "running":
            click.echo(f"... {step.name}", err=True)
        else:
            mark = "ok" if step.status == "success" else step.status.upper()
            # Build says which release it made; other steps speak only when they fail.
            worth_saying = step.status != "success" or step.name == "Build"
            details = f": {step.details}" if step.details and worth_saying else ""
            click.echo(
                f"    {step.name} {mark} in {human_duration(step.duration)}{details}", err=True
            )


def _hosts(host: tuple[str, ...], inventory: Path | None, key: Path | None) -> Hosts:
    if host and inventory:
        raise DeployError("DEPLOY_003", "give --host or --inventory, not both")
    return Hosts(
        targets=tuple(Target.parse(text) for text in host), inventory_file=inventory, key_file=key
    )


def _finish(record: Deployment, record_file: Path | None, success: str) -> None:
    if record_file is not None:
        record_file.write_text(json.dumps(record.as_dict(), indent=2) + "\n", encoding="utf-8")
    if record.status == "success":
        click.echo(success)
        click.echo(
            f"{record.recorder.changed} changes in {human_duration(record.seconds)}", err=True
        )
        return
    raise DeployError(record.error_code or INVALID_CONFIGURATION, record.error_message or "")


_target_options = [
    click.option(
        "--host",
        multiple=True,
        metavar="USER@ADDRESS[:PORT]",
        help="A host to deploy to (repeatable).",
    ),
    click.option(
        "--inventory",
        type=click.Path(dir_okay=False, path_type=Path),
        help="An Ansible inventory whose group nocode_targets lists the hosts.",
    ),
    click.option(
        "--key",
        type=click.Path(dir_okay=False, path_type=Path),
        help="SSH private key (default: ssh's own).",
    ),
    click.option(
        "--known-hosts",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="NOCODE_KNOWN_HOSTS",
        help="Host keys file: a new host's key is added, a changed one refused"
        " [default: ~/.config/nocode/known_hosts].",
    ),
    click.option(
        "--port",
        type=click.IntRange(1, 65535),
        default=8000,
        show_default=True,
        help="Port the app serves on.",
    ),
    click.option(
        "--batch-size",
        type=click.IntRange(1, 1000),
        default=1,
        show_default=True,
        help="Hosts updated at a time.",
    ),
    click.option(
        "--health-deadline",
        type=click.IntRange(2, 3600),
        default=60,
        show_default=True,
        help="Seconds /health has to answer.",
    ),
    click.option(
        "--record",
        "record_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the deployment record (steps, logs) as JSON here.",
    ),
    click.option(
        "--root",
        default="",
        metavar="PATH",
        help="Where the app lives on the hosts [default: /srv/nocode/APP].",
    ),
    click.option("--verbose", "-v", is_flag=True, help="Show every task as it finishes."),
]


def _with_target_options(command: Any) -> Any:
    for option in reversed(_target_options):
        command = option(command)
    return command


def _connection(known_hosts: Path | None, key: Path | None) -> Connection:
    return Connection(
        known_hosts=known_hosts or _user_dir("XDG_CONFIG_HOME", ".config") / "known_hosts",
        key_file=key,
    )


def _app_url(app_dir: Path, common: dict[str, Any]) -> str:
    project_id = read_metadata(app_dir)["id"]
    addresses = [Target.parse(text).address for text in common["host"]] or ["<host>"]
    return " ".join(api_base_url(address, common["port"], project_id) for address in addresses)


def _run(
    common: dict[str, Any],
    start: Callable[[Hosts, Connection, Settings, _Progress], Deployment],
    **settings: Any,
) -> Deployment:
    """Parse the options both commands share, then start the run."""
    hosts = _hosts(common["host"], common["inventory"], common["key"])
    options = Settings(
        port=common["port"],
        root=common["root"],
        health_deadline=common["health_deadline"],
        batch_size=common["batch_size"],
        **settings,
    )
    with _app_errors_as_invalid_configuration():
        return start(
            hosts,
            _connection(common["known_hosts"], common["key"]),
            options,
            _Progress(common["verbose"]),
        )


@click.command("deploy")
@click.argument("app_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_with_target_options
@click.option("--commit", default="HEAD", show_default=True, help="The Git commit to deploy.")
@click.option("--python", metavar="X.Y", help="The hosts' Python [default: this one's].")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Server processes per host.",
)
@click.option(
    "--database-url",
    envvar="NOCODE_DEPLOY_DATABASE_URL",
    default="",
    help="Use this PostgreSQL instead of one on the host (env NOCODE_DEPLOY_DATABASE_URL).",
)
def deploy_command(
    app_dir: Path, commit: str, python: str | None, workers: int, database_url: str, **common: Any
) -> None:
    """Deploy the app in APP_DIR (a Git repository from `nocode generate --git`) to hosts.

    Steps: build the release archive, validation, host preparation, database, backup,
    code deployment, database migration, switch, health checks; a failure after the
    backup rolls back to the previous release.
    """
    cache = _user_dir("XDG_CACHE_HOME", ".cache") / "releases"
    record = _run(
        common,
        lambda hosts, connection, settings, progress: deploy(
            app_dir,
            hosts,
            connection,
            cache,
            settings=settings,
            commit=commit,
            python=python,
            listener=progress,
        ),
        workers=workers,
        database_url=database_url,
    )
    release = record.release.name if record.release else ""
    _finish(
        record,
        common["record_file"],
        f"deployed {record.app} {release}: {_app_url(app_dir, common)}",
    )


@click.command("rollback")
@click.argument("app_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_with_target_options
def rollback_command(app_dir: Path, **common: Any) -> None:
    """Put the previous release of the app in APP_DIR back in service on the hosts.

    The database is restored from the backup taken before the current release, when that
    release's migration changed the schema: what was written since is lost.
    """
    app = _app_name(app_dir)
    record = _run(
        common,
        lambda hosts, connection, settings, progress: rollback(
            app, hosts, connection, settings=settings, listener=progress
        ),
    )
    _finish(record, common["record_file"], f"rolled {app} back: {_app_url(app_dir, common)}")


def _app_name(app_dir: Path) -> str:
    with _app_errors_as_invalid_configuration():
        return str(read_metadata(app_dir)["slug"])


@contextmanager
def _app_errors_as_invalid_configuration() -> Iterator[None]:
    """A folder that is not a generated app is, to a deployment, invalid configuration."""
    try:
        yield
    except AppError as error:
        raise DeployError(INVALID_CONFIGURATION, str(error)) from None
