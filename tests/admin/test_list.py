"""A table's list in the admin: sorting, search, filters, pages, counts, the URL that
reproduces the view, and what a role without create does not see. Mostly the CRM's
produits (`catalogue`: REF-001..REF-025, stock 1..25, every second one actif); its
commandes for choices, dates and relations."""

from __future__ import annotations

import struct

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.admin.conftest import screenshot, sign_in
from tests.conftest import RunningApp

PRODUITS = "/admin/tables/produits/"


def references(page: Page) -> Locator:
    """The cell after the id in every row shown: a produit's Référence, a commande's
    Numéro."""
    return page.locator("#results tbody tr td:nth-child(2)")


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def apply(page: Page) -> None:
    page.get_by_role("button", name="Appliquer").click()


def test_a_sortable_column_sorts_both_ways(page: Page, catalogue: RunningApp) -> None:
    sign_in(page, catalogue, "OWNER", PRODUITS)
    expect(status(page)).to_have_text("25 enregistrements (exact) · Page 1 sur 2")
    expect(page.get_by_role("link", name="Nouvel enregistrement")).to_be_visible()
    prix = page.get_by_role("columnheader", name="Prix")
    prix.get_by_role("link").click()
    expect(prix).to_have_attribute("aria-sort", "ascending")
    expect(references(page).first).to_have_text("REF-001")
    expect(page.locator("#results tbody tr").first.locator("td").nth(4)).to_have_text("10,50")
    prix.get_by_role("link").click()
    expect(prix).to_have_attribute("aria-sort", "descending")
    expect(references(page).first).to_have_text("REF-025")
    assert page.url.endswith("?sort_by=prix&sort_order=desc")
    expect(page.locator("caption")).to_have_text("Produits, triés par Prix (décroissant)")
    expect(page.get_by_role("columnheader", name="Stock")).not_to_have_attribute(
        "aria-sort", "ascending"
    )

    shot = screenshot(page, "list")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 20_000 < len(png) < 5_000_000
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width == page.viewport_size["width"] and height >= 600  # type: ignore[index]
    expect(references(page)).to_have_text([f"REF-{n:03d}" for n in range(25, 5, -1)])


def test_search_and_filters_narrow_the_list_in_the_url(page: Page, catalogue: RunningApp) -> None:
    sign_in(page, catalogue, "MEMBER", PRODUITS)
    search = page.get_by_label("Rechercher")
    search.fill("REF-01")
    apply(page)
    expect(references(page)).to_have_count(10)
    expect(status(page)).to_have_text("10 enregistrements (exact) · Page 1 sur 1")
    page.get_by_text("Filtres", exact=True).click()
    stock = page.get_by_role("group", name="Stock")
    stock.get_by_label("Minimum").fill("5")
    stock.get_by_label("Maximum").fill("15")
    page.get_by_label("Actif", exact=True).select_option(label="Oui")
    apply(page)
    expect(references(page)).to_have_text(["REF-014", "REF-012", "REF-010"])
    expect(page.locator("#results tbody tr").first.locator("td").nth(6)).to_have_text("Oui")
    # htmx pushed the view's own URL: the form's empty boxes and operators left out.
    assert page.url == (
        f"{catalogue.base_url}{PRODUITS}?search=REF-01&f.stock__gte=5&f.stock__lte=15&f.actif=true"
    )
    nom = page.get_by_role("group", name="Nom")
    nom.get_by_label("Opérateur").select_option(label="commence par")
    nom.get_by_label("Valeur").fill("Alpha")
    apply(page)
    # "Alpha 50%"; not REF-010's "ALPHABET": startswith minds the case.
    expect(references(page)).to_have_text(["REF-012"])
    assert "&f.nom__startswith=Alpha&" in page.url


def test_pages_and_a_url_that_reproduces_the_view_without_javascript(
    page: Page, browser: Browser, catalogue: RunningApp
) -> None:
    sign_in(page, catalogue, "OWNER", PRODUITS)
    page.get_by_label("Par page").select_option("10")
    apply(page)
    expect(status(page)).to_have_text("25 enregistrements (exact) · Page 1 sur 3")
    page.get_by_role("link", name="Suivante").click()
    expect(status(page)).to_have_text("25 enregistrements (exact) · Page 2 sur 3")
    expect(references(page)).to_have_text([f"REF-{n:03d}" for n in range(15, 5, -1)])
    view = page.url.removeprefix(catalogue.base_url)
    assert view == f"{PRODUITS}?page=2&page_size=10"
    page.go_back()  # the pushed URLs are the browser's history
    expect(status(page)).to_have_text("25 enregistrements (exact) · Page 1 sur 3")

    fresh = browser.new_context(locale="fr-FR", java_script_enabled=False)
    try:
        plain = fresh.new_page()
        sign_in(plain, catalogue, "OWNER", view)
        expect(references(plain)).to_have_text([f"REF-{n:03d}" for n in range(15, 5, -1)])
        expect(plain.get_by_label("Par page")).to_have_value("10")
        plain.get_by_role("link", name="Précédente").click()
        expect(status(plain)).to_have_text("25 enregistrements (exact) · Page 1 sur 3")
        plain.get_by_role("columnheader", name="Stock").get_by_role("link").click()
        expect(references(plain).first).to_have_text("REF-001")
        plain.get_by_label("Rechercher").fill("REF-00")
        apply(plain)
        expect(references(plain)).to_have_count(9)
        # The form's submission is sent on to the view's own URL.
        assert plain.url.endswith(
            f"{PRODUITS}?search=REF-00&sort_by=stock&sort_order=asc&page_size=10"
        )
    finally:
        fresh.close()


def test_planned_and_no_count_and_a_bad_filter_beside_its_control(
    page: Page, catalogue: RunningApp
) -> None:
    sign_in(page, catalogue, "OWNER", f"{PRODUITS}?count=planned")
    expect(status(page)).to_contain_text("(estimé)")
    page.get_by_label("Décompte").select_option(label="Aucun")
    apply(page)
    expect(status(page)).to_have_text("Page 1")
    expect(page.get_by_role("link", name="Suivante")).to_be_visible()

    answer = page.goto(f"{catalogue.base_url}{PRODUITS}?f.stock__gte=abc&f.stock__lte=3")
    assert answer is not None and answer.status == 400
    stock = page.get_by_role("group", name="Stock")
    expect(stock.locator(".error")).to_have_text("Input should be a valid integer")
    expect(stock.get_by_label("Minimum")).to_have_value("")  # not a number: not kept
    expect(status(page)).to_have_text("La vue demandée n'est pas valide.")
    expect(page.locator(".error-summary a")).to_have_text("filters.stock__gte")
    # Fixed, the view comes back; htmx clears the message beside the filter.
    stock.get_by_label("Minimum").fill("2")
    apply(page)
    expect(references(page)).to_have_text(["REF-003", "REF-002"])
    expect(stock.locator(".error")).to_have_text("")


def test_a_role_that_may_not_create_sees_no_new_button(page: Page, catalogue: RunningApp) -> None:
    sign_in(page, catalogue, "CLIENT", PRODUITS)
    expect(references(page)).to_have_count(20)
    expect(page.get_by_role("link", name="Nouvel enregistrement")).to_have_count(0)
    answer = page.goto(f"{catalogue.base_url}/admin/tables/clients/")  # CLIENT may not read it
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("alert")).to_have_text("Votre rôle ne permet pas cette action.")


def test_choices_filter_and_relations_link_to_their_record(
    page: Page, http: httpx.Client, empty_crm: RunningApp
) -> None:
    client = http.post(
        f"{empty_crm.api}tables/clients/",
        json={"nom": "Jean Dupont", "email": "jean@example.com"},
        headers=empty_crm.headers(),
    ).json()
    for number, statut in ((1, "payee"), (2, "livree"), (3, "annulee")):
        order = {
            "numero": f"CMD-000{number}",
            "client_id": client["id"],
            "date_commande": f"2026-01-{number:02d}",
            "statut": statut,
            "montant_total": 1234.5,
        }
        created = http.post(
            f"{empty_crm.api}tables/commandes/", json=order, headers=empty_crm.headers()
        )
        assert created.status_code == 201
    sign_in(page, empty_crm, "MEMBER", "/admin/tables/commandes/")
    page.get_by_text("Filtres", exact=True).click()
    choices = page.get_by_role("group", name="Statut")
    choices.get_by_label("payee").check()
    choices.get_by_label("livree").check()
    apply(page)
    expect(references(page)).to_have_text(["CMD-0002", "CMD-0001"])
    assert page.url.endswith("?f.statut__in=payee&f.statut__in=livree")
    first = page.locator("#results tbody tr").first.locator("td")
    expect(first.nth(3)).to_have_text("02/01/2026")
    expect(first.nth(5)).to_have_text("1\u202f234,50")
    first.nth(2).get_by_role("link", name=str(client["id"])).click()
    expect(page).to_have_url(f"{empty_crm.base_url}/admin/tables/clients/{client['id']}/")
