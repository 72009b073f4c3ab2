"""The admin for everyone: axe-core finds no serious fault in its pages, the keyboard
alone reaches and works everything from the top, and a phone shows pages that fit."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.admin.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.conftest import RunningApp


def test_axe_finds_no_serious_fault_in_the_pages(page: Page, catalogue: RunningApp) -> None:
    app = catalogue
    page.goto(f"{app.base_url}/admin/login")
    assert_accessible(page, app)
    page.get_by_role("button", name="Se connecter").click()  # no token: an error beside it
    expect(page.get_by_role("alert")).to_have_text("Saisissez un jeton.")
    assert_accessible(page, app)
    sign_in(page, app)
    assert_accessible(page, app)
    page.goto(f"{app.base_url}/admin/tables/produits/")
    expect(page.get_by_role("table")).to_contain_text("REF-025")
    assert_accessible(page, app)
    page.goto(f"{app.base_url}/admin/tables/clients/new")
    page.locator("form.record-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Enregistrer").click()  # nothing filled in: refused
    expect(page.get_by_role("alert")).to_contain_text("Rien n'a été enregistré")
    assert_accessible(page, app)
    page.goto(f"{app.base_url}/admin/tables/produits/1/")
    expect(page.get_by_label("Référence")).to_have_value("REF-001")
    assert_accessible(page, app)
    page.goto(f"{app.base_url}/admin/tables/produits/1/delete")
    expect(page.get_by_role("button", name="Supprimer")).to_be_visible()
    assert_accessible(page, app)


def relative_luminance(css_color: str) -> float:
    """Of an `rgb(r, g, b)` colour, as WCAG 2 defines it."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", css_color)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def focus_ring_contrast(focused: Locator) -> float:
    """The contrast of the focused element's outline against the page behind it."""
    ring, page = focused.evaluate(
        "element => [getComputedStyle(element).outlineColor,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    lighter, darker = sorted(map(relative_luminance, (ring, page)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_keyboard_alone_skips_to_the_content_and_signs_in(page: Page, crm: RunningApp) -> None:
    page.goto(f"{crm.base_url}/admin/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Jeton d'accès")).to_be_focused()
    assert focus_ring_contrast(page.get_by_label("Jeton d'accès")) >= 3  # WCAG 1.4.11
    page.keyboard.type(crm.headers("MEMBER")["Authorization"].removeprefix("Bearer "))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{crm.base_url}/admin/")
    expect(page.get_by_role("heading", name="Tables", level=1)).to_be_visible()


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen: 0 when it fits."""
    extra: int = page.evaluate(
        "Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    return extra


def test_a_phone_shows_pages_without_sideways_scrolling(page: Page, catalogue: RunningApp) -> None:
    app = catalogue
    page.set_viewport_size(PHONE)
    page.goto(f"{app.base_url}/admin/login")
    assert overflow(page) == 0
    sign_in(page, app)
    assert overflow(page) == 0
    page.goto(f"{app.base_url}/admin/tables/produits/")
    assert overflow(page) == 0
    # The table is wider than the phone: it scrolls in its own box, the page does not.
    table_box = page.locator(".table-scroll")
    assert table_box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert table_box.evaluate("box => getComputedStyle(box).overflowX") == "auto"
    screenshot(page, "phone-list")
    page.goto(f"{app.base_url}/admin/tables/commandes/new")  # the relation picker too
    expect(page.get_by_label("Choisir dans Clients")).to_be_visible()
    assert overflow(page) == 0
