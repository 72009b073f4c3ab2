"""The generation pipeline: load -> plan -> render -> format -> write -> commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.formatting import format_files
from generator.gitops import commit_generation
from generator.plan import Plan, plan
from generator.render import render
from generator.resources import templates_dir
from generator.spec import ProjectSpec, load_spec
from generator.version import GENERATOR_VERSION
from generator.write import MANIFEST, manifest_text, write_tree


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
    progress(f"formatting {sum(path.suffix == '.py' for path in rendered)} Python files")
    files = format_files(rendered)
    header = {
        "generator": "nocode",
        "version": GENERATOR_VERSION,
        "spec_sha256": the_plan.spec_sha256,
    }
    files[MANIFEST] = manifest_text(files, header)
    return Generation(plan=the_plan, files=dict(sorted(files.items())))


def commit_message(spec: ProjectSpec) -> str:
    return (
        f"Generate {spec.project.slug} {spec.project.version} "
        f"(spec_version {spec.spec_version}, nocode {GENERATOR_VERSION})"
    )


def generate(
    spec_path: Path, out_dir: Path, *, git: bool = False, progress: Progress = _silent
) -> GenerationResult:
    progress(f"checking {spec_path}")
    spec = load_spec(spec_path)
    generation = build(spec, progress=progress)
    progress(f"writing {out_dir}")
    write_tree(out_dir, generation.files)
    if git:
        progress("committing")
    commit = commit_generation(out_dir, commit_message(spec)) if git else None
    return GenerationResult(
        out_dir=out_dir,
        file_count=len(generation.files),
        spec_sha256=generation.plan.spec_sha256,
        commit=commit,
    )
