"""`nocode worker`: one more job worker, on this machine, against a shared database."""

from __future__ import annotations

import click

from control_plane.jobs.worker import worker_main
from control_plane.logs import configure_logging


@click.command("worker")
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    required=True,
    help="The control plane's PostgreSQL (env DATABASE_URL).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Jobs this worker runs at once.",
)
@click.option(
    "--import",
    "import_paths",
    multiple=True,
    metavar="MODULE",
    help="A module that declares more job kinds (repeatable); the control plane's are built in.",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
    default="INFO",
    show_default=True,
)
def worker_command(
    database_url: str, concurrency: int, import_paths: tuple[str, ...], log_level: str
) -> None:
    """Run queued jobs (generation, deployment, workflows) until SIGINT or SIGTERM."""
    configure_logging(log_level)
    worker_main(database_url, concurrency, import_paths=("control_plane.modules", *import_paths))
