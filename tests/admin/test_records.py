"""A record's pages in a real browser: the create and edit forms (the browser's checks,
the API's errors beside the field, the relation picker, every field type), a record's
related lists, delete with its confirmation, and what a role without the right is offered."""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.admin.conftest import screenshot, sign_in
from tests.conftest import RunningApp

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def created(http: httpx.Client, app: RunningApp, table: str, body: dict[str, Any]) -> int:
    """A record made through the API; its id."""
    response = http.post(f"{app.api}tables/{table}/", json=body, headers=app.headers())
    assert response.status_code == 201, response.text
    record_id: int = response.json()["id"]
    return record_id


def warehouse_code() -> str:
    """A new code for an entrepot (three capitals and two digits, unique)."""
    return "".join(random.choices(string.ascii_uppercase, k=3)) + f"{random.randrange(100):02d}"


def stored(http: httpx.Client, app: RunningApp, table: str, record_id: int) -> dict[str, Any]:
    response = http.get(f"{app.api}tables/{table}/{record_id}/", headers=app.headers())
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


def test_a_client_refused_beside_the_field_then_fixed_saved_and_edited(
    page: Page, empty_crm: RunningApp, http: httpx.Client
) -> None:
    sign_in(page, empty_crm, "MEMBER", "/admin/tables/clients/new")
    name = page.get_by_label("Nom complet")
    expect(name).to_have_attribute("required", "")
    name.fill("R2-D2")
    page.get_by_label("Email professionnel").fill("r2@example.com")
    page.get_by_label("Téléphone").fill("12")
    # The spec's patterns compile in the browser (HTML's `v` flag) and refuse the values.
    assert name.evaluate("input => input.validity.patternMismatch")
    assert page.get_by_label("Téléphone").evaluate("input => input.validity.patternMismatch")
    page.get_by_label("Téléphone").fill("")
    # Past the browser's checks, the API's refusal is shown beside the field.
    page.locator("form.record-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Enregistrer").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Rien n'a été enregistré")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Nom complet")).to_have_attribute("href", "#f-nom")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-describedby", "f-nom-help f-nom-error")
    expect(page.locator("#f-nom-error")).to_contain_text("should match pattern")
    expect(name).to_have_value("R2-D2")  # what was typed is kept
    expect(page.get_by_label("Email professionnel")).to_have_value("r2@example.com")
    shot = screenshot(page, "form")
    assert shot.read_bytes().startswith(PNG_SIGNATURE) and 20_000 < shot.stat().st_size < 3_000_000

    name.fill("Jean Dupont")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(f"{empty_crm.base_url}/admin/tables/clients/1/?saved=created")
    expect(page.get_by_role("status")).to_have_text("Enregistrement créé.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jean Dupont (#1)")

    page.get_by_label("Téléphone").fill("+33612345678")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Modifications enregistrées.")
    expect(page.get_by_label("Téléphone")).to_have_value("+33612345678")
    assert stored(http, empty_crm, "clients", 1)["telephone"] == "+33612345678"
    # MEMBER may not delete clients: no button.
    expect(page.get_by_role("link", name="Supprimer")).to_have_count(0)


def test_a_commande_picks_its_client_and_the_client_lists_its_commandes(
    page: Page, empty_crm: RunningApp, http: httpx.Client
) -> None:
    created(http, empty_crm, "clients", {"nom": "Paul Durand", "email": "paul@example.com"})
    client_id = created(
        http, empty_crm, "clients", {"nom": "Marie Martin", "email": "marie@example.com"}
    )
    sign_in(page, empty_crm, "OWNER", "/admin/tables/commandes/new")
    page.get_by_label("Numéro").fill("CMD-0001")
    page.get_by_label("Rechercher dans Clients").fill("Martin")
    choices = page.get_by_label("Choisir dans Clients")
    expect(choices.get_by_role("option")).to_have_count(2)  # none, and Marie Martin
    choices.select_option(label=f"Marie Martin (#{client_id})")
    expect(page.get_by_role("spinbutton", name="Client", exact=True)).to_have_value(str(client_id))
    page.get_by_label("Date de commande").fill("2024-05-17")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Enregistrement créé.")
    expect(page.get_by_label("Choisir dans Clients")).to_have_value(str(client_id))

    page.goto(f"{empty_crm.base_url}/admin/tables/clients/{client_id}/")
    related = page.get_by_role("region", name="Commandes (par Client)")
    expect(related.get_by_role("link", name="CMD-0001 (#1)")).to_have_attribute(
        "href", "/admin/tables/commandes/1/"
    )
    expect(related.get_by_role("link", name="Tout voir dans la liste (1)")).to_have_attribute(
        "href", f"/admin/tables/commandes/?f.client_id={client_id}"
    )


def test_every_field_type_renders_and_saves(
    page: Page, inventaire: RunningApp, http: httpx.Client
) -> None:
    category = created(http, inventaire, "categories", {"nom": f"Cat {uuid.uuid4().hex[:8]}"})
    sku = str(uuid.uuid4())
    supplier = f"Fournisseur {sku[:8]}"
    supplier_id = created(
        http, inventaire, "fournisseurs", {"raison_sociale": supplier, "email": f"{sku}@f.fr"}
    )
    sign_in(page, inventaire, "OWNER", "/admin/tables/articles/new")
    page.get_by_label("SKU").fill(sku)
    page.get_by_label("Désignation").fill("Écran 27 pouces")
    page.get_by_label("Description").fill("Dalle IPS\nmat")
    expect(page.get_by_label("Unité")).to_have_value("piece")  # the default
    page.get_by_label("Unité").select_option("kg")
    page.get_by_label("Prix d'achat").fill("129.9001")
    expect(page.get_by_label("Seuil d'alerte")).to_have_value("5")
    # The id typed, as without a script.
    page.get_by_role("spinbutton", name="Catégorie").fill(str(category))
    page.get_by_label("Rechercher dans Fournisseurs").fill(supplier)
    page.get_by_label("Choisir dans Fournisseurs").select_option(
        label=f"{supplier} (#{supplier_id})"
    )
    page.get_by_label("Fiche technique").fill("https://example.com/fiche.pdf")
    features = page.get_by_label("Caractéristiques")
    features.fill('{"taille": 27,')
    expect(features).to_have_attribute("aria-invalid", "true")
    assert features.evaluate("area => area.validity.customError")
    page.get_by_label("Archivé").check()
    # Past the browser's check, the server reads the JSON too: nothing is sent.
    page.locator("form.record-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#f-caracteristiques-error")).to_have_text(
        "JSON invalide (ligne 1, colonne 15)."
    )
    expect(page.get_by_label("Choisir dans Fournisseurs")).to_have_value(str(supplier_id))
    listed = http.get(
        f"{inventaire.api}tables/articles/",
        params={"filters": f'{{"sku": "{sku}"}}'},
        headers=inventaire.headers(),
    )
    assert listed.json()["count"] == 0
    features.fill('{"taille": 27, "ports": ["HDMI", "DP"]}')
    assert features.evaluate("area => area.validity.valid")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Enregistrement créé.")
    article_id = int(page.url.split("/")[-2])
    article = stored(http, inventaire, "articles", article_id)
    assert article["sku"] == sku and article["unite"] == "kg"
    assert article["prix_achat"] == 129.9001 and article["seuil_alerte"] == 5
    assert article["description"] == "Dalle IPS\r\nmat"
    assert article["categorie_id"] == category and article["fournisseur_id"] == supplier_id
    assert article["caracteristiques"] == {"taille": 27, "ports": ["HDMI", "DP"]}
    assert article["archive"] is True

    warehouse = created(http, inventaire, "entrepots", {"code": warehouse_code(), "ville": "Lyon"})
    page.goto(f"{inventaire.base_url}/admin/tables/mouvements/new")
    page.get_by_label("Référence").fill(str(uuid.uuid4()))
    page.get_by_label("Type").select_option("entree")
    page.get_by_role("spinbutton", name="Article", exact=True).fill(str(article_id))
    page.get_by_role("spinbutton", name="Entrepôt", exact=True).fill(str(warehouse))
    page.get_by_label("Quantité").fill("-3")
    page.get_by_label("Effectué le").fill("2024-03-01T09:30:15")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Enregistrement créé.")
    expect(page.get_by_label("Effectué le")).to_have_value("2024-03-01T09:30:15")
    movement = stored(http, inventaire, "mouvements", int(page.url.split("/")[-2]))
    assert movement["effectue_le"] == "2024-03-01T09:30:15+00:00"
    assert movement["quantite"] == -3 and movement["type_mouvement"] == "entree"


def test_a_referenced_record_is_kept_and_the_refusal_shown(
    page: Page, inventaire: RunningApp, http: httpx.Client
) -> None:
    category = created(http, inventaire, "categories", {"nom": f"Cat {uuid.uuid4().hex[:8]}"})
    article = {"sku": str(uuid.uuid4()), "designation": "Clavier", "prix_achat": 20}
    created(http, inventaire, "articles", {**article, "categorie_id": category})
    sign_in(page, inventaire, "OWNER", f"/admin/tables/categories/{category}/")
    page.get_by_role("link", name="Supprimer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer l'enregistrement")
    page.get_by_role("button", name="Oui, supprimer").click()
    expect(page.get_by_role("alert")).to_contain_text("d'autres enregistrements y font référence")
    expect(page).to_have_url(f"{inventaire.base_url}/admin/tables/categories/{category}/delete")
    stored(http, inventaire, "categories", category)  # kept

    lone = created(http, inventaire, "categories", {"nom": f"Cat {uuid.uuid4().hex[:8]}"})
    page.goto(f"{inventaire.base_url}/admin/tables/categories/{lone}/delete")
    page.get_by_role("button", name="Oui, supprimer").click()
    expect(page).to_have_url(f"{inventaire.base_url}/admin/tables/categories/")
    gone = http.get(f"{inventaire.api}tables/categories/{lone}/", headers=inventaire.headers())
    assert gone.status_code == 404


def test_a_role_without_update_gets_no_form_and_a_forced_write_is_refused(
    page: Page, inventaire: RunningApp, http: httpx.Client
) -> None:
    article = created(
        http,
        inventaire,
        "articles",
        {"sku": str(uuid.uuid4()), "designation": "Souris", "prix_achat": 9.5},
    )
    warehouse = created(
        http, inventaire, "entrepots", {"code": warehouse_code(), "ville": "Nantes"}
    )
    movement = {
        "reference": str(uuid.uuid4()),
        "type_mouvement": "sortie",
        "article_id": article,
        "entrepot_id": warehouse,
        "quantite": 2,
        "effectue_le": "2024-04-02T08:00:00Z",
    }
    movement_id = created(http, inventaire, "mouvements", movement)
    target = f"/admin/tables/mouvements/{movement_id}/"
    sign_in(page, inventaire, "MEMBER", target)  # MEMBER: create and read mouvements
    expect(page.get_by_text("Votre rôle permet de consulter cet enregistrement")).to_be_visible()
    expect(page.locator("form.record-form")).to_have_count(0)
    expect(page.get_by_role("link", name="Supprimer")).to_have_count(0)
    expect(page.get_by_role("link", name="Souris (#")).to_have_attribute(
        "href", f"/admin/tables/articles/{article}/"
    )
    expect(page.locator(".record-values")).to_contain_text("2024-04-02 08:00:00 UTC")

    token = inventaire.headers("MEMBER")["Authorization"].removeprefix("Bearer ")
    with httpx.Client(base_url=inventaire.base_url) as browserless:
        browserless.cookies.set("nocode_admin_token", token, path="/admin")
        browserless.cookies.set("nocode_admin_csrf", "known", path="/admin")
        forced = browserless.post(
            target, data={"csrf_token": "known", "quantite": "99", "type_mouvement": "entree"}
        )
        assert forced.status_code == 403
        assert "Votre rôle ne permet pas cette action." in forced.text
        assert browserless.get(f"{target}delete").status_code == 403
    assert stored(http, inventaire, "mouvements", movement_id)["quantite"] == 2
