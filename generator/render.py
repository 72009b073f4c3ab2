"""Rendering: planned files to text, in memory. The one Jinja environment lives here."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from generator.errors import Issue, RenderError
from generator.literals import FILTERS
from generator.plan import Plan


def _tojson(value: Any, indent: int | None = None) -> str:
    """Jinja's `tojson` (what cookiecutter uses), without HTML escapes or \\u escapes."""
    return json.dumps(value, ensure_ascii=False, indent=indent)


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=False,  # Python and SQL: spec values reach them through FILTERS only
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.filters["tojson"] = _tojson
    return env


def render(plan: Plan, templates: Path) -> dict[PurePosixPath, str]:
    env = environment(templates)
    rendered: dict[PurePosixPath, str] = {}
    issues: list[Issue] = []
    for planned in plan.files:
        if planned.verbatim:
            rendered[planned.path] = (templates / planned.template).read_text(encoding="utf-8")
            continue
        try:
            template = env.get_template(planned.template)
            rendered[planned.path] = template.render(**planned.context)
        except RenderError as error:
            issues.extend(Issue(str(planned.path), str(issue)) for issue in error.issues)
        except jinja2.TemplateError as error:
            issues.append(Issue(str(planned.path), f"template {planned.template}: {error}"))
    if issues:
        raise RenderError(issues)
    return rendered
