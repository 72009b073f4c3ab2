"""Register -> verify -> login -> refresh -> logout, and password reset, over real HTTP
with the links read from a real SMTP server."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.conftest import fresh_database
from tests.control_plane.conftest import PASSWORD, Api, Inbox, assert_error, serve


def _email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def test_register_verify_login_refresh_logout(api: Api, inbox: Inbox) -> None:
    email = _email("ada")
    registered = api.http.post(
        "/auth/register/client/",
        json={"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "L"},
    )
    assert registered.status_code == 201
    assert "password" not in registered.text

    token = inbox.token(email, "Confirm your email address")
    verified = api.http.post("/auth/verify-email/", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified"] is True
    assert_error(api.http.post("/auth/verify-email/", json={"token": token}), 400, "INVALID_TOKEN")

    user = api.login(email)
    assert user.tokens["token_type"] == "Bearer"
    assert user.tokens["user"]["email"] == email
    profile = api.http.get("/users/profile/", headers=user.headers)
    assert profile.json()["first_name"] == "Ada"

    first_refresh = user.tokens["refresh"]
    rotated = api.http.post("/auth/refresh/", json={"refresh": first_refresh})
    assert rotated.status_code == 200, rotated.text
    pair = rotated.json()
    assert pair["refresh"] != first_refresh
    new_headers = {"Authorization": f"Bearer {pair['access']}"}
    assert api.http.get("/users/profile/", headers=new_headers).status_code == 200

    logout = api.http.post("/auth/logout/", headers=new_headers)
    assert logout.status_code == 204
    assert_error(api.http.get("/users/profile/", headers=new_headers), 401, "NOT_AUTHENTICATED")
    assert_error(api.http.get("/users/profile/", headers=user.headers), 401, "NOT_AUTHENTICATED")
    refused = api.http.post("/auth/refresh/", json={"refresh": pair["refresh"]})
    assert_error(refused, 401, "NOT_AUTHENTICATED")


def test_a_reused_refresh_token_revokes_its_session(api: Api) -> None:
    user = api.new_user("reuse")
    stolen = user.tokens["refresh"]
    legitimate = api.http.post("/auth/refresh/", json={"refresh": stolen}).json()
    assert_error(
        api.http.post("/auth/refresh/", json={"refresh": stolen}), 401, "NOT_AUTHENTICATED"
    )
    # The whole session is over: the pair handed out by the first rotation is dead too.
    assert_error(
        api.http.post("/auth/refresh/", json={"refresh": legitimate["refresh"]}),
        401,
        "NOT_AUTHENTICATED",
    )
    headers = {"Authorization": f"Bearer {legitimate['access']}"}
    assert_error(api.http.get("/users/profile/", headers=headers), 401, "NOT_AUTHENTICATED")
    # Another session of the same user is untouched.
    assert api.http.get("/users/profile/", headers=api.login(user.email).headers).status_code == 200


def test_tokens_are_not_interchangeable(api: Api) -> None:
    user = api.new_user("kinds")
    as_access = {"Authorization": f"Bearer {user.tokens['refresh']}"}
    assert_error(api.http.get("/users/profile/", headers=as_access), 401, "NOT_AUTHENTICATED")
    refused = api.http.post("/auth/refresh/", json={"refresh": user.tokens["access"]})
    assert_error(refused, 401, "NOT_AUTHENTICATED")
    forged = user.tokens["access"][:-4] + "AAAA"
    assert_error(
        api.http.get("/users/profile/", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "NOT_AUTHENTICATED",
    )


def test_answers_never_tell_whether_an_account_exists(api: Api, inbox: Inbox) -> None:
    user = api.new_user("exists")
    unknown = _email("nobody")

    again = api.http.post(
        "/auth/register/client/",
        json={"email": user.email, "password": "another password", "first_name": "Again"},
    )
    fresh = api.http.post(
        "/auth/register/client/",
        json={"email": unknown, "password": PASSWORD, "first_name": "Fresh"},
    )
    assert again.status_code == fresh.status_code == 201
    assert again.json()["detail"] == fresh.json()["detail"]
    inbox.wait_for(user.email, "Someone tried to register")

    wrong_password = api.http.post("/auth/login/", json={"email": user.email, "password": "nope"})
    no_account = api.http.post("/auth/login/", json={"email": _email("ghost"), "password": "nope"})
    assert assert_error(wrong_password, 401, "INVALID_CREDENTIALS") == assert_error(
        no_account, 401, "INVALID_CREDENTIALS"
    )
    assert wrong_password.json() == no_account.json()

    for email in (user.email, _email("ghost")):
        reset = api.http.post("/auth/password-reset/", json={"email": email})
        assert reset.status_code == 202
        assert reset.json()["detail"] == fresh.json()["detail"]


def test_password_reset(api: Api, inbox: Inbox) -> None:
    user = api.new_user("forgetful")
    assert api.http.post("/auth/password-reset/", json={"email": user.email}).status_code == 202
    token = inbox.token(user.email, "Reset your password")

    short = api.http.post("/auth/password-reset/confirm/", json={"token": token, "password": "x"})
    assert "password" in assert_error(short, 400, "VALIDATION_ERROR")
    new_password = "a brand new passphrase"
    done = api.http.post(
        "/auth/password-reset/confirm/", json={"token": token, "password": new_password}
    )
    assert done.status_code == 200, done.text
    assert "password" not in done.text

    # Single use; the old sessions and the old password are gone.
    reused = api.http.post(
        "/auth/password-reset/confirm/", json={"token": token, "password": "yet another one"}
    )
    assert_error(reused, 400, "INVALID_TOKEN")
    assert_error(api.http.get("/users/profile/", headers=user.headers), 401, "NOT_AUTHENTICATED")
    old = api.http.post("/auth/login/", json={"email": user.email, "password": PASSWORD})
    assert_error(old, 401, "INVALID_CREDENTIALS")
    assert api.login(user.email, new_password).tokens["user"]["email_verified"] is True


def test_expired_tokens_are_refused(api: Api, inbox: Inbox) -> None:
    user = api.new_user("late")
    api.http.post("/auth/password-reset/", json={"email": user.email})
    token = inbox.token(user.email, "Reset your password")
    api.query(
        "UPDATE one_time_tokens SET expires_at = now() - interval '1 second' "
        "WHERE user_id = %s AND purpose = 'reset_password'",
        uuid.UUID(user.id),
    )
    late = api.http.post(
        "/auth/password-reset/confirm/", json={"token": token, "password": "too late for this"}
    )
    assert_error(late, 400, "INVALID_TOKEN")


def test_login_failures_are_throttled_per_account(api: Api) -> None:
    user = api.new_user("target")
    for _ in range(5):
        failed = api.http.post("/auth/login/", json={"email": user.email, "password": "guess"})
        assert_error(failed, 401, "INVALID_CREDENTIALS")
    blocked = api.http.post("/auth/login/", json={"email": user.email, "password": PASSWORD})
    assert_error(blocked, 429, "TOO_MANY_ATTEMPTS")
    assert int(blocked.headers["Retry-After"]) > 0
    # Other accounts still log in.
    api.login(api.new_user("bystander").email)


def test_profile_update(api: Api) -> None:
    user = api.new_user("renamed")
    updated = api.http.put(
        "/users/profile/", headers=user.headers, json={"first_name": "Zoë", "last_name": "Ñúñez"}
    )
    assert updated.status_code == 200, updated.text
    assert api.http.get("/users/profile/", headers=user.headers).json()["last_name"] == "Ñúñez"
    assert_error(api.http.get("/users/profile/"), 401, "NOT_AUTHENTICATED")


def test_login_failures_are_throttled_per_address(
    pg_server: str, inbox: Inbox, tmp_path: Path
) -> None:
    server = serve(fresh_database(pg_server), inbox, tmp_path, login_failures_per_address="3")
    try:
        api = Api(server, inbox)
        victim = api.new_user("victim")
        for number in range(3):  # three different accounts, one address
            guess = {"email": _email(f"spray{number}"), "password": "Summer2026!"}
            assert_error(api.http.post("/auth/login/", json=guess), 401, "INVALID_CREDENTIALS")
        right = {"email": victim.email, "password": PASSWORD}
        assert_error(api.http.post("/auth/login/", json=right), 429, "TOO_MANY_ATTEMPTS")
    finally:
        server.stop()
