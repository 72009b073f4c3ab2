"""The generation pipeline: load -> plan -> render -> format -> write -> commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.changes import describe, initial_migration
from generator.formatting import format_files
from generator.gitops import commit_generation
from generator.plan import Plan, plan
from generator.regenerate import Outcome, regeneration
from generator.render import render
from generator.resources import templates_dir
from generator.spec import ProjectSpec, load_spec
from generator.version import GENERATOR_VERSION
from generator.write import MANIFEST, digest, manifest_text, write_tree

INITIAL_MIGRATION = PurePosixPath("migrations/0001_initial.sql")


@dataclass(frozen=True)
class Generation:
    plan: Plan
    files: dict[PurePosixPath, str]


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    file_count: int
    spec_sha256: str
    commit: str | None
    outcome: Outcome


Progress = Callable[[str], None]


def _silent(message: str) -> None:
    """The default progress reporter: says nothing."""


def build(
    spec: ProjectSpec, templates: Path | None = None, progress: Progress = _silent
) -> Generation:
    """Every file of the app for `spec`, in memory; nothing is written."""
    templates = templates or templates_dir()
    the_plan = plan(spec, templates)
    progress(f"rendering {len(the_plan.files)} files")
    rendered = render(the_plan, templates)
    rendered[INITIAL_MIGRATION] = initial_migration(spec)
    progress(f"formatting {sum(path.suffix == '.py' for path in rendered)} Python files")
    files = format_files(rendered)
    owner = {path: digest(files[path]) for path in the_plan.owner_files}
    generated = {path: text for path, text in files.items() if path not in owner}
    files[MANIFEST] = manifest_text(generated, owner, the_plan.manifest_header)
    return Generation(plan=the_plan, files=dict(sorted(files.items())))


def commit_message(spec: ProjectSpec, outcome: Outcome) -> str:
    """The first line says what was generated; a regeneration lists its plan below."""
    if outcome.old_spec is None:
        return (
            f"Generate {spec.project.slug} {spec.project.version} "
            f"(spec_version {spec.spec_version}, nocode {GENERATOR_VERSION})"
        )
    plan = describe(outcome.old_spec, spec, list(outcome.changes)).splitlines()
    lines = [f"Regenerate {plan[0]} (nocode {GENERATOR_VERSION})", "", *plan[1:]]
    if outcome.migration:
        lines += ["", f"Migration: {outcome.migration}"]
    if outcome.merged:
        lines += ["", "Hand edits merged into: " + ", ".join(map(str, outcome.merged))]
    return "\n".join(lines)


def generate(
    spec_path: Path,
    out_dir: Path,
    *,
    git: bool = False,
    force: bool = False,
    progress: Progress = _silent,
) -> GenerationResult:
    """Generate the app of `spec_path` into `out_dir`; over an earlier generation, carry
    its data (a migration) and its owner's edits (merges) over, or refuse and write nothing."""
    progress(f"checking {spec_path}")
    return generate_spec(load_spec(spec_path), out_dir, git=git, force=force, progress=progress)


def generate_spec(
    spec: ProjectSpec,
    out_dir: Path,
    *,
    git: bool = False,
    force: bool = False,
    progress: Progress = _silent,
) -> GenerationResult:
    """`generate` for a spec already loaded and checked (the control plane's, say)."""
    generation = build(spec, progress=progress)
    outcome = regeneration(out_dir, spec, generation.plan, generation.files, force=force)
    progress(f"writing {out_dir}")
    write_tree(out_dir, outcome.files, outcome.remove)
    if git:
        progress("committing")
    commit = commit_generation(out_dir, commit_message(spec, outcome)) if git else None
    return GenerationResult(
        out_dir=out_dir,
        file_count=len(outcome.files),
        spec_sha256=generation.plan.spec_sha256,
        commit=commit,
        outcome=outcome,
    )
