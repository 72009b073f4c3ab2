"""The seed 000 deployment error codes, and the error a deployment stops with."""

from __future__ import annotations

from platform_support.errors import UserError

NOT_DEPLOYABLE = "DEPLOY_001"  # the release cannot be installed or does not serve
MIGRATION_FAILED = "DEPLOY_002"
INVALID_CONFIGURATION = "DEPLOY_003"  # inventory, variables, host keys, unreachable hosts
INSUFFICIENT_RESOURCES = "DEPLOY_004"

MESSAGES = {
    NOT_DEPLOYABLE: "Application non déployable",
    MIGRATION_FAILED: "Migration de base de données échouée",
    INVALID_CONFIGURATION: "Configuration invalide",
    INSUFFICIENT_RESOURCES: "Ressources insuffisantes",
}


class DeployError(UserError):
    """A deployment that cannot start or did not finish, with its seed error code."""

    code_shown = True  # `error: DEPLOY_003: ...`: the seed's codes are what users look up

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
