"""The one place where the CLI turns a failure meant for the user into `error: ...` lines
on stderr and exit status 1: any UserError (one line per issue), or an OSError (a file
or a port the system refused). Anything else is a bug and keeps its traceback."""

from __future__ import annotations

from typing import Any

import click

from platform_support.errors import UserError


def report(error: UserError | OSError) -> None:
    lines = error.lines() if isinstance(error, UserError) else str(error).splitlines()
    for line in lines or [type(error).__name__]:
        click.echo(f"error: {line}", err=True)


class ReportingGroup(click.Group):
    """A command group whose every command's user errors end as `report` says."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (UserError, OSError) as error:
            report(error)
            raise SystemExit(1) from None
