"""The documentation says what the code does: its example commands run, its curl examples
work against a served app, the /metrics labels it shows are the exported ones, and the
README lists every option of every command.

Commands of README.md and docs/*.md that are not run here, and why:
- `nocode run`, `nocode serve`, `nocode demo`, `python -m app serve`: servers that run
  until stopped; tests/test_cli.py and tests/app start them.
- `nocode deploy`, `ansible-playbook`: need SSH hosts or a Proxmox cluster (tests/deploy).
- `pip install`, `python3 -m venv`, `bash .ci/run`, `python -m app migrate`: install or
  run a generated repository on its own (tests/app/test_generated_repository.py).
- The README's flow through the API (curl against `nocode serve`): run whole, as it is
  written, by tests/test_readme_flow.py.
- client/README.md's Python example: client/tests/test_readme.py.
- `cookiecutter`: tests/generator/test_cookiecutter.py; `python -m tests.golden.regen`
  rewrites the goldens (tests/generator/test_golden.py checks them); `export`, `cd`:
  setup of the commands above.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from generator.resources import templates_dir
from nocode.cli import main
from tests.conftest import CRM_SPEC, REPOSITORY, TEST_SECRET, RunningApp

DOCS = [
    REPOSITORY / "README.md",
    *sorted((REPOSITORY / "docs").glob("*.md")),
    REPOSITORY / "client" / "README.md",
]
SHELL_BLOCK = re.compile(r"^```(bash|sh|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
V2_SPEC = REPOSITORY / "tests" / "golden" / "diff" / "gestion_client_v2.yaml"
RUN = ("nocode generate ", "nocode diff ", "nocode token ", "python -m generator.spec.schema")
NOT_RUN = (
    "nocode run ", "nocode serve", "nocode demo", "nocode deploy ", "ansible-playbook ",
    "pip install ", "python3 -m venv ", "bash .ci/run", "python -m app ", "cookiecutter ",
    "python -m tests.golden.regen", "export ", "cd ", "curl ", "B=", "H=",
    "until ", "API=", "py() ", "TOKEN=", "AUTH=", "ORG=", "PROJECT=", "APP=", "RUN=", "git clone ",
    "FLOW=", "node() ", "ORDER=", "SIZE=", "SECRET=",
    "BODY=", "SIG=",  # docs/automation.md: signing a webhook call, as test_triggers_webhook signs
    "pytest client/tests",  # client/README.md: the README's test command runs them
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    where: str  # file:line
    command: str  # with any `.venv/bin/` prefix and trailing comment removed
    fails: bool  # the docs show it ending with `error: ...`


def _commands(language: str, body: str) -> list[tuple[int, str, list[str]]]:
    """(line offset, command, the output shown after it) of one shell block."""
    found: list[tuple[int, str, list[str]]] = []
    for offset, line in enumerate(body.splitlines()):
        if language == "console" and not line.startswith("$ "):
            if found:
                found[-1][2].append(line)
            continue
        command = line.removeprefix("$ ").split("  #")[0].strip()
        if command and not command.startswith("#") and not line.startswith(" "):
            found.append((offset, command.removeprefix(".venv/bin/"), []))
    return found


def examples() -> list[Example]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in SHELL_BLOCK.finditer(text):
            first_line = text.count("\n", 0, block.start(2)) + 1
            for offset, command, output in _commands(block.group(1), block.group(2)):
                fails = any(line.startswith("error: ") for line in output)
                where = f"{doc.relative_to(REPOSITORY)}:{first_line + offset}"
                found.append(Example(where, command, fails))
    return found


def test_every_documented_command_is_run_or_says_why_not() -> None:
    unknown = [
        f"{example.where}: {example.command}"
        for example in examples()
        if not example.command.startswith(RUN + NOT_RUN)
    ]
    assert unknown == [], "run these below, or list them in NOT_RUN with the reason"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the examples run in: the specs they name, and `apps/crm` generated from
    the example spec, which `DIR` stands for."""
    root = tmp_path_factory.mktemp("docs")
    (root / "specs").mkdir()
    shutil.copy(CRM_SPEC, root / "specs" / "gestion_client.yaml")
    shutil.copy(V2_SPEC, root / "specs" / "v2.yaml")
    (root / "apps").mkdir()
    shell(f"nocode generate {CRM_SPEC} --out apps/crm --git", root)
    return root


def shell(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`command` in bash, with this environment's `nocode` first on the PATH."""
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "JWT_SECRET": TEST_SECRET,
        **env,
    }
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_documented_commands_run(workspace: Path) -> None:
    ran = []
    for example in examples():
        if not example.command.startswith(RUN):
            continue
        command = re.sub(r"\bDIR\b", "apps/crm", example.command)
        result = shell(command.replace("python -m", f"{sys.executable} -m"), workspace)
        succeeded = result.returncode == 0
        assert succeeded != example.fails, (
            f"{example.where}: `{command}` exited {result.returncode}, the docs show it "
            f"{'failing' if example.fails else 'succeeding'}\n{result.stdout}{result.stderr}"
        )
        assert "Traceback" not in result.stderr, f"{example.where}\n{result.stderr}"
        ran.append(example.command.split()[1])
    assert {"generate", "diff", "token"} <= set(ran)


def curl_blocks() -> list[str]:
    text = (REPOSITORY / "docs" / "generated-app.md").read_text(encoding="utf-8")
    blocks = [block.group(2) for block in SHELL_BLOCK.finditer(text)]
    return [block for block in blocks if re.search(r"^(curl |B=)", block, re.MULTILINE)]


def test_the_curl_examples_work_against_the_served_app(empty_crm: RunningApp) -> None:
    setup, *examples = curl_blocks()
    assert setup.startswith("B=http://127.0.0.1:8000/") and examples
    setup = setup.replace("http://127.0.0.1:8000", empty_crm.base_url)
    setup = setup.replace("DIR", str(empty_crm.app_dir))
    # an HTTP error status fails the command, and the first failing command the block
    fail_on_errors = (
        'set -e\ncurl() { command curl --silent --show-error --fail-with-body "$@"; }\n'
    )
    for example in examples:
        result = shell(fail_on_errors + setup + example, empty_crm.app_dir)
        assert result.returncode == 0, f"{example}\n{result.stdout}\n{result.stderr}"


def test_the_metrics_the_docs_show_are_exported(empty_crm: RunningApp, http: httpx.Client) -> None:
    text = (REPOSITORY / "docs" / "generated-app.md").read_text(encoding="utf-8")
    rows = "\n".join(line for line in text.splitlines() if line.startswith("| `app_"))
    example_routes = re.findall(r"`(/[^`]*)`", rows)
    assert "/metrics" in example_routes and "`unmatched`" in rows, rows
    record = http.post(
        f"{empty_crm.api}tables/clients/",
        json={"nom": "Jean Dupont", "email": "jean@example.com"},
        headers=empty_crm.headers(),
    ).json()
    http.get(f"{empty_crm.api}tables/clients/{record['id']}/", headers=empty_crm.headers())
    http.get(f"{empty_crm.base_url}/no/such/route")
    http.get(f"{empty_crm.base_url}/metrics")  # counted in the next scrape
    exported = [
        sample
        for family in text_string_to_metric_families(http.get(f"{empty_crm.base_url}/metrics").text)
        for sample in family.samples
    ]
    documented = re.findall(r"`(app_\w+)(?:\{([a-z,]+)\})?`", rows)
    assert len(documented) >= 7, rows
    for name, labels in documented:
        # a histogram is exported as NAME_bucket, NAME_count and NAME_sum
        samples = [sample for sample in exported if sample.name in (name, f"{name}_count")]
        assert samples, f"{name} is not exported"
        expected = frozenset(labels.split(",")) if labels else frozenset()
        assert {frozenset(sample.labels) for sample in samples} == {expected}, name
    routes = {sample.labels.get("route") for sample in exported}
    assert {"/health", "/metrics", "unmatched"} <= routes
    record_route = f"{empty_crm.api}tables/clients/{{record_id}}/"
    assert record_route.removeprefix(empty_crm.base_url) in routes


def test_the_readme_lists_every_command_and_option() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `nocode (\w+)([^`]*)` \|", readme, re.MULTILINE))
    assert isinstance(main, click.Group)
    missing = []
    for name, command in main.commands.items():
        if name not in rows:
            missing.append(f"nocode {name}")
            continue
        for parameter in command.params:
            flags = [flag for flag in parameter.opts if flag.startswith("--")]
            if flags and not any(re.search(rf"{flag}\b", rows[name]) for flag in flags):
                missing.append(f"nocode {name} {flags[0]}")
    assert missing == []


def test_the_architecture_lists_the_templates_and_cookiecutter_variables() -> None:
    text = (REPOSITORY / "docs" / "architecture.md").read_text(encoding="utf-8")
    sentence = re.search(r"The per-table templates are (.*?)\.\s", text, re.DOTALL)
    assert sentence is not None
    listed = set(re.findall(r"`([\w/]+\.py)`", sentence.group(1)))
    tables = templates_dir() / "tables"
    assert listed == {
        path.relative_to(tables).as_posix().removesuffix(".jinja")
        for path in tables.rglob("*.jinja")
    }
    table = text.split("| variable | from the spec |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| (.+?) \|", table, re.MULTILINE)) - {"---"}
    variables = {name for row in documented for name in re.findall(r"`(\w+)`", row)}
    defaults = json.loads((templates_dir() / "app" / "cookiecutter.json").read_text())
    assert variables == set(defaults) - {"_jinja2_env_vars"}


def test_the_documented_layout_is_the_generated_one() -> None:
    text = (REPOSITORY / "docs" / "generated-app.md").read_text(encoding="utf-8")
    block = text.split("## Layout\n\n```\n", 1)[1].split("```", 1)[0]
    folder, paths = "", []
    for line in block.splitlines():
        if not line.startswith(" "):
            folder = line.split()[0] if line.split()[0].endswith("/") else ""
        entry = line.split("  ")[0].strip()
        if entry and not entry.endswith("/"):
            for name in entry.split(", "):
                paths.append((folder if line.startswith(" ") else "") + name)
    golden = REPOSITORY / "tests" / "golden" / "gestion_client" / "expected"
    # written by a regeneration only, so absent from a first generation
    later = {".nocode/base/", "migrations/0002_v1_1_0.sql"}
    missing = [
        path
        for path in paths
        if path not in later and not (golden / path.replace("<table>", "clients")).exists()
    ]
    assert paths and missing == []


def settings_variables(config: Path, class_name: str = "Settings") -> set[str]:
    """The environment variables the settings class of a config module reads: each field's
    name in capitals, or its `validation_alias`."""
    module = ast.parse(config.read_text(encoding="utf-8"))
    (settings,) = [node for node in module.body if getattr(node, "name", "") == class_name]
    assert isinstance(settings, ast.ClassDef)
    return {
        _alias(statement.value) or statement.target.id.upper()
        for statement in settings.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def _alias(default: ast.expr | None) -> str | None:
    if isinstance(default, ast.Call):
        for keyword in default.keywords:
            if keyword.arg == "validation_alias" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return None


def documented_variables(document: Path) -> set[str]:
    """Variables named first in a table row: `A`, `A` / `B` or `A`, `B`."""
    rows = re.findall(r"^\| ((?:`[A-Z_]+`(?:, | / )?)+) \|", document.read_text(), re.MULTILINE)
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row)}


@pytest.mark.parametrize(
    ("config", "class_name", "documents"),
    [
        (
            "tests/golden/gestion_client/expected/app/core/config.py",
            "Settings",
            ["tests/golden/gestion_client/expected/README.md", "docs/generated-app.md"],
        ),
        ("control_plane/config.py", "Settings", ["README.md"]),
        ("control_plane/mail/settings.py", "MailSettings", ["README.md"]),
    ],
)
def test_every_setting_is_documented(config: str, class_name: str, documents: list[str]) -> None:
    variables = settings_variables(REPOSITORY / config, class_name)
    for document in documents:
        missing = variables - documented_variables(REPOSITORY / document)
        assert missing == set(), f"{document} does not document {sorted(missing)}"
