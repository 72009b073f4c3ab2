"""What every contender provides: how to install, prepare, start and query it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..config import WORK_DIR
from ..pg import PgServer
from ..wrk import Request

# The same new row for every contender; the Lua script replaces {ref} with a unique value.
CREATE_BODY = (
    '{"reference": "{ref}", "nom": "Produit bench", "prix": 12.5, "stock": 3, "actif": true}'
)
PATCH_BODY = '{"stock": 7}'


@dataclass(frozen=True)
class Launch:
    """How to start the server process."""

    cmd: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)


class Contender(ABC):
    name: ClassVar[str]
    database: ClassVar[str]
    health_path: ClassVar[str] = "/health"
    # One line for the report: workers, what the list requests ask for, etc.
    notes: ClassVar[str] = ""

    @property
    def work_dir(self) -> Path:
        """Per-contender scratch (configs, logs), wiped by each run."""
        return WORK_DIR / self.name

    def install(self) -> None:
        """Install what is missing; raise PeerUnavailable if it cannot be done here."""
        return None

    def prepare(self, pg: PgServer) -> None:
        """Give the contender its own database holding the seeded produits table."""
        pg.recreate_database(self.database)
        pg.create_produits(self.database)
        pg.seed_produits(self.database)

    @abstractmethod
    def launch(self, pg: PgServer, port: int) -> Launch: ...

    def after_start(self, base_url: str) -> None:
        """Hook run once the server is healthy and before any measurement."""
        return None

    def headers(self) -> dict[str, str]:
        return {}

    @abstractmethod
    def requests(self) -> dict[str, Request]:
        """One Request per kind in config.KINDS but list20w (list20 under patch): "{id}" a
        seeded row, "{seq}" (delete) a row inserted for that request alone."""
