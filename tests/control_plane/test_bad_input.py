"""Bad input, endpoint by endpoint: every answer is the seed's envelope with 400
VALIDATION_ERROR naming the bad field (413 PAYLOAD_TOO_LARGE for a huge body), never a
500, and nothing is written. And what looks odd but is valid (Unicode of every kind,
text that looks like SQL) is stored and returned exactly."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.control_plane.conftest import PASSWORD, Api, User, assert_error

TABLES = (
    "users",
    "sessions",
    "one_time_tokens",
    "login_failures",
    "organizations",
    "memberships",
    "subscriptions",
    "audit_log",
)
MAX_BODY = 1_048_576


def counts(api: Api) -> dict[str, int]:
    return {table: api.query(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


@dataclass
class Setting:
    """Who calls, and on which organisation and member."""

    owner: User
    organization: str
    member: User


@pytest.fixture(scope="module")
def setting(api: Api) -> Setting:
    owner = api.new_user("careful")
    organization = api.new_organization(owner, "Inputs")
    member = api.new_user("subject")
    api.add_member(organization, owner, member, "MEMBER")
    return Setting(owner, organization, member)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {org} and {member} are filled in
    valid: dict[str, Any]  # a body that would be accepted (or fail later than validation)
    required: tuple[str, ...]
    max_lengths: dict[str, int]  # the string fields and their longest accepted length
    authenticated: bool = True
    emails: tuple[str, ...] = ()
    extra_bad: dict[str, list[Any]] = field(default_factory=dict)  # more refused values
    one_line: tuple[str, ...] = ()  # fields that refuse line breaks and control characters


def _email() -> str:
    return f"valid-{uuid.uuid4().hex[:8]}@example.com"


ENDPOINTS = {
    "register": Endpoint(
        "POST",
        "/auth/register/client/",
        {"email": "x@example.com", "password": PASSWORD, "first_name": "A", "last_name": "B"},
        required=("email", "password", "first_name"),
        max_lengths={"email": 254, "password": 128, "first_name": 150, "last_name": 150},
        authenticated=False,
        emails=("email",),
        extra_bad={"password": ["short", ""], "first_name": ["", "   "]},
        one_line=("first_name", "last_name"),
    ),
    "login": Endpoint(
        "POST",
        "/auth/login/",
        {"email": "x@example.com", "password": PASSWORD},
        required=("email", "password"),
        max_lengths={"email": 254, "password": 128},
        authenticated=False,
        emails=("email",),
        extra_bad={"password": [""]},
    ),
    "refresh": Endpoint(
        "POST",
        "/auth/refresh/",
        {"refresh": "not.a.token"},
        required=("refresh",),
        max_lengths={"refresh": 2048},
        authenticated=False,
        extra_bad={"refresh": [""]},
        one_line=("refresh",),
    ),
    "verify_email": Endpoint(
        "POST",
        "/auth/verify-email/",
        {"token": "not-a-token"},
        required=("token",),
        max_lengths={"token": 2048},
        authenticated=False,
        extra_bad={"token": [""]},
        one_line=("token",),
    ),
    "password_reset_confirm": Endpoint(
        "POST",
        "/auth/password-reset/confirm/",
        {"token": "not-a-token", "password": PASSWORD},
        required=("token", "password"),
        max_lengths={"token": 2048, "password": 128},
        authenticated=False,
        extra_bad={"password": ["short"], "token": [""]},
        one_line=("token",),
    ),
    "profile": Endpoint(
        "PUT",
        "/users/profile/",
        {"first_name": "Ada", "last_name": "Lovelace"},
        required=("first_name", "last_name"),
        max_lengths={"first_name": 150, "last_name": 150},
        extra_bad={"first_name": ["", "   "]},
        one_line=("first_name", "last_name"),
    ),
    "create_organization": Endpoint(
        "POST",
        "/organizations/",
        {"name": "New", "description": "d"},
        required=("name",),
        max_lengths={"name": 200, "description": 2000},
        extra_bad={"name": ["", "   "]},
        one_line=("name",),
    ),
    "replace_organization": Endpoint(
        "PUT",
        "/organizations/{org}/",
        {"name": "Inputs", "description": "d"},
        required=("name",),
        max_lengths={"name": 200, "description": 2000},
        extra_bad={"name": ["", "   "]},
        one_line=("name",),
    ),
    "update_organization": Endpoint(
        "PATCH",
        "/organizations/{org}/",
        {"name": "Inputs", "description": "d"},
        required=(),
        max_lengths={"name": 200, "description": 2000},
        extra_bad={"name": ["", "   "]},
        one_line=("name",),
    ),
    "invite": Endpoint(
        "POST",
        "/organizations/{org}/invitations/",
        {"email": "x@example.com", "role": "MEMBER"},
        required=("email",),
        max_lengths={"email": 254},
        emails=("email",),
        extra_bad={"role": ["SUPERUSER", "owner", ""]},
    ),
    "change_role": Endpoint(
        "PATCH",
        "/organizations/{org}/members/{member}/",
        {"role": "MEMBER"},
        required=("role",),
        max_lengths={},
        extra_bad={"role": ["SUPERUSER", "member", "", "MEMBER\x00"]},
    ),
    "change_plan": Endpoint(
        "PUT",
        "/organizations/{org}/subscription/",
        {"plan": "free"},
        required=("plan",),
        max_lengths={"plan": 50},
        extra_bad={"plan": ["", "gold", "FREE"]},
        one_line=("plan",),
    ),
}

JSON = {"Content-Type": "application/json"}
# A header injection, carriage return, tab, escape, DEL, C1 next-line, Unicode separators.
NOT_ONE_LINE = [
    "Acme\nBcc: evil@example.com",
    "a\rb",
    "a\tb",
    "a\x1bb",
    "a\x7f",
    "a\x85b",
    "a\u2028b",
]


@dataclass
class Bad:
    label: str
    content: bytes
    field: str  # the key `details` must have
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def bad_requests(endpoint: Endpoint) -> Iterator[Bad]:
    valid = endpoint.valid
    whole = "body"
    yield Bad("invalid JSON", b'{"' + next(iter(valid)).encode() + b'": ', whole)
    yield Bad("trailing garbage", _body(valid) + b"}", whole)
    yield Bad("empty body", b"", whole)
    yield Bad("JSON null", b"null", whole)
    for label, value in [("list", [valid]), ("empty list", []), ("string", "x"), ("number", 4)]:
        yield Bad(f"non-object body ({label})", _body(value), whole)
    yield Bad("not UTF-8", _body(valid).replace(b"}", b', "x": "\xff\xfe"}'), whole)
    yield Bad("nested too deep", b"[" * 100_000 + b"]" * 100_000, whole)
    yield Bad("JSON sent as text", _body(valid), whole, {"Content-Type": "text/plain"})
    for name in endpoint.required:
        yield Bad(f"missing {name}", _body({k: v for k, v in valid.items() if k != name}), name)
    yield Bad("unknown field", _body({**valid, "is_superuser": True}), "is_superuser")
    for name in valid:
        for label, value in [
            ("null", None),
            ("number", 12345),
            ("boolean", True),
            ("list", [valid[name]]),
            ("object", {"value": valid[name]}),
        ]:
            yield Bad(f"{name} as {label}", _body({**valid, name: value}), name)
    for name, longest in endpoint.max_lengths.items():
        overlong = "a" * (longest + 1)
        if name in endpoint.emails:
            overlong = "a" * (longest - len("@example.com") + 1) + "@example.com"
        yield Bad(f"{name} too long", _body({**valid, name: overlong}), name)
        nul = f"{valid[name][:2]}\x00{valid[name][2:]}"
        yield Bad(f"{name} with a NUL", _body({**valid, name: nul}), name)
        yield Bad(f"{name} with a lone surrogate", _body({**valid, name: "a\ud800b"}), name)
    for name in endpoint.emails:
        for email in ("not-an-email", "a@", "@example.com", "a b@example.com", "a@@example.com"):
            yield Bad(f"{name} {email!r}", _body({**valid, name: email}), name)
    for name, values in endpoint.extra_bad.items():
        for value in values:
            yield Bad(f"{name} {value!r}", _body({**valid, name: value}), name)
    for name in endpoint.one_line:
        for value in NOT_ONE_LINE:
            yield Bad(f"{name} {value!r}", _body({**valid, name: value}), name)


def _path(endpoint: Endpoint, setting: Setting) -> str:
    return endpoint.path.format(org=setting.organization, member=setting.member.id)


def _headers(endpoint: Endpoint, setting: Setting) -> dict[str, str]:
    return setting.owner.headers if endpoint.authenticated else {}


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_bad_bodies_are_refused_with_the_field_named(api: Api, setting: Setting, name: str) -> None:
    endpoint = ENDPOINTS[name]
    path, headers = _path(endpoint, setting), _headers(endpoint, setting)
    before = counts(api)
    wrong = []
    for bad in bad_requests(endpoint):
        response = api.http.request(
            endpoint.method, path, headers={**headers, **bad.headers}, content=bad.content
        )
        try:
            details = assert_error(response, 400, "VALIDATION_ERROR")
            assert bad.field in details, details
        except (AssertionError, ValueError) as problem:
            wrong.append(f"{bad.label}: {response.status_code} {problem}")
    assert not wrong, "\n".join(wrong)
    assert counts(api) == before


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_bodies_over_one_mebibyte_are_refused(api: Api, setting: Setting, name: str) -> None:
    endpoint = ENDPOINTS[name]
    path, headers = _path(endpoint, setting), {**_headers(endpoint, setting), **JSON}
    field_name = next(iter(endpoint.valid))
    huge = _body({**endpoint.valid, field_name: "a" * MAX_BODY})
    before = counts(api)
    declared = api.http.request(endpoint.method, path, headers=headers, content=huge)
    assert_error(declared, 413, "PAYLOAD_TOO_LARGE")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bound holds while reading
        for start in range(0, len(huge), 65_536):
            yield huge[start : start + 65_536]

    streamed = api.http.request(endpoint.method, path, headers=headers, content=chunks())
    assert_error(streamed, 413, "PAYLOAD_TOO_LARGE")
    assert counts(api) == before
    # Exactly at the bound, the body is read (and then refused for what it says).
    at_bound = _body({**endpoint.valid, field_name: ""})
    at_bound = at_bound.replace(b'""', b'"' + b"a" * (MAX_BODY - len(at_bound)) + b'"', 1)
    assert len(at_bound) == MAX_BODY
    response = api.http.request(endpoint.method, path, headers=headers, content=at_bound)
    assert field_name in assert_error(response, 400, "VALIDATION_ERROR")
    assert counts(api) == before


def _organization_paths(org: str, member: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/organizations/{org}/", None),
        ("PUT", f"/organizations/{org}/", {"name": "n"}),
        ("PATCH", f"/organizations/{org}/", {"name": "n"}),
        ("DELETE", f"/organizations/{org}/", None),
        ("GET", f"/organizations/{org}/members/", None),
        ("PATCH", f"/organizations/{org}/members/{member}/", {"role": "MEMBER"}),
        ("DELETE", f"/organizations/{org}/members/{member}/", None),
        ("GET", f"/organizations/{org}/invitations/", None),
        ("POST", f"/organizations/{org}/invitations/", {"email": "x@example.com"}),
        ("DELETE", f"/organizations/{org}/invitations/{member}/", None),
        ("GET", f"/organizations/{org}/subscription/", None),
        ("PUT", f"/organizations/{org}/subscription/", {"plan": "free"}),
        ("GET", f"/organizations/{org}/audit-log/", None),
    ]


BAD_UUIDS = ("not-a-uuid", "1234", "00000000-0000-0000-0000-00000000000g", "%00", "'%20OR%201=1")


def test_invalid_ids_in_the_path(api: Api, setting: Setting) -> None:
    before = counts(api)
    wrong = []
    for bad in BAD_UUIDS:
        member = setting.member.id
        attempts = [(call, "organization_id") for call in _organization_paths(bad, member)]
        attempts += [
            (call, "user_id")
            for call in _organization_paths(setting.organization, bad)
            if "/members/" in call[1] and not call[1].endswith("/members/")
        ]
        attempts += [
            (call, "invitation_id")
            for call in _organization_paths(setting.organization, bad)
            if "/invitations/" in call[1] and not call[1].endswith("/invitations/")
        ]
        for (method, path, body), name in attempts:
            response = api.http.request(method, path, headers=setting.owner.headers, json=body)
            try:
                assert name in assert_error(response, 400, "VALIDATION_ERROR")
            except (AssertionError, ValueError) as problem:
                wrong.append(f"{method} {path}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert counts(api) == before


def _lists(setting: Setting) -> list[tuple[str, dict[str, str]]]:
    org = setting.organization
    return [
        ("/organizations/", {}),
        ("/subscriptions/", {}),
        (f"/organizations/{org}/members/", {}),
        (f"/organizations/{org}/invitations/", {}),
        (f"/organizations/{org}/audit-log/", {}),
        ("/users/", {"organization": org}),
    ]


def test_bad_query_parameters(api: Api, setting: Setting) -> None:
    wrong = []
    attempts: list[tuple[str, dict[str, str], str]] = []
    for path, params in _lists(setting):
        for value in ("0", "101", "abc", "-1", "1.5", "", "\x00"):
            attempts.append((path, {**params, "page_size": value}, "page_size"))
        for value in ("0", "abc", "-3", "99999999999999999999"):
            attempts.append((path, {**params, "page": value}, "page"))
    org = setting.organization
    audit = f"/organizations/{org}/audit-log/"
    attempts += [
        ("/users/", {}, "organization"),
        ("/users/", {"organization": "nope"}, "organization"),
        ("/users/", {"organization": org, "search": "a" * 201}, "search"),
        ("/users/", {"organization": org, "search": "a\x00b"}, "search"),
        (audit, {"actor": "nope"}, "actor"),
        (audit, {"since": "yesterday"}, "since"),
        (audit, {"until": "2024-13-45"}, "until"),
        (audit, {"action": "a" * 201}, "action"),
        (audit, {"action": "a\x00b"}, "action"),
        (audit, {"object_type": "a\x00b"}, "object_type"),
        (audit, {"object_id": "a\x00b"}, "object_id"),
    ]
    before = counts(api)
    for path, params, name in attempts:
        response = api.http.get(path, headers=setting.owner.headers, params=params)
        try:
            assert name in assert_error(response, 400, "VALIDATION_ERROR")
        except (AssertionError, ValueError) as problem:
            wrong.append(f"{path} {params}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert counts(api) == before
    # The bounds themselves are fine.
    for path, params in _lists(setting):
        for size in ("1", "100"):
            response = api.http.get(
                path, headers=setting.owner.headers, params={**params, "page_size": size}
            )
            assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/foundation/nowhere/",
        "/api/v1/foundation/organizations/{org}/nowhere/",
        "/api/v1/foundation/auth/",
        "/api/v2/foundation/organizations/",
        "/nowhere",
        "/api/v1/foundation/organizations/{org}/members/{member}/extra/",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_routes(api: Api, setting: Setting, path: str, method: str) -> None:
    url = api.server.base_url + path.format(org=setting.organization, member=setting.member.id)
    response = api.http.request(method, url, headers=setting.owner.headers, json={})
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/auth/login/"),
        ("DELETE", "/auth/login/"),
        ("GET", "/auth/register/client/"),
        ("PUT", "/auth/refresh/"),
        ("POST", "/users/profile/"),
        ("DELETE", "/users/profile/"),
        ("PUT", "/organizations/"),
        ("DELETE", "/organizations/"),
        ("POST", "/organizations/{org}/"),
        ("PUT", "/organizations/{org}/members/"),
        ("GET", "/organizations/{org}/members/{member}/"),
        ("POST", "/organizations/{org}/subscription/"),
        ("DELETE", "/organizations/{org}/audit-log/"),
        ("GET", "/invitations/accept/"),
    ],
)
def test_wrong_methods(api: Api, setting: Setting, method: str, path: str) -> None:
    before = counts(api)
    url = path.format(org=setting.organization, member=setting.member.id)
    response = api.http.request(method, url, headers=setting.owner.headers, json={"name": "x"})
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert counts(api) == before


ODD_BUT_VALID = [
    "🦄 Licornes & Cie 👩🏽‍💻🇫🇷",
    "שלום עולם مرحبا بالعالم",
    "\u202eRTL override\u202c and \u200fmarks\u200f",
    "e\u0301 n\u0303 a\u030a\u0323 Z̵̧̛a̸͎͝l̶̨̛g̷͙̕o̴̡͠",
    "'; DROP TABLE users; --",
    "Robert'); DROP TABLE organizations; --",
    "x' OR '1'='1",
    "%_\\ 100% _sure_ \\\\",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱 ﷽",
    "é" * 200,
]


def _tables_exist(api: Api) -> None:
    for table in TABLES:
        assert api.query("SELECT to_regclass(%s) IS NOT NULL", f"public.{table}") == [(True,)]


def test_odd_but_valid_text_is_kept_exactly(api: Api, setting: Setting) -> None:
    owner = setting.owner
    for text in ODD_BUT_VALID:
        description = f"{text}\n{text}"
        created = api.http.post(
            "/organizations/",
            headers=owner.headers,
            json={"name": text, "description": description},
        )
        assert created.status_code == 201, created.text
        org = created.json()["id"]
        assert (created.json()["name"], created.json()["description"]) == (text, description)
        read = api.http.get(f"/organizations/{org}/", headers=owner.headers).json()
        assert (read["name"], read["description"]) == (text, description)
        stored = api.query(
            "SELECT name, description FROM organizations WHERE id = %s", uuid.UUID(org)
        )
        assert stored == [(text, description)]
        patched = api.http.patch(
            f"/organizations/{org}/", headers=owner.headers, json={"description": text[::-1]}
        )
        assert patched.status_code == 200, patched.text
        assert (patched.json()["name"], patched.json()["description"]) == (text, text[::-1])
    listed = api.http.get("/organizations/", headers=owner.headers, params={"page_size": 100})
    names = [item["name"] for item in listed.json()["results"]]
    assert all(text in names for text in ODD_BUT_VALID)
    _tables_exist(api)


def test_odd_but_valid_names_of_people(api: Api) -> None:
    first, last = "Robert'); DROP TABLE users; --", "'; DELETE FROM memberships; --"
    email = f"bobby-{uuid.uuid4().hex[:8]}@example.com"
    registered = api.http.post(
        "/auth/register/client/",
        json={"email": email, "password": PASSWORD, "first_name": first, "last_name": last},
    )
    assert registered.status_code == 201, registered.text
    user = api.login(email)
    profile = api.http.get("/users/profile/", headers=user.headers).json()
    assert (profile["first_name"], profile["last_name"]) == (first, last)
    stored = api.query("SELECT first_name, last_name FROM users WHERE id = %s", uuid.UUID(user.id))
    assert stored == [(first, last)]

    organization = api.new_organization(user, "'; TRUNCATE audit_log; --")
    for text in ODD_BUT_VALID:
        cut = text[:150]
        updated = api.http.put(
            "/users/profile/", headers=user.headers, json={"first_name": cut, "last_name": cut}
        )
        assert updated.status_code == 200, updated.text
        assert (updated.json()["first_name"], updated.json()["last_name"]) == (cut, cut)
        found = api.http.get(
            "/users/", headers=user.headers, params={"organization": organization, "search": cut}
        ).json()
        assert [m["user_id"] for m in found["results"]] == [user.id], (cut, found)
        assert found["results"][0]["first_name"] == cut
    # The search takes % and _ literally, and SQL-looking text is only text.
    for search in ("%", "_", "' OR '1'='1", "'; DROP TABLE users; --"):
        found = api.http.get(
            "/users/", headers=user.headers, params={"organization": organization, "search": search}
        )
        assert found.status_code == 200, found.text
        assert found.json()["count"] == 0
    _tables_exist(api)
    assert (
        api.query("SELECT count(*) FROM audit_log WHERE actor_id = %s", uuid.UUID(user.id))[0][0]
        > 0
    )
