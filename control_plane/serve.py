"""`nocode serve` and `nocode migrate`: the control plane on DATABASE_URL, or on a real
PostgreSQL started in the data folder (the same embedded server as `nocode run`).

The data folder (NOCODE_DATA_DIR, default ./nocode-data) also keeps the JWT secret and the
key of the secrets at rest, made on the first start (in its .env, mode 0600) unless
JWT_SECRET and NOCODE_SECRET_KEY are set, and the apps' repositories and local deployments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from control_plane.config import Settings
from control_plane.mail import mail_settings
from platform_support.errors import Issue, UserError
from platform_support.postgres import configured_or_embedded
from platform_support.secrets import ensure_secret
from platform_support.vault import KEY_VARIABLE, new_key

DATABASE_NAME = "nocode"


class SettingsError(UserError):
    """A setting from the environment is missing or wrong; one issue per problem."""

    code = "INVALID_SETTINGS"


@contextmanager
def control_plane_environment(data_dir: Path, announce: Callable[[str], None]) -> Iterator[None]:
    """DATABASE_URL and JWT_SECRET set in os.environ (the server's workers inherit them),
    starting the embedded PostgreSQL when no DATABASE_URL is given; stops it on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["NOCODE_DATA_DIR"] = str(data_dir.resolve())
    os.environ["JWT_SECRET"] = ensure_secret(data_dir)
    os.environ[KEY_VARIABLE] = ensure_secret(data_dir, KEY_VARIABLE, new_key)
    given = os.environ.get("DATABASE_URL")
    with configured_or_embedded(data_dir / "postgres", DATABASE_NAME, announce) as url:
        os.environ["DATABASE_URL"] = url
        try:
            yield
        finally:
            if given is None:
                del os.environ["DATABASE_URL"]


def _issues(error: ValidationError) -> list[Issue]:
    return [
        Issue(".".join(map(str, problem["loc"])).upper(), problem["msg"])
        for problem in error.errors()
    ]


def load_settings() -> Settings:
    """The settings of the environment (the mail's checked too), or SettingsError naming
    each bad variable."""
    issues: list[Issue] = []
    try:
        mail_settings()
    except ValidationError as error:
        issues += _issues(error)
    try:
        settings = Settings()  # type: ignore[call-arg]  # required values come from the environment
    except ValidationError as error:
        issues += _issues(error)
    if issues:
        raise SettingsError(issues)
    return settings


def server_command(host: str, port: int, workers: int) -> Sequence[str]:
    """The control plane's server: granian, replacing a worker that dies while the others
    serve (as a generated app's `python -m app serve` does)."""
    return [
        *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory"),
        *("--host", host, "--port", str(port), "--workers", str(workers)),
        "--respawn-failed-workers",
        "control_plane.app:create_app",
    ]
