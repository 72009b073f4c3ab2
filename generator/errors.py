"""Errors raised by the generator's stages.

Every error carries the spec path it is about, so a user can find the bad value::

    UserError                      platform_support.errors: every error meant for a user
     └── GeneratorError            base of every error the generator raises on purpose
          ├── SpecError            the spec is invalid: one or more located issues
          ├── PlanError            the spec is valid but cannot be planned into files
          ├── RenderError          a template failed to render (a generator bug)
          ├── FormatError          ruff could not format the rendered Python (a generator bug)
          └── WriteError           the output folder cannot be written

(Deployment errors are deployment.errors.DeployError.)

A `GeneratorError` is meant for the user: its `str()` is one line per issue, no traceback.
"""

from __future__ import annotations

from platform_support.errors import Issue, UserError

__all__ = [
    "FormatError",
    "GeneratorError",
    "Issue",
    "PlanError",
    "RenderError",
    "SpecError",
    "WriteError",
]


class GeneratorError(UserError):
    """Base class: a failure with one or more located issues."""

    code = "GENERATOR_ERROR"


class SpecError(GeneratorError):
    """The spec is invalid; `issues` lists every problem found, not just the first."""

    code = "INVALID_SPEC"


class PlanError(GeneratorError):
    """The spec is valid but cannot be turned into a plan of files."""

    code = "PLAN_FAILED"


class RenderError(GeneratorError):
    """A template failed to render."""

    code = "RENDER_FAILED"


class FormatError(GeneratorError):
    """ruff could not format a rendered Python file."""

    code = "FORMAT_FAILED"


class WriteError(GeneratorError):
    """The output folder could not be written; it is left as it was."""

    code = "WRITE_FAILED"
