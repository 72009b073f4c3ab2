"""Requests described as data (`_call.Call`): what a page's `next` link becomes, and how
values reach the query string and the body."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx

from nocode_client._call import Call, nothing, path


def test_a_next_link_is_followed_on_our_own_base_url() -> None:
    first = Call("GET", "/api/v1/studio/projects/", nothing, {"page_size": 2})
    link = "http://10.0.0.7:8080/nocode/api/v1/studio/projects/?page_size=2&page=2&q=%2B"
    proxied = httpx.Client(base_url="https://example.com/nocode")
    following = first.following(link, proxied.base_url)
    request = proxied.build_request(following.method, following.path, params=None)
    assert (
        str(request.url)
        == "https://example.com/nocode/api/v1/studio/projects/?page_size=2&page=2&q=%2B"
    )
    direct = httpx.URL("http://127.0.0.1:8080")
    assert (
        first.following(link, direct).path
        == "/nocode/api/v1/studio/projects/?page_size=2&page=2&q=%2B"
    )


def test_values_become_query_text_and_json() -> None:
    identifier = uuid.uuid4()
    when = datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)
    call = Call(
        "POST",
        path("/projects/{}/tables/{}/", identifier, "a/b"),
        nothing,
        {"since": when, "event": ["a", "b"], "flag": True, "skipped": None},
        {"project": identifier, "price": Decimal("9.50"), "at": when},
    )
    assert call.path == f"/projects/{identifier}/tables/a%2Fb/"
    assert call.query() == {"since": "2026-12-06T01:02:03+00:00", "event": ["a", "b"], "flag": True}
    assert call.json() == {
        "project": str(identifier),
        "price": "9.50",
        "at": "2026-12-06T01:02:03Z",
    }
