"""Every spec of the corpus (tests/generator/spec_corpus.py) validates, generates code
that passes ruff (format and lint) and mypy --strict, and generates tests that pass.

Running a generated repository's own suite takes seconds, so each run takes the specs
that once broke it plus one drawn spec that changes every day; the test id names the
spec, and NOCODE_CORPUS_SEED=<n> picks seed_<n> again.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.generate import build
from generator.spec import parse_spec
from generator.write import write_tree
from tests.generator.spec_corpus import CORPUS_SIZE, REGRESSIONS, corpus

TOOLS = Path(sys.executable).parent
SEED_OF_THE_DAY = int(
    os.environ.get("NOCODE_CORPUS_SEED", datetime.date.today().toordinal() % CORPUS_SIZE)
)
SPECS = corpus()


def features(document: dict[str, Any]) -> Iterator[str]:
    """What a spec exercises, in words a missing one can be reported with."""
    for name, table in document["tables"].items():
        permissions = table.get("permissions", {})
        yield from (
            f"{role} narrowed" for role in ("CLIENT", "MEMBER", "ADMIN") if role in permissions
        )
        if permissions.get("public"):
            yield "public table"
        yield from (f"{index.get('type', 'normal')} index" for index in table.get("indexes", []))
        for field in table["fields"].values():
            kind = field["field_type"]
            yield f"{kind} {'required' if field.get('is_required') else 'optional'}"
            yield f"{kind} {'with' if 'default_value' in field else 'without'} default"
            yield from (f"{kind} {key}" for key in field.get("validation", {}))
            if field.get("is_unique"):
                yield f"{kind} unique"
            if field.get("is_readonly"):
                yield "read-only field"
            if "relation" in field:
                yield f"on_delete {field['relation'].get('on_delete', 'RESTRICT')}"
                if field.get("is_readonly") and field["relation"]["table"] != name:
                    yield "read-only relation to another table"


def test_the_corpus_covers_every_option() -> None:
    covered = {feature for document in SPECS.values() for feature in features(document)}
    kinds = {"TEXT_SHORT", "TEXT_LONG", "EMAIL", "PHONE", "URL", "INTEGER", "DECIMAL"}
    kinds |= {"BOOLEAN", "DATE", "DATETIME", "UUID", "JSON", "ENUM", "RELATION"}
    expected = {f"{kind} {state}" for kind in kinds for state in ("required", "optional")}
    expected |= {f"{kind} with default" for kind in kinds - {"RELATION"}}
    expected |= {f"{kind} without default" for kind in kinds}
    expected |= {f"on_delete {rule}" for rule in ("CASCADE", "SET_NULL", "RESTRICT")}
    expected |= {"CLIENT narrowed", "MEMBER narrowed", "ADMIN narrowed", "public table"}
    expected |= {f"{kind} unique" for kind in kinds - {"JSON", "TEXT_LONG"}}
    expected |= {"read-only field", "normal index", "unique index", "TEXT_SHORT pattern"}
    expected |= {"read-only relation to another table"}
    expected |= {"TEXT_SHORT max_length", "TEXT_LONG min_length", "INTEGER min_value"}
    expected |= {"INTEGER max_value", "DECIMAL max_digits", "DECIMAL decimal_places"}
    assert expected - covered == set()


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every corpus spec validated and generated (a failure here names its spec)."""
    root = tmp_path_factory.mktemp("corpus")
    for name, document in SPECS.items():
        write_tree(root / name, build(parse_spec(document)).files)
    return {name: root / name for name in SPECS}


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every repository: what they share is checked once."""
    return tmp_path_factory.mktemp("mypy_cache")


def run(command: list[str], repository: Path, **env: str) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")
    }
    result = subprocess.run(
        command,
        cwd=repository,
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=300,
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed in the repository of {repository.name} "
        f"(its spec: python -m tests.generator.spec_corpus {repository.name})\n"
        + result.stdout[-6000:]
        + result.stderr[-3000:]
    )


@pytest.mark.parametrize("name", SPECS)
def test_the_generated_code_passes_ruff_and_mypy(
    name: str, repositories: dict[str, Path], mypy_cache: Path
) -> None:
    repository = repositories[name]
    run([str(TOOLS / "ruff"), "format", "--check", "--quiet", "."], repository)
    run([str(TOOLS / "ruff"), "check", "--quiet", "."], repository)
    run([str(TOOLS / "mypy")], repository, MYPY_CACHE_DIR=str(mypy_cache))


@pytest.mark.parametrize("name", [*REGRESSIONS, f"seed_{SEED_OF_THE_DAY}"])
def test_the_generated_tests_pass(name: str, repositories: dict[str, Path], pg_server: str) -> None:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"]
    run(command, repositories[name], TEST_DATABASE_URL=pg_server)
