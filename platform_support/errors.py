"""The one base of every error meant for a user, and the issues it carries::

    UserError                      a failure to report, not a bug: no traceback
     ├── generator.errors.GeneratorError      (SpecError, PlanError, RenderError, ...)
     ├── deployment.errors.DeployError         with a seed DEPLOY_00x code
     ├── control_plane.errors.ApiError         answered as the HTTP error envelope
     ├── control_plane.migrate.MigrationError
     ├── control_plane.serve.SettingsError
     ├── nocode.apps.AppError
     ├── platform_support.postgres.EmbeddedPostgresError
     └── platform_support.servers.PortTaken, ServerStopped

Every one has a `code` (a constant name, as in the HTTP envelope) and `issues`, each a
location (a spec path, a setting, a field; may be empty) and its problem. `str()` is one
line per issue, which the CLI prints as `error: ...` lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, order=True)
class Issue:
    """One problem, located by its dotted path (`tables.clients.fields.email`), or by
    nothing when the message says it all."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class UserError(Exception):
    """A failure with one or more located issues and a code naming its kind."""

    code = "ERROR"
    # Whether the CLI prefixes each line with the code (the seed's deployment codes are
    # what users look up; other codes only name the kind).
    code_shown: ClassVar[bool] = False

    def __init__(self, issues: Iterable[Issue] | str, *, code: str | None = None) -> None:
        self.issues = [Issue("", issues)] if isinstance(issues, str) else sorted(issues)
        if code is not None:
            self.code = code
        super().__init__("\n".join(str(issue) for issue in self.issues))

    def lines(self) -> list[str]:
        """The lines the CLI prints after `error: `."""
        prefix = f"{self.code}: " if self.code_shown else ""
        return [f"{prefix}{line}" for line in str(self).splitlines() or [self.code]]
