"""The `http_request` executor against a real HTTP server on loopback, and the outbound
policy: loopback only when the settings allow it, private, link-local and metadata
addresses never, redirects checked before they are followed."""

from __future__ import annotations

import ipaddress

import pytest

from control_plane.automation.engine.nodes import NodeFailed
from control_plane.automation.node_types import NodeType
from control_plane.automation.outbound import refusal
from tests.control_plane.automation.conftest import Place, Web, run_node
from tests.control_plane.conftest import Api

HTTP = NodeType.HTTP_REQUEST


def test_a_request_with_headers_query_and_json(api: Api, place: Place, web: Web) -> None:
    output = run_node(
        api,
        place,
        HTTP,
        {
            "method": "POST",
            "url": web.url("/orders"),
            "headers": {"X-Token": "{{input_data.token}}"},
            "query": {"page": 2},
            "json": {"amount": "{{input_data.amount}}"},
        },
        input_data={"token": "abc", "amount": 150},
    )
    assert output["status"] == 200
    assert output["body"] == {"method": "POST", "path": "/orders?page=2", "body": '{"amount": 150}'}
    [received] = web.received
    assert received.headers["x-token"] == "abc"
    assert received.headers["host"] == web.base.removeprefix("http://")


def test_retries_after_5xx_then_fails_on_error_status(api: Api, place: Place, web: Web) -> None:
    web.failures_left = 2
    output = run_node(api, place, HTTP, {"url": web.url("/flaky"), "retries": 2})
    assert output["status"] == 200 and len(web.received) == 3
    web.failures_left = 5
    with pytest.raises(NodeFailed, match="answered 503") as failed:
        run_node(api, place, HTTP, {"url": web.url("/flaky"), "retries": 1})
    assert failed.value.code == "HTTP_ERROR"
    with pytest.raises(NodeFailed, match="answered 404"):
        run_node(api, place, HTTP, {"url": web.url("/missing")})
    kept = run_node(api, place, HTTP, {"url": web.url("/missing"), "fail_on_error_status": False})
    assert kept["status"] == 404 and kept["body"] == {"error": "no"}


def test_answers_over_the_cap_fail(api: Api, place: Place, web: Web) -> None:
    with pytest.raises(NodeFailed) as failed:
        run_node(api, place, HTTP, {"url": web.url("/big"), "max_response_bytes": 100_000})
    assert failed.value.code == "RESPONSE_TOO_LARGE"


def test_a_dry_run_of_a_post_sends_nothing(api: Api, place: Place, web: Web) -> None:
    output = run_node(api, place, HTTP, {"method": "POST", "url": web.url("/x")}, dry_run=True)
    assert output["dry_run"]["method"] == "POST"
    assert web.received == []


def test_redirects_are_followed_and_checked(api: Api, place: Place, web: Web) -> None:
    output = run_node(api, place, HTTP, {"url": web.url(f"/redirect?to={web.url('/landed')}")})
    assert output["body"]["path"] == "/landed"
    assert output["url"] == web.url("/landed")
    for private in ("http://10.0.0.7/", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(NodeFailed, match="outbound policy") as failed:
            run_node(api, place, HTTP, {"url": web.url(f"/redirect?to={private}")})
        assert failed.value.code == "OUTBOUND_REFUSED"
    assert [r.path.partition("?")[0] for r in web.received] == [
        "/redirect",
        "/landed",
        "/redirect",
        "/redirect",
    ]


def test_loopback_only_when_allowed(api: Api, place: Place, web: Web) -> None:
    for url in (web.url("/"), web.url("/").replace("127.0.0.1", "localhost")):
        with pytest.raises(NodeFailed, match="loopback"):
            run_node(api, place, HTTP, {"url": url}, loopback=False)
    port = web.base.rpartition(":")[2]
    with pytest.raises(NodeFailed, match="loopback"):
        run_node(api, place, HTTP, {"url": f"http://[::ffff:127.0.0.1]:{port}/"}, loopback=False)
    assert web.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "file:///etc/passwd",
    ],
)
def test_private_and_special_addresses_are_refused(api: Api, place: Place, url: str) -> None:
    with pytest.raises(NodeFailed, match="outbound policy"):
        run_node(api, place, HTTP, {"url": url})


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a00:1", "2002:a00:1::", "ff02::1", "::1", "::", "192.0.2.1", "198.18.0.1"],
)
def test_embedded_and_reserved_addresses(address: str) -> None:
    assert refusal(ipaddress.ip_address(address), allow_loopback=False)


def test_public_addresses_pass() -> None:
    for address in ("8.8.8.8", "2606:4700:4700::1111", "1.1.1.1"):
        assert refusal(ipaddress.ip_address(address), allow_loopback=False) is None


def test_urls_that_are_not_urls(api: Api, place: Place, web: Web) -> None:
    for url in ("http://[::1", "http://exa mple.com/", "not a url", "http:///path"):
        with pytest.raises(NodeFailed) as failed:
            run_node(api, place, HTTP, {"url": url})
        assert failed.value.code == "OUTBOUND_REFUSED"
    with pytest.raises(NodeFailed):  # a broken redirect fails the node, not the executor
        run_node(api, place, HTTP, {"url": web.url("/redirect?to=http://[::1")})
