"""A `Listing` is SQL of the code by construction: its parts are `psycopg.sql` objects,
and text put in their place is sent to PostgreSQL as a quoted value, never run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from starlette.requests import Request

from control_plane.pagination import Listing, PageParams, fetch_page
from tests.control_plane.conftest import Server


@dataclass(frozen=True)
class Email:
    email: str


async def _page_of(database_url: str, listing: Listing[Email]) -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "query_string": b""})
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
        await fetch_page(connection, request, PageParams(), listing, {})


def test_text_in_place_of_a_listing_part_is_a_value_not_sql(control_plane: Server) -> None:
    listing = Listing(
        row=Email,
        columns=sql.SQL("email"),
        source="FROM users",  # type: ignore[arg-type]
        order=sql.SQL("email"),
    )
    with pytest.raises(psycopg.errors.SyntaxError):  # SELECT count(*) 'FROM users'
        asyncio.run(_page_of(control_plane.database_url, listing))
