"""The generation pipeline: deterministic, provenance in every file, atomic, committed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from generator.errors import SpecError, WriteError
from generator.generate import build, generate
from generator.spec import load_spec
from generator.version import GENERATOR_VERSION
from tests.conftest import CRM_SPEC
from tests.generator.large_spec import large_spec


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def test_generation_is_deterministic(tmp_path: Path) -> None:
    generate(CRM_SPEC, tmp_path / "one")
    generate(CRM_SPEC, tmp_path / "two")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_every_generated_file_names_the_generator_and_the_spec(crm_dir: Path) -> None:
    manifest = json.loads((crm_dir / ".nocode/manifest.json").read_text())
    digest = manifest["generated_by"]["spec_sha256"]
    owner_files = set(manifest["owner_files"])
    assert owner_files == {
        "app/hooks/clients.py",
        "app/hooks/produits.py",
        "app/hooks/commandes.py",
    }
    for name, content in snapshot(crm_dir).items():
        if name in owner_files or name.startswith(".nocode/base/"):
            continue
        if name.startswith(("app/admin/templates/", "app/admin/static/", "tests/admin/axe.")):
            continue  # copied as they are (cookiecutter's _copy_without_render)
        text = content.decode()
        assert f"nocode {GENERATOR_VERSION}" in text or f'"{GENERATOR_VERSION}"' in text, name
        # The digest stays in the provenance records: in every header, it would change
        # every file on every regeneration.
        if name not in {".nocode/manifest.json", "nocode.spec.json", "app/metadata.json"}:
            assert digest not in text, name
    assert len(digest) == 64


def test_the_last_generated_output_is_kept_for_merges(crm_dir: Path) -> None:
    files = snapshot(crm_dir)
    manifest = json.loads(files[".nocode/manifest.json"])
    for name in manifest["files"]:
        if not name.endswith(".sql"):
            assert files[f".nocode/base/{name}"] == files[name], name
    assert not any(f".nocode/base/{name}" in files for name in manifest["owner_files"])


def test_the_recorded_spec_reloads_to_the_same_spec(crm_dir: Path) -> None:
    recorded = json.loads((crm_dir / "nocode.spec.json").read_text())["spec"]
    from generator.spec import parse_spec

    assert parse_spec(recorded) == load_spec(CRM_SPEC)


def test_a_bad_spec_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(CRM_SPEC.read_text().replace("field_type: EMAIL", "field_type: MAIL"))
    with pytest.raises(SpecError, match=r"tables\.clients\.fields\.email\.field_type"):
        generate(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "app"
    generate(CRM_SPEC, out)
    (out / "notes.txt").write_text("the owner's file")
    # Make one late file impossible to write: its folder is now a plain file.
    for path in (out / "tests" / "utils").iterdir():
        path.unlink()
    (out / "tests" / "utils").rmdir()
    (out / "tests" / "utils").write_text("in the way")
    before = snapshot(out)
    with pytest.raises(WriteError):
        generate(CRM_SPEC, out)
    assert snapshot(out) == before
    assert not list(out.glob(".nocode-staging-*"))


def test_a_folder_that_is_not_a_generation_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(WriteError, match="not empty"):
        generate(CRM_SPEC, tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["mine.txt"]


def test_git_commits_each_generation(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    first = generate(CRM_SPEC, out, git=True)
    assert first.commit
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=out, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert log == [f"Generate gestion_client 1.0.0 (spec_version 1, nocode {GENERATOR_VERSION})"]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    assert generate(CRM_SPEC, out, git=True).commit is None  # nothing changed


def test_generating_a_large_spec_in_memory(tmp_path: Path) -> None:
    generation = build(large_spec(tables=12, fields=50))
    assert (
        len([path for path in generation.files if path.parts[:3] == ("app", "api", "routes")]) == 13
    )
