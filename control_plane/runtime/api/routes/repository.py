"""`/apps/{id}/repository.git/`: the app's Git repository, read-only, over Git's smart
HTTP protocol (`git clone`, `git fetch`), served by dulwich (services/repositories.py).

Git sends HTTP Basic credentials: the password is the caller's platform access token
(the user name is not read), and the caller needs APPS_READ in the app's organisation.
Without them, 401 with `WWW-Authenticate: Basic`, which makes git ask for them.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.types import Receive, Scope, Send

from control_plane.errors import NOT_AUTHENTICATED, ApiError
from control_plane.foundation.api.deps import AppSettings, Connection
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.foundation.queries import sessions
from control_plane.foundation.queries.sessions import SessionUser
from control_plane.runtime.queries import apps as queries
from control_plane.runtime.services import apps, repositories
from control_plane.security.tokens import decode

router = APIRouter(prefix="/apps", tags=["repository"])

_basic = HTTPBasic(auto_error=False, description="Password: a platform `access` token")
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="nocode", charset="UTF-8"'}


async def git_caller(
    settings: AppSettings,
    connection: Connection,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> SessionUser:
    secret = settings.jwt_secret.get_secret_value()
    claims = decode(secret, "access", credentials.password) if credentials else None
    caller = (
        await sessions.user_of_session(connection, claims.session_id, claims.user_id)
        if claims
        else None
    )
    if caller is None:
        raise ApiError(NOT_AUTHENTICATED, headers=_CHALLENGE)
    return caller


GitCaller = Annotated[SessionUser, Depends(git_caller)]


class GitExchange(Response):
    """The response: the request handed to the Git server as `/<app id>/<rest>`, which
    reads the request's body and answers it."""

    def __init__(self, data_dir: Path, app_id: uuid.UUID, rest: str) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.path = f"/{app_id}/{rest}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        inner = {**scope, "path": self.path, "raw_path": self.path.encode(), "root_path": ""}
        await repositories.git_server(self.data_dir)(inner, receive, send)


@router.api_route(
    "/{app_id}/repository.git/{rest:path}", methods=["GET", "POST"], include_in_schema=False
)
async def git_repository(
    app_id: uuid.UUID, rest: str, caller: GitCaller, connection: Connection, settings: AppSettings
) -> GitExchange:
    organization = await queries.organization_of(connection, app_id)
    await authorize_object(connection, caller.id, organization, Permission.APPS_READ, apps.NO_APP)
    return GitExchange(settings.data_dir, app_id, rest)
