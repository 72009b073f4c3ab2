"""Where the local target keeps its files, under target_root (see docs/deploy.md):

supervisord.conf, supervisor/    the one supervisor of the target, its programs (*.ini)
postgres/                        the one PostgreSQL cluster of the target
run/                             their Unix sockets (nothing listens on TCP but the apps)
logs/                            supervisord's, PostgreSQL's, and each instance's log
locks/                           one lock for the target's set-up, one per instance
instances/<instance>/            .env (0600), instance.json, releases/, current, backups/
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deployment.errors import INVALID_CONFIGURATION, DeployError

INSTANCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")  # also its database and role name
# A Unix socket's path holds at most 107 bytes; PostgreSQL's is <run>/.s.PGSQL.5432.
_LONGEST_SOCKET_DIR = 90


@dataclass(frozen=True)
class Target:
    root: Path

    @property
    def supervisor_conf(self) -> Path:
        return self.root / "supervisord.conf"

    @property
    def programs(self) -> Path:
        return self.root / "supervisor"

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def instances(self) -> Path:
        return self.root / "instances"

    @property
    def run(self) -> Path:
        """The sockets' folder: run/ in the root, unless its path is too long for a socket;
        then a private folder of the root's own under the temporary folder."""
        run = self.root / "run"
        if len(str(run)) <= _LONGEST_SOCKET_DIR:
            return run
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"nocode-local-{digest}"

    @property
    def supervisor_socket(self) -> Path:
        return self.run / "supervisor.sock"

    def instance(self, name: str) -> Instance:
        if not INSTANCE_NAME.match(name):
            raise DeployError(
                INVALID_CONFIGURATION,
                f"instance {name!r}: lower-case letters, digits, '-' and '_', 63 at most",
            )
        return Instance(self, name)

    @contextmanager
    def locked(self, name: str = "target") -> Iterator[None]:
        """Held while the target's set-up changes (`target`), or one instance's deployment."""
        self.locks.mkdir(parents=True, exist_ok=True)
        with (self.locks / f"{name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


@dataclass(frozen=True)
class Instance:
    """One app in one environment on the target: `<app_id>-<environment>`."""

    target: Target
    name: str

    @property
    def folder(self) -> Path:
        return self.target.instances / self.name

    @property
    def releases(self) -> Path:
        return self.folder / "releases"

    @property
    def backups(self) -> Path:
        return self.folder / "backups"

    @property
    def current(self) -> Path:
        """A link to the release in service."""
        return self.folder / "current"

    @property
    def env_file(self) -> Path:
        """DATABASE_URL and JWT_SECRET, which every release reads as its .env."""
        return self.folder / ".env"

    @property
    def log(self) -> Path:
        return self.target.logs / f"{self.name}.log"

    @property
    def program(self) -> str:
        return f"app-{self.name}"

    @property
    def program_file(self) -> Path:
        return self.target.programs / f"{self.program}.ini"

    def release(self, name: str) -> Path:
        return self.releases / name

    def in_service(self) -> str:
        """The release `current` points at, or "" before the first deployment."""
        return self.current.readlink().name if self.current.is_symlink() else ""

    @property
    def _settings_file(self) -> Path:
        return self.folder / "instance.json"

    def settings(self) -> dict[str, int]:
        """What rollback_local needs of the last deployment: port and health_deadline."""
        if not self._settings_file.exists():
            return {}
        loaded: dict[str, int] = json.loads(self._settings_file.read_text(encoding="utf-8"))
        return loaded

    def keep_settings(self, **values: int) -> None:
        self._settings_file.write_text(json.dumps(values) + "\n", encoding="utf-8")
