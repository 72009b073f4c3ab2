"""Every error the platform answers is raised as the exception of its status, carrying the
envelope's code and details; lists are pages, and iterators that follow `next`."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from client_fixtures import Account

from nocode_client import (
    AsyncNoCodeClient,
    BadRequest,
    Conflict,
    Forbidden,
    NoCodeClient,
    NoCodeError,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from tests.control_plane.conftest import PASSWORD, Api

PRODUCTS = {
    "name": "products",
    "display_name": "Products",
    "fields": {"name": {"display_name": "Name", "field_type": "TEXT_SHORT"}},
}


def test_each_error_status_is_its_exception_with_the_envelope(
    platform: Api, account: Account, client: NoCodeClient
) -> None:
    with pytest.raises(NotFound) as missing:
        client.get_project(uuid.uuid4())
    assert (missing.value.status, missing.value.code) == (404, "NOT_FOUND")

    with pytest.raises(BadRequest) as invalid:
        client.create_project({"organization_id": account.organization})
    assert invalid.value.code == "VALIDATION_ERROR" and "name" in invalid.value.details

    project = client.create_project({"name": "Errors", "organization_id": account.organization})
    client.add_table(project.id, PRODUCTS)
    client.publish(project.id)
    with pytest.raises(Conflict) as unchanged:
        client.publish(project.id)
    assert unchanged.value.code == "NOTHING_TO_PUBLISH"

    with pytest.raises(NotFound) as undeployed:
        client.get_table_data(project.id, "products")
    assert undeployed.value.code == "APP_NOT_DEPLOYED"
    assert "production" in undeployed.value.details["environment"]

    reader = platform.new_user("client")
    platform.add_member(account.organization, account.user, reader, "CLIENT")
    with NoCodeClient(platform.server.base_url) as as_client:
        with pytest.raises(NotAuthenticated):
            as_client.profile()
        as_client.login(reader.email, PASSWORD)
        with pytest.raises(Forbidden) as refused:
            as_client.create_project({"name": "No", "organization_id": account.organization})
        assert refused.value.status == 403 and isinstance(refused.value, NoCodeError)


def test_too_many_failed_logins_is_rate_limited_with_retry_after(platform: Api) -> None:
    user = platform.new_user("locked")
    with NoCodeClient(platform.server.base_url) as client, pytest.raises(RateLimited) as limited:
        for _ in range(3):
            with pytest.raises(NotAuthenticated):
                client.login(user.email, "not the password")
    assert limited.value.code == "TOO_MANY_ATTEMPTS"
    assert limited.value.retry_after is not None and limited.value.retry_after > 0


def test_lists_are_pages_and_iterators_follow_next(
    platform: Api, account: Account, client: NoCodeClient
) -> None:
    organization = client.create_organization({"name": "Paged"}).id
    made = [  # the free plan's 3
        client.create_project({"name": f"P{n}", "organization_id": organization}).id
        for n in range(3)
    ]
    first = client.list_projects(organization=organization, page_size=1)
    assert first.count == 3 and len(first.results) == 1 and first.next is not None
    newest_first = made[::-1]
    assert [project.id for project in first.results] == newest_first[:1]
    every = client.iter_projects(organization=organization, page_size=1)
    assert [project.id for project in every] == newest_first

    async def iterated() -> list[uuid.UUID]:
        async with AsyncNoCodeClient(platform.server.base_url, tokens=client.tokens) as aio:
            pages = aio.iter_projects(organization=organization, page_size=1)
            return [project.id async for project in pages]

    assert asyncio.run(iterated()) == newest_first
    assert [o.id for o in client.iter_organizations(page_size=1)].count(organization) == 1
