"""How executors reach the integration a node names (`config.integration`, its id):
AUTO_004 when it is missing, of another organisation or type, or not `configured`.
`UsesIntegration` is the shape the executors taking one share."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun, NodeServices
from control_plane.automation.models.common import IntegrationType
from control_plane.automation.services.integrations import IntegrationUnusable, Usable, usable
from control_plane.config import vault_of

NOT_CONFIGURED = "AUTO_004"


async def integration_of(
    services: NodeServices,
    organization_id: uuid.UUID,
    config: Mapping[str, Any],
    type_: IntegrationType,
) -> Usable:
    """The integration with its secrets, for a run; NodeFailed (AUTO_004) otherwise."""
    try:
        async with services.pool.connection() as connection:
            return await usable(
                connection,
                vault_of(services.settings),
                organization_id,
                config.get("integration"),
                type_,
            )
    except IntegrationUnusable as error:
        raise NodeFailed(str(error), NOT_CONFIGURED) from None


async def integration_issues(
    services: NodeServices,
    organization_id: uuid.UUID,
    config: Mapping[str, Any],
    type_: IntegrationType,
) -> list[ConfigIssue]:
    """check_environment's answer for a node that needs an integration of `type_`."""
    try:
        await integration_of(services, organization_id, config, type_)
    except NodeFailed as failed:
        return [ConfigIssue("config.integration", str(failed), NOT_CONFIGURED)]
    return []


class UsesIntegration:
    """An executor whose runs need the keys `required` and may name (or, when `required`
    holds it, must name) an integration of `integration_type`."""

    required: tuple[str, ...]
    integration_type: IntegrationType

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        issues = checks.missing(config, self.required)
        if config.get("integration"):
            issues += await integration_issues(
                services, organization_id, config, self.integration_type
            )
        return issues

    async def integration(self, node: NodeRun, config: Mapping[str, Any]) -> Usable:
        """The integration `config` names, for this run (NodeFailed AUTO_004 otherwise)."""
        return await integration_of(
            node.services, node.organization_id, config, self.integration_type
        )
