"""Every spec of the corpus (tests/generator/spec_corpus.py) validates, generates code
that passes black, ruff and mypy --strict, and generates tests that pass.

Running a generated repository's own suite takes seconds, so each run takes the specs
that once broke it plus one more that changes every day; the test id names the seed, and
NOCODE_CORPUS_SEED=<seed> picks it again.
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
from tests.generator.spec_corpus import CORPUS_SIZE, corpus, corpus_spec

TOOLS = Path(sys.executable).parent
# Seeds whose generated tests once failed: 0, a required field with a default (the app
# fills it in); 11, a unique index over fields whose samples never change, on a parent
# that every child test created again.
REGRESSIONS = (0, 11)
SEED_OF_THE_DAY = int(
    os.environ.get("NOCODE_CORPUS_SEED", datetime.date.today().toordinal() % CORPUS_SIZE)
)


def features(document: dict[str, Any]) -> Iterator[str]:
    """What a spec exercises, in words a missing one can be reported with."""
    for table in document["tables"].values():
        permissions = table.get("permissions", {})
        yield from (f"{role} narrowed" for role in ("MEMBER", "ADMIN") if role in permissions)
        if permissions.get("public"):
            yield "public table"
        yield from (f"{index['type']} index" for index in table.get("indexes", []))
        for field in table["fields"].values():
            kind = field["field_type"]
            yield f"{kind} {'required' if field['is_required'] else 'optional'}"
            yield f"{kind} {'with' if 'default_value' in field else 'without'} default"
            yield from (f"{kind} {key}" for key in field.get("validation", {}))
            if field.get("is_unique"):
                yield "unique field"
            if field.get("is_readonly"):
                yield "read-only field"
            if "relation" in field:
                yield f"on_delete {field['relation']['on_delete']}"


def test_the_corpus_covers_every_option() -> None:
    covered = {feature for document in corpus().values() for feature in features(document)}
    kinds = {"TEXT_SHORT", "TEXT_LONG", "EMAIL", "PHONE", "URL", "INTEGER", "DECIMAL"}
    kinds |= {"BOOLEAN", "DATE", "DATETIME", "UUID", "JSON", "ENUM", "RELATION"}
    expected = {f"{kind} {state}" for kind in kinds for state in ("required", "optional")}
    expected |= {f"{kind} with default" for kind in kinds - {"RELATION"}}
    expected |= {f"{kind} without default" for kind in kinds}
    expected |= {f"on_delete {rule}" for rule in ("CASCADE", "SET_NULL", "RESTRICT")}
    expected |= {"MEMBER narrowed", "ADMIN narrowed", "public table", "unique field"}
    expected |= {"read-only field", "normal index", "unique index", "TEXT_SHORT pattern"}
    expected |= {"TEXT_SHORT max_length", "TEXT_LONG min_length", "INTEGER min_value"}
    expected |= {"INTEGER max_value", "DECIMAL max_digits", "DECIMAL decimal_places"}
    assert expected - covered == set()


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Every corpus spec validated and generated (a failure here names its seed)."""
    root = tmp_path_factory.mktemp("corpus")
    for seed, document in corpus().items():
        write_tree(root / f"corpus_{seed}", build(parse_spec(document)).files)
    return {seed: root / f"corpus_{seed}" for seed in range(CORPUS_SIZE)}


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every repository: what they share is checked once (9 s, then ~1 s)."""
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
        f"{' '.join(command)} failed in {repository.name} "
        f"(the spec: python -m tests.generator.spec_corpus {repository.name[7:]})\n"
        + result.stdout[-6000:]
        + result.stderr[-3000:]
    )


@pytest.mark.parametrize("seed", range(CORPUS_SIZE))
def test_the_generated_code_passes_black_ruff_and_mypy(
    seed: int, repositories: dict[int, Path], mypy_cache: Path
) -> None:
    repository = repositories[seed]
    run([str(TOOLS / "black"), "--check", "--quiet", "."], repository)
    run([str(TOOLS / "ruff"), "check", "--quiet", "."], repository)
    run([str(TOOLS / "mypy")], repository, MYPY_CACHE_DIR=str(mypy_cache))


@pytest.mark.parametrize("seed", sorted({*REGRESSIONS, SEED_OF_THE_DAY}))
def test_the_generated_tests_pass(seed: int, repositories: dict[int, Path], pg_server: str) -> None:
    assert parse_spec(corpus_spec(seed))  # the spec the repository was generated from
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"]
    run(command, repositories[seed], TEST_DATABASE_URL=pg_server)
