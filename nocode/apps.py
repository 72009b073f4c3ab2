"""Running a generated app from its folder: its settings file, migrations and server."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import jwt

from platform_support.errors import UserError
from platform_support.postgres import configured_or_embedded
from platform_support.secrets import ENV_FILE, read_env_file

ROLES = ("OWNER", "ADMIN", "MEMBER", "CLIENT")


class AppError(UserError):
    """The folder is not a generated app, or the app refused to start."""

    code = "APP_ERROR"


def read_metadata(app_dir: Path) -> dict[str, object]:
    path = app_dir / "app" / "metadata.json"
    try:
        project: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError) as error:
        raise AppError(f"{app_dir}: not a generated app ({path.name}: {error})") from None
    return project


def development_token(app_dir: Path, role: str, hours: int = 24, secret: str | None = None) -> str:
    """A JWT the app accepts, signed with `secret`, or else the app's JWT_SECRET (from the
    environment or its .env)."""
    if role not in ROLES:
        raise AppError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    read_metadata(app_dir)
    secret = secret or os.environ.get("JWT_SECRET") or read_env_file(app_dir).get("JWT_SECRET")
    if not secret:
        raise AppError(
            f"{app_dir}: no JWT_SECRET in the environment or in {ENV_FILE}; "
            "run `nocode run` once, or set it"
        )
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=hours)
    claims = {"sub": f"dev-{role.lower()}", "role": role, "exp": expires}
    return jwt.encode(claims, secret, algorithm="HS256")


def app_command(*args: str) -> Sequence[str]:
    """`python -m app ARGS` with this interpreter, to run in the app's folder."""
    return [sys.executable, "-m", "app", *args]


def app_server_command(host: str, port: int, workers: int) -> Sequence[str]:
    """The app's server (`python -m app serve`: granian, respawning failed workers)."""
    return app_command("serve", "--host", host, "--port", str(port), "--workers", str(workers))


@contextmanager
def app_database(app_dir: Path, announce: Callable[[str], None]) -> Iterator[str]:
    """The URL of the app's database: DATABASE_URL when set, else the embedded PostgreSQL
    of APP_DIR/.data (started here, stopped on exit unless another process uses it)."""
    project = read_metadata(app_dir)
    postgres = app_dir / ".data" / "postgres"
    with configured_or_embedded(postgres, str(project["slug"]), announce) as url:
        yield url


def migrate(app_dir: Path, env: dict[str, str]) -> None:
    if subprocess.run(app_command("migrate"), cwd=app_dir, env=env).returncode != 0:
        raise AppError(
            "the app's migrations failed (see above); fix the data they stumble on with"
            f' `nocode psql {app_dir} -c "UPDATE ..."`, or change the spec back, then'
            " run again"
        )


def api_base_url(host: str, port: int, project_id: object) -> str:
    return f"http://{host}:{port}/api/v1/runtime/projects/{project_id}/"
