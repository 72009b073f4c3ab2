"""The Git repository of each app (`paths.repository_dir`): served read-only over Git's
smart HTTP protocol, and removed with its app.

The protocol is dulwich's (`dulwich.web`, a WSGI application), run in a thread pool by
`a2wsgi` so that a clone never blocks the event loop. Only `git-upload-pack` (fetch and
clone) is enabled: `git-receive-pack` (push) and `git-upload-archive` answer 403.
Authentication and permissions are decided before a request gets here (see
`api/routes/repository.py`); the repository is chosen by the app id the route checked.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from functools import cache
from pathlib import Path
from typing import cast

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi_typing import WSGIApp
from dulwich.errors import NotGitRepository
from dulwich.repo import Repo
from dulwich.server import Backend, BackendRepo, UploadPackHandler
from dulwich.web import HTTPGitApplication, LimitedInputFilter
from starlette.types import ASGIApp

from control_plane.runtime import paths

# Upload-pack requests list the commits the client has and wants: small.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


def repository_url(public_url: str, app_id: uuid.UUID) -> str:
    return f"{public_url.rstrip('/')}/api/v1/runtime/apps/{app_id}/repository.git"


class _AppRepositories(Backend):
    """Opens `/<app id>` as that app's repository, and nothing else."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def open_repository(self, path: str | bytes) -> BackendRepo:
        name = path.decode("utf-8", "replace") if isinstance(path, bytes) else path
        try:
            app_id = uuid.UUID(name.strip("/"))
        except ValueError:
            raise NotGitRepository(path) from None
        repository: BackendRepo = Repo(str(paths.repository_dir(self.data_dir, app_id)))
        return repository


@cache
def git_server(data_dir: Path) -> ASGIApp:
    """The ASGI application serving every app's repository at `/<app id>/...`, read-only."""
    application = HTTPGitApplication(_AppRepositories(data_dir))
    application.handlers = {b"git-upload-pack": UploadPackHandler}
    # dulwich's WSGI types and a2wsgi's describe the same protocol, in two spellings.
    limited = cast(WSGIApp, LimitedInputFilter(application, MAX_REQUEST_BYTES))
    return cast(ASGIApp, WSGIMiddleware(limited, workers=4))


async def remove(data_dir: Path, app_id: uuid.UUID) -> None:
    """The app's folder (its repository), if it has one."""
    folder = paths.app_folder(data_dir, app_id)
    await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
