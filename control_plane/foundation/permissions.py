"""The seed 001 role matrix: the one place that decides what a
member of an organisation may do. Every endpoint asks `authorize()`.

| module     | CLIENT            | MEMBER        | ADMIN              | OWNER |
| ---------- | ----------------- | ------------- | ------------------ | ----- |
| Foundation | profil, login     | profil + org  | tout               | tout  |
| Studio     | lecture seule     | CRUD projets  | CRUD + membres     | tout  |
| Runtime    | données publiques | CRUD données  | CRUD + déploiement | tout  |
| Automation | aucun             | workflows basiques | workflows avancés | tout |
| Insights   | usage perso       | analytics org | analytics complètes | tout |

ADMIN manages the organisation and its members, but only an OWNER deletes it, changes its
subscription, or makes and unmakes OWNERs. In Runtime, every member reads the apps and
uses their data through the platform with a token of their own role (the app applies its
per-table permissions, so a CLIENT sees public tables only); generating, deploying and
the deployment targets are ADMIN's.

In Automation, a CLIENT sees nothing. A MEMBER reads the organisation's workflows,
executions and integrations (never a secret) and builds, runs and activates basic workflows:
the node types of `control_plane.automation.node_types` whose permission is
WORKFLOWS_BASIC. ADMIN adds the advanced ones (HTTP requests, database queries, anything
that uses an integration) and manages integrations; a database query that writes is the
OWNER's alone.

In Insights, everyone tracks events and reads their own usage (the events and activities
they caused). A MEMBER reads the organisation's analytics, activities, dashboards and
apps' performance, and saves dashboards of their own. ADMIN adds the platform's and the
targets' system metrics and manages every dashboard of the organisation; OWNER all.
Nothing crosses organisations.

The PaaS API (seed 002) makes machines: everything in it is ADMIN's and OWNER's.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from control_plane.db import Conn
from control_plane.errors import NOT_FOUND, PERMISSION_DENIED, ApiError, ErrorKind
from control_plane.foundation.models import Role
from control_plane.foundation.queries import memberships


class Permission(StrEnum):
    ORGANIZATION_READ = "organization.read"
    ORGANIZATION_UPDATE = "organization.update"
    ORGANIZATION_DELETE = "organization.delete"
    MEMBERS_READ = "members.read"
    MEMBERS_MANAGE = "members.manage"
    OWNERS_MANAGE = "owners.manage"
    USERS_SEARCH = "users.search"
    AUDIT_READ = "audit.read"
    SUBSCRIPTION_READ = "subscription.read"
    SUBSCRIPTION_MANAGE = "subscription.manage"
    PROJECTS_READ = "projects.read"
    PROJECTS_WRITE = "projects.write"
    APPS_READ = "apps.read"
    APP_DATA = "apps.data"
    APPS_MANAGE = "apps.manage"
    APPS_DEPLOY = "apps.deploy"
    TARGETS_MANAGE = "targets.manage"
    AUTOMATION_READ = "automation.read"
    WORKFLOWS_BASIC = "workflows.basic"
    WORKFLOWS_ADVANCED = "workflows.advanced"
    INTEGRATIONS_MANAGE = "integrations.manage"
    DATABASE_WRITE = "automation.database_write"
    INSIGHTS_TRACK = "insights.track"
    INSIGHTS_OWN = "insights.own"
    INSIGHTS_READ = "insights.read"
    INSIGHTS_MANAGE = "insights.manage"
    PAAS_MANAGE = "paas.manage"


_CLIENT = frozenset(
    {
        Permission.ORGANIZATION_READ,
        Permission.PROJECTS_READ,
        Permission.APPS_READ,
        Permission.APP_DATA,
        Permission.INSIGHTS_TRACK,
        Permission.INSIGHTS_OWN,
    }
)
_MEMBER = _CLIENT | {
    Permission.MEMBERS_READ,
    Permission.SUBSCRIPTION_READ,
    Permission.PROJECTS_WRITE,
    Permission.AUTOMATION_READ,
    Permission.WORKFLOWS_BASIC,
    Permission.INSIGHTS_READ,
}
_ADMIN = _MEMBER | {
    Permission.ORGANIZATION_UPDATE,
    Permission.MEMBERS_MANAGE,
    Permission.USERS_SEARCH,
    Permission.AUDIT_READ,
    Permission.APPS_MANAGE,
    Permission.APPS_DEPLOY,
    Permission.TARGETS_MANAGE,
    Permission.WORKFLOWS_ADVANCED,
    Permission.INTEGRATIONS_MANAGE,
    Permission.INSIGHTS_MANAGE,
    Permission.PAAS_MANAGE,
}
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.CLIENT: _CLIENT,
    Role.MEMBER: _MEMBER,
    Role.ADMIN: _ADMIN,
    Role.OWNER: frozenset(Permission),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


async def authorize(
    connection: Conn, user_id: uuid.UUID, organization_id: uuid.UUID, permission: Permission
) -> Role:
    """The caller's role in the organisation, if it grants `permission`.

    Not a member: 404, exactly as for an organisation that does not exist, so that
    nobody learns what other organisations exist. A member without the right: 403.
    """
    role = await memberships.role_of(connection, organization_id, user_id)
    if role is None:
        raise ApiError(NOT_FOUND, {"organization": "No such organization."})
    if not allowed(role, permission):
        raise ApiError(PERMISSION_DENIED, {"role": f"{role} may not {permission}."})
    return role


async def authorize_object(
    connection: Conn,
    user_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    permission: Permission,
    missing: dict[str, str],
    missing_kind: ErrorKind = NOT_FOUND,
) -> Role:
    """`authorize` for an object of `organization_id` (None: there is no such object). To
    a non-member the object is missing: `missing_kind` (404) with `missing`, the body of an
    object that does not exist, so that ids cannot be probed."""
    if organization_id is None:
        raise ApiError(missing_kind, missing)
    try:
        return await authorize(connection, user_id, organization_id, permission)
    except ApiError as error:
        if error.kind is NOT_FOUND:
            raise ApiError(missing_kind, missing) from None
        raise
