"""The nocode command line, run as a user runs it: a real process."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt

from tests.conftest import CRM_SPEC, free_port, fresh_database, nocode, start_nocode_run
from tests.regeneration.helpers import generate_version
from tests.regeneration.versions import V1, changed


def test_generate_prints_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = CRM_SPEC.read_text()
    bad.write_text(
        text.replace("field_type: EMAIL", "field_type: MAIL").replace(
            "min_length: 2", "min_length: -1"
        )
    )
    result = nocode("generate", str(bad), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("... ")]
    assert len(lines) == 2
    assert lines[0].startswith("error: tables.clients.fields.email.field_type: Input should be")
    assert lines[1].startswith("error: tables.clients.fields.nom.validation.min_length:")
    assert not (tmp_path / "out").exists()


def test_generate_reports_an_unreadable_spec(tmp_path: Path) -> None:
    result = nocode("generate", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_generate_then_token(tmp_path: Path) -> None:
    out = tmp_path / "crm"
    result = nocode("generate", str(CRM_SPEC), "--out", str(out), "--git")
    assert result.returncode == 0, result.stderr
    assert "committed" in result.stdout
    (out / ".env").write_text("JWT_SECRET=s3cret-s3cret-s3cret-s3cret-s3cret-s3cret\n")
    token = nocode("token", str(out), "--role", "MEMBER")
    assert token.returncode == 0
    claims = jwt.decode(
        token.stdout.strip(), "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret", algorithms=["HS256"]
    )
    assert claims["role"] == "MEMBER"
    refused = nocode("token", str(out), "--role", "ROOT")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    not_an_app = nocode("token", str(tmp_path), "--role", "OWNER")
    assert not_an_app.returncode == 1 and not_an_app.stderr.startswith("error: ")


def test_run_serves_the_app_on_an_embedded_postgresql(tmp_path: Path) -> None:
    out = tmp_path / "crm"
    assert nocode("generate", str(CRM_SPEC), "--out", str(out)).returncode == 0
    port = free_port()
    run = start_nocode_run(out, "--port", str(port))
    try:
        api = run.api
        assert (
            api
            == f"http://127.0.0.1:{port}/api/v1/runtime/projects/550e8400-e29b-41d4-a716-446655440000/"
        )
        token = nocode("token", str(out), "--role", "OWNER").stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{api}tables/produits/",
            json={"reference": "R1", "nom": "Stylo", "prix": 1.2, "stock": 3},
            headers=headers,
        )
        assert created.status_code == 201
        assert (out / ".env").stat().st_mode & 0o777 == 0o600
    finally:
        status = run.stop()
    assert status == 0
    # The embedded server stopped with it.
    assert not (out / ".data" / "postgres" / "postmaster.pid").exists()


def test_a_migration_the_data_stops_is_fixed_with_nocode_psql(tmp_path: Path) -> None:
    repo = tmp_path / "app"
    generate_version(tmp_path, V1, repo)
    run = start_nocode_run(repo, "--port", str(free_port()))
    token = nocode("token", str(repo)).stdout.strip()
    created = httpx.post(
        f"{run.api}tables/clients/",
        json={"nom": "Sans Téléphone"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201
    assert run.stop() == 0
    telephone = {"display_name": "Tél", "field_type": "PHONE", "is_required": True}
    generate_version(tmp_path, changed(clients={"telephone": telephone}), repo)

    stopped = nocode("run", str(repo), "--port", str(free_port()))
    assert stopped.returncode == 1
    assert "required now, but records have no value" in stopped.stderr
    assert stopped.stderr.splitlines()[-1] == (
        "error: the app's migrations failed (see above); fix the data they stumble on with"
        f' `nocode psql {repo} -c "UPDATE ..."`, or change the spec back, then run again'
    )
    fixed = nocode(
        "psql", str(repo), "-c", "UPDATE clients SET telephone = '+33600000000' WHERE id = 1"
    )
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout == "UPDATE 1\n"

    run = start_nocode_run(repo, "--port", str(free_port()))
    assert run.stop() == 0
    assert not (repo / ".data" / "postgres" / "postmaster.pid").exists()


def test_psql_reaches_database_url_and_passes_its_exit_status(
    crm_dir: Path, pg_server: str
) -> None:
    database = fresh_database(pg_server)
    answered = nocode(
        "psql", str(crm_dir), "-tA", "-c", "SELECT current_database()", DATABASE_URL=database
    )
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.strip() == database.rsplit("dbname=", 1)[1].split()[0]
    failed = nocode("psql", str(crm_dir), "-c", "SELECT nothing", DATABASE_URL=database)
    assert failed.returncode == 1
    assert 'column "nothing" does not exist' in failed.stderr
    assert not (crm_dir / ".data").exists()


def test_deployment_input_errors_carry_their_seed_code(tmp_path: Path) -> None:
    both = nocode("deploy", str(tmp_path), "--host", "a@127.0.0.1", "--inventory", "hosts.yml")
    assert (both.returncode, both.stderr) == (
        1,
        "error: DEPLOY_003: give --host or --inventory, not both\n",
    )
    not_an_app = nocode("rollback", str(tmp_path), "--host", "a@127.0.0.1")
    assert not_an_app.returncode == 1
    assert not_an_app.stderr.startswith(f"error: DEPLOY_003: {tmp_path}: not a generated app (")
    assert len(not_an_app.stderr.splitlines()) == 1
