"""What the engine's own executors share: they compute only (no side effects) and need
nothing from the database to be checked. Their `check` looks at the config's shape; the
expressions in it are parsed by the graph's checks (services/node_checks.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from control_plane.automation.engine.nodes import ConfigIssue, NodeServices


class Computing:
    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return False

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        return []
