"""Signing in and out of the admin, its cookies and its security headers."""

from __future__ import annotations

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from tests.admin.conftest import sign_in
from tests.conftest import RunningApp


def test_sign_in_shows_the_tables_then_sign_out_ends_the_session(
    page: Page, context: BrowserContext, crm: RunningApp
) -> None:
    page.goto(f"{crm.base_url}/admin/")
    expect(page).to_have_url(f"{crm.base_url}/admin/login?next=%2Fadmin%2F")
    sign_in(page, crm, "MEMBER")
    expect(page.get_by_role("heading", name="Tables", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Clients").first).to_be_visible()
    token = next(c for c in context.cookies() if c["name"] == "nocode_admin_token")
    assert token["httpOnly"] and token["sameSite"] == "Strict" and token["path"] == "/admin"
    assert page.evaluate("document.cookie") == ""  # nothing a script could read
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{crm.base_url}/admin/login")
    page.goto(f"{crm.base_url}/admin/")
    expect(page.get_by_role("heading", name="Connexion à l'administration")).to_be_visible()


def test_a_bad_token_is_refused_beside_the_field(page: Page, crm: RunningApp) -> None:
    page.goto(f"{crm.base_url}/admin/login")
    page.get_by_label("Jeton d'accès").fill("not-a-token")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Jeton invalide ou expiré.")
    expect(page.get_by_label("Jeton d'accès")).to_have_attribute("aria-invalid", "true")


def test_english_labels_on_request(page: Page, crm: RunningApp) -> None:
    page.goto(f"{crm.base_url}/admin/login?next=%2Fadmin%2Ftables%2Fclients%2F")
    page.get_by_role("link", name="English").click()  # the page stays the same
    expect(page).to_have_url(
        f"{crm.base_url}/admin/login?next=%2Fadmin%2Ftables%2Fclients%2F&lang=en"
    )
    expect(page.get_by_role("heading", name="Sign in to the admin")).to_be_visible()
    page.goto(f"{crm.base_url}/admin/login")  # the choice is kept
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_write_without_the_csrf_token_is_refused(crm: RunningApp) -> None:
    token = crm.headers("OWNER")["Authorization"].removeprefix("Bearer ")
    with httpx.Client(base_url=crm.base_url) as client:
        response = client.post("/admin/login", data={"token": token})
        assert response.status_code == 403
        client.cookies.set("nocode_admin_csrf", "known", path="/admin")
        foreign = client.post(
            "/admin/login",
            data={"token": token, "csrf_token": "known"},
            headers={"Origin": "https://elsewhere.example"},
        )
        assert foreign.status_code == 403
        accepted = client.post("/admin/login", data={"token": token, "csrf_token": "known"})
        assert accepted.status_code == 303


def test_pages_carry_a_strict_content_security_policy(crm: RunningApp) -> None:
    response = httpx.get(f"{crm.base_url}/admin/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    assert "content-security-policy" not in httpx.get(f"{crm.base_url}/health").headers
