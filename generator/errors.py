"""Errors raised by the generator's stages.

Every error carries the spec path it is about, so a user can find the bad value::

    GeneratorError                 base of every error the generator raises on purpose
     ├── SpecError                 the spec is invalid: one or more located issues
     ├── PlanError                 the spec is valid but cannot be planned into files
     ├── RenderError               a template failed to render (a generator bug)
     ├── FormatError               ruff could not format the rendered Python (a generator bug)
     ├── WriteError                the output folder cannot be written
     └── DeployError               reserved for the deployment stage

A `GeneratorError` is meant for the user: its `str()` is one line per issue, no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem, located by its dotted path in the spec (`tables.clients.fields.email`)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class GeneratorError(Exception):
    """Base class: a failure with one or more located issues."""

    def __init__(self, issues: list[Issue] | str) -> None:
        if isinstance(issues, str):
            issues = [Issue("", issues)]
        self.issues = sorted(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class SpecError(GeneratorError):
    """The spec is invalid; `issues` lists every problem found, not just the first."""


class PlanError(GeneratorError):
    """The spec is valid but cannot be turned into a plan of files."""


class RenderError(GeneratorError):
    """A template failed to render."""


class FormatError(GeneratorError):
    """ruff could not format a rendered Python file."""


class WriteError(GeneratorError):
    """The output folder could not be written; it is left as it was."""


class DeployError(GeneratorError):
    """A deployment step failed."""
