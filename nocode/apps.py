"""Running a generated app from its folder: its settings file, migrations and server."""

from __future__ import annotations

import datetime
import errno
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import jwt

from nocode.postgres import configured_or_embedded

ENV_FILE = ".env"
ROLES = ("OWNER", "ADMIN", "MEMBER", "CLIENT")


class AppError(RuntimeError):
    """The folder is not a generated app, or the app refused to start."""


def read_metadata(app_dir: Path) -> dict[str, object]:
    path = app_dir / "app" / "metadata.json"
    try:
        project: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError) as error:
        raise AppError(f"{app_dir}: not a generated app ({path.name}: {error})") from None
    return project


def read_env_file(app_dir: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    path = app_dir / ENV_FILE
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.strip().startswith("#"):
            values[key.strip()] = _unquoted(value.strip())
    return values


def _unquoted(value: str) -> str:
    """A value as the app's settings (python-dotenv) read it: without its enclosing quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def ensure_secret(app_dir: Path) -> str:
    """The app's JWT secret: from the environment, its .env, or made once into its .env."""
    secret = os.environ.get("JWT_SECRET") or read_env_file(app_dir).get("JWT_SECRET")
    if secret:
        return secret
    secret = secrets.token_urlsafe(48)
    path = app_dir / ENV_FILE
    with path.open("a", encoding="utf-8") as env_file:
        env_file.write(f"JWT_SECRET={secret}\n")
    path.chmod(0o600)
    return secret


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


def app_command(
    app_dir: Path, env: dict[str, str], *args: str, process_group: int | None = None
) -> subprocess.Popen[bytes]:
    """Start `python -m app ARGS` in the app's folder with this interpreter."""
    return subprocess.Popen(
        [sys.executable, "-m", "app", *args], cwd=app_dir, env=env, process_group=process_group
    )


def start_server(
    app_dir: Path, env: dict[str, str], host: str, port: int, workers: int
) -> subprocess.Popen[bytes]:
    """`python -m app serve`, in a process group of its own that `stop_server` ends whole
    (Ctrl+C reaches only nocode, which stops it)."""
    options = ("--host", host, "--port", str(port), "--workers", str(workers))
    return app_command(app_dir, env, "serve", *options, process_group=0)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the app's server (SIGTERM: it finishes the requests in flight), then kill what
    is left of its process group: the workers of a server killed -9 would keep the port."""
    if server.poll() is None:
        server.terminate()
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


@contextmanager
def app_database(app_dir: Path, announce: Callable[[str], None]) -> Iterator[str]:
    """The URL of the app's database: DATABASE_URL when set, else the embedded PostgreSQL
    of APP_DIR/.data (started here, stopped on exit unless another process uses it)."""
    project = read_metadata(app_dir)
    postgres = app_dir / ".data" / "postgres"
    with configured_or_embedded(postgres, str(project["slug"]), announce) as url:
        yield url


def migrate(app_dir: Path, env: dict[str, str]) -> None:
    if app_command(app_dir, env, "migrate").wait() != 0:
        raise AppError(
            "the app's migrations failed (see above); fix the data they stumble on with"
            f' `nocode psql {app_dir} -c "UPDATE ..."`, or change the spec back, then'
            " run again"
        )


def refuse_a_taken_port(host: str, port: int) -> None:
    """Raise if another program listens on host:port (the app's server binds with
    SO_REUSEPORT, so it would start there and share the requests)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise AppError(f"{host}:{port} is already in use by another program") from None


def exit_reason(returncode: int) -> str:
    """`exit status 1`, or `killed by SIGKILL` for a process a signal ended."""
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


def api_base_url(host: str, port: int, project_id: object) -> str:
    return f"http://{host}:{port}/api/v1/runtime/projects/{project_id}/"
