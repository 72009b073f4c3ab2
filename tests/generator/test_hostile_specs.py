"""Hostile specs: values full of quotes, SQL, Jinja, triple quotes, backslashes, newlines
and code stay data. The generated repository formats, type-checks, migrates and serves,
every string comes back verbatim, and nothing in the spec ever runs."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from generator.generate import generate
from tests.conftest import fresh_database, start_app

MARKER = Path(f"/tmp/nocode-pwned-{uuid.uuid4().hex}")
PAYLOADS = [
    f"__import__('os').system('touch {MARKER}')",
    "{{ cycler.__init__.__globals__.os.system('touch " + str(MARKER) + "') }}",
    "{% for x in range(1) %}" + f"$(touch {MARKER})`touch {MARKER}`" + "{% endfor %}",
    "'\"; DROP TABLE notes; --",
    "\"\"\" ''' \\ \\n \\x00 é 👥 \u2028 {#",
]
HOSTILE = " ".join(PAYLOADS)
MULTILINE = "\n".join(PAYLOADS) + "\r\n\\"


def hostile_document() -> dict[str, Any]:
    return {
        "spec_version": 1,
        "project": {
            "id": "0b8e3f4c-1d2a-4b5c-8d9e-0f1a2b3c4d5e",
            "name": HOSTILE[:200],
            "slug": "hostile",
            "description": MULTILINE,
        },
        "tables": {
            "notes": {
                "display_name": PAYLOADS[3],
                "icon": "'\"{{",
                "description": MULTILINE,
                "fields": {
                    "titre": {
                        "display_name": PAYLOADS[0],
                        "field_type": "TEXT_SHORT",
                        "is_required": True,
                        "default_value": PAYLOADS[1],
                        "validation": {"pattern": "^(?:[^\\x00]|\\\\|\"|')*$", "max_length": 200},
                        "form_config": {"placeholder": PAYLOADS[2], "help_text": MULTILINE},
                    },
                    "etat": {
                        "display_name": PAYLOADS[4],
                        "field_type": "ENUM",
                        "choices": [PAYLOADS[3], PAYLOADS[0], "ok"],
                        "default_value": PAYLOADS[3],
                    },
                    "corps": {
                        "display_name": "Corps",
                        "field_type": "JSON",
                        "default_value": {"k": PAYLOADS[1], "l": [PAYLOADS[3]]},
                    },
                },
            }
        },
    }


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "spec.json"
    spec.write_text(json.dumps(hostile_document()), encoding="utf-8")
    generate(spec, folder / "app")
    return folder / "app"


def test_the_generated_repository_is_clean_python(hostile_app: Path) -> None:
    for command in (
        ["-m", "ruff", "format", "--check", "--quiet", "."],
        ["-m", "ruff", "check", "--quiet", "."],
        ["-m", "mypy"],
    ):
        result = subprocess.run(
            [sys.executable, *command], cwd=hostile_app, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert not MARKER.exists()


def test_spec_values_never_reach_sql_statements(hostile_app: Path) -> None:
    queries = (hostile_app / "app" / "queries" / "notes.py").read_text()
    for payload in PAYLOADS:
        assert payload not in queries
    core = "".join(path.read_text() for path in (hostile_app / "app" / "core").glob("*.py"))
    assert "DROP TABLE" not in core


def test_the_app_serves_the_values_verbatim(hostile_app: Path, pg_server: str) -> None:
    database_url = fresh_database(pg_server)
    app = start_app(hostile_app, database_url)
    try:
        headers = app.headers()
        created = httpx.post(f"{app.api}tables/notes/", json={}, headers=headers)
        assert created.status_code == 201, created.text
        record = created.json()
        assert record["titre"] == PAYLOADS[1]
        assert record["etat"] == PAYLOADS[3]
        assert record["corps"] == {"k": PAYLOADS[1], "l": [PAYLOADS[3]]}
        chosen = httpx.post(
            f"{app.api}tables/notes/", json={"titre": "x", "etat": PAYLOADS[0]}, headers=headers
        )
        assert chosen.status_code == 201, chosen.text
        refused = httpx.post(f"{app.api}tables/notes/", json={"etat": "nope"}, headers=headers)
        assert refused.status_code == 400
        schema = httpx.get(f"{app.api}schema/notes/", headers=headers).json()
        assert schema["display_name"] == PAYLOADS[3]
        assert schema["description"] == MULTILINE
        titre = next(field for field in schema["fields"] if field["name"] == "titre")
        assert titre["display_name"] == PAYLOADS[0]
        assert titre["form_field"]["help_text"] == MULTILINE
        project = httpx.get(f"{app.api}schema/", headers=headers).json()["project"]
        assert project["name"] == HOSTILE[:200]
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)
    with psycopg.connect(database_url) as connection:
        comment = connection.execute("SELECT obj_description('notes'::regclass)").fetchone()
        assert comment == (MULTILINE,)
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (2,)
    assert not MARKER.exists()
