"""The admin in a real browser: Debian's chromium (apt, installed by .ci/run) driven by
Playwright for Python; no browser is downloaded. One browser per test process, one fresh
context (cookies, storage) per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright

from generator.generate import generate
from generator.resources import specs_dir
from tests.conftest import RunningApp, serving

# Where tests keep their screenshots, for a person to look at after a run.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin"
PHONE: ViewportSize = {"width": 390, "height": 844}
# axe-core, as the generated repository vendors it for its own browser tests.
AXE = Path("tests") / "admin" / "axe.min.js"
SERIOUS = ("serious", "critical")


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("chromium is not installed: apt-get install chromium (.ci/run does)")
    return found


# Per module: while Playwright's sync API runs, its event loop is the thread's running
# loop, and any later test of the process calling asyncio.run() would be refused.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = browser.new_context(locale="fr-FR")
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails its test on a script error or a Content-Security-Policy refusal."""
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    assert problems == []


@pytest.fixture(scope="session")
def inventaire(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[RunningApp]:
    """The inventaire example served like `crm`: every field type, RESTRICT relations, a
    table (mouvements) that MEMBER may create and read but not change."""
    out = tmp_path_factory.mktemp("inventaire") / "inventaire"
    generate(specs_dir() / "inventaire.yaml", out)
    with serving(out, pg_server) as app:
        yield app


def sign_in(page: Page, app: RunningApp, role: str = "OWNER", target: str = "/admin/") -> None:
    """Signs in through the form, with a token of `role`, and waits for `target`."""
    token = app.headers(role)["Authorization"].removeprefix("Bearer ")
    page.goto(f"{app.base_url}{target}")
    page.get_by_label("Jeton d'accès").fill(token)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{app.base_url}{target}")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Page, app: RunningApp) -> None:
    """Fails with axe-core's serious and critical violations in the page, one a line."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Through the DevTools protocol, so the page's Content-Security-Policy (no inline
        # script: add_script_tag would be refused) stays on while axe runs.
        page.evaluate((app.app_dir / AXE).read_text(encoding="utf-8"))
    results: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    faults = [
        f"{violation['impact']} {violation['id']}: {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        + f"\n    {violation['nodes'][0]['failureSummary']}"
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]
    assert faults == [], f"axe-core on {page.url}:\n" + "\n".join(faults)
