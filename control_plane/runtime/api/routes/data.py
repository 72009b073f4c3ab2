"""A project's data on the platform's base URL (seed 000, "CRUD Dynamique" and
"Métadonnées Frontend"): the paths a generated app serves, forwarded to the project's
deployed app, in `production` unless `?environment=` names another.

Handlers are the same relay: the path, query string (without `environment`), body and
descriptive headers go to the app as they came; its answer comes back as it is.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Query, Request, Response

from control_plane.config import vault_of
from control_plane.foundation.api.deps import AppSettings, Credentials, get_caller
from control_plane.logs import request_id
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.services import forwarding
from control_plane.runtime.services.forwarding import REQUEST_HEADERS, Links, Outgoing, Upstream

router = APIRouter(prefix="/projects/{project_id}", tags=["data"])

ChosenEnvironment = Annotated[
    Environment | None,
    Query(description="Where the app serving the data is deployed (default: production)"),
]


async def get_app_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.app_client
    return client


async def get_upstream(
    request: Request,
    project_id: uuid.UUID,
    settings: AppSettings,
    credentials: Credentials,
    environment: ChosenEnvironment = None,
) -> Upstream:
    """The caller, their right to the project's data, and its app: checked on a
    connection of their own, given back before the app is asked, so that a slow app
    holds no database connection."""
    async with request.app.state.pool.connection() as connection:
        caller = await get_caller(settings, connection, credentials)
        vault = vault_of(settings)
        chosen = environment or Environment.PRODUCTION
        return await forwarding.upstream_of(connection, vault, caller.id, project_id, chosen)


AppClient = Annotated[httpx.AsyncClient, Depends(get_app_client)]
App = Annotated[Upstream, Depends(get_upstream)]

_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown project (NOT_FOUND), or none deployed (APP_NOT_DEPLOYED)"},
    502: {"description": "The app's answer could not be used (APP_BAD_RESPONSE)"},
    503: {"description": "The app cannot be reached (APP_UNAVAILABLE)"},
    504: {"description": "The app did not answer in time (APP_TIMEOUT)"},
}


async def _relay(
    request: Request, app: Upstream, client: httpx.AsyncClient, page: bool = False
) -> Response:
    headers = {name: request.headers[name] for name in REQUEST_HEADERS if name in request.headers}
    query = forwarding.without_environment(request.url.query)
    outgoing = Outgoing(request.method, request.url.path, query, headers, await request.body())
    links = None
    if page:
        base = str(request.base_url).rstrip("/")
        links = Links(base, request.query_params.get(forwarding.ENVIRONMENT_PARAMETER))
    return await forwarding.forward(client, app, outgoing, request_id.get(), links)


@router.get("/schema/", responses=_ANSWERS)
async def project_schema(request: Request, app: App, client: AppClient) -> Response:
    """Every table the caller's role may read, with its fields (the app's answer)."""
    return await _relay(request, app, client)


@router.get("/schema/{table}/", responses=_ANSWERS)
async def table_schema(table: str, request: Request, app: App, client: AppClient) -> Response:
    """One table: fields, indexes, relationships, the caller's permissions."""
    return await _relay(request, app, client)


@router.get("/tables/{table}/", responses=_ANSWERS)
async def list_records(table: str, request: Request, app: App, client: AppClient) -> Response:
    """A page of records; `next` and `previous` link to the platform."""
    return await _relay(request, app, client, page=True)


@router.post("/tables/{table}/", status_code=201, responses=_ANSWERS, openapi_extra=_JSON_BODY)
async def create_record(table: str, request: Request, app: App, client: AppClient) -> Response:
    return await _relay(request, app, client)


@router.get("/tables/{table}/schema/", responses=_ANSWERS)
async def form_schema(table: str, request: Request, app: App, client: AppClient) -> Response:
    """The table's form configuration."""
    return await _relay(request, app, client)


@router.get("/tables/{table}/fields/", responses=_ANSWERS)
async def list_fields(table: str, request: Request, app: App, client: AppClient) -> Response:
    """The table's fields with their list metadata."""
    return await _relay(request, app, client)


@router.get("/tables/{table}/{record_id}/", responses=_ANSWERS)
async def get_record(
    table: str, record_id: str, request: Request, app: App, client: AppClient
) -> Response:
    return await _relay(request, app, client)


@router.put("/tables/{table}/{record_id}/", responses=_ANSWERS, openapi_extra=_JSON_BODY)
async def replace_record(
    table: str, record_id: str, request: Request, app: App, client: AppClient
) -> Response:
    return await _relay(request, app, client)


@router.patch("/tables/{table}/{record_id}/", responses=_ANSWERS, openapi_extra=_JSON_BODY)
async def update_record(
    table: str, record_id: str, request: Request, app: App, client: AppClient
) -> Response:
    return await _relay(request, app, client)


@router.delete("/tables/{table}/{record_id}/", status_code=204, responses=_ANSWERS)
async def delete_record(
    table: str, record_id: str, request: Request, app: App, client: AppClient
) -> Response:
    return await _relay(request, app, client)
