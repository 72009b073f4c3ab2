"""The Foundation API (seeds 001, 003) under `/api/v1/foundation`: one router per resource."""

from control_plane.foundation.api.routes import (
    audit_log,
    auth,
    invitations,
    members,
    organizations,
    subscriptions,
    users,
)
from control_plane.routing import ModuleRouter

router = ModuleRouter(prefix="/api/v1/foundation")
for module in (auth, users, organizations, members, invitations, subscriptions, audit_log):
    router.include_router(module.router)
