"""Three versions of one small spec, each step exercising every kind of change that
regeneration turns into a migration."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

PROJECT = {
    "id": "0f6f3f5e-8d1c-4a57-9a43-2f1f6c1c0b11",
    "name": "Boutique",
    "slug": "boutique",
}

V1: dict[str, Any] = {
    "spec_version": 1,
    "project": {**PROJECT, "version": "1.0.0"},
    "tables": {
        "clients": {
            "display_name": "Clients",
            "fields": {
                "nom": {
                    "display_name": "Nom",
                    "field_type": "TEXT_SHORT",
                    "is_required": True,
                    "validation": {"max_length": 100},
                },
                "email": {"display_name": "Email", "field_type": "EMAIL"},
                "telephone": {"display_name": "Téléphone", "field_type": "PHONE"},
                "age": {"display_name": "Âge", "field_type": "INTEGER"},
                "notes": {"display_name": "Notes", "field_type": "TEXT_LONG"},
            },
        },
        "produits": {
            "display_name": "Produits",
            "fields": {
                "reference": {
                    "display_name": "Référence",
                    "field_type": "TEXT_SHORT",
                    "is_required": True,
                },
                "prix": {
                    "display_name": "Prix",
                    "field_type": "DECIMAL",
                    "validation": {"max_digits": 8, "decimal_places": 2},
                },
                "stock": {"display_name": "Stock", "field_type": "INTEGER"},
                "statut": {
                    "display_name": "Statut",
                    "field_type": "ENUM",
                    "choices": ["actif", "retire"],
                    "default_value": "actif",
                },
                "remarque": {"display_name": "Remarque", "field_type": "TEXT_LONG"},
            },
        },
        "brouillons": {
            "display_name": "Brouillons",
            "fields": {"texte": {"display_name": "Texte", "field_type": "TEXT_LONG"}},
        },
    },
}


def _v2() -> dict[str, Any]:
    spec = copy.deepcopy(V1)
    spec["project"]["version"] = "1.1.0"
    clients = spec["tables"].pop("clients")
    clients["id"] = "clients"  # kept id: a rename, not a drop and an add
    fields = clients["fields"]
    nom = fields.pop("nom")
    nom.update(id="nom", display_name="Nom complet", validation={"max_length": 150})
    clients["fields"] = {
        "nom_complet": nom,  # renamed, widened
        "email": {**fields["email"], "is_unique": True},  # unique added
        "telephone": {
            **fields["telephone"],
            "is_required": True,  # made required, NULLs take the default
            "default_value": "inconnu",
        },
        "age": {**fields["age"], "field_type": "DECIMAL"},  # type changed
        "notes": {**fields["notes"], "default_value": "aucune"},  # default changed
        "ville": {"display_name": "Ville", "field_type": "TEXT_SHORT"},  # field added
    }
    clients["indexes"] = [{"name": "clients_ville_idx", "fields": ["ville"]}]  # index added
    produits = spec["tables"]["produits"]
    produits["fields"].pop("remarque")  # field dropped (forced)
    produits["fields"]["statut"]["choices"] = ["actif", "retire", "rupture"]  # choices widened
    produits["fields"]["client"] = {  # relation added
        "display_name": "Client",
        "field_type": "RELATION",
        "relation": {"table": "acheteurs", "on_delete": "SET_NULL"},
    }
    del spec["tables"]["brouillons"]  # table dropped (forced)
    spec["tables"] = {
        "acheteurs": clients,  # table renamed
        "produits": produits,
        "avis": {  # table added, with a relation to an existing table
            "display_name": "Avis",
            "fields": {
                "produit": {
                    "display_name": "Produit",
                    "field_type": "RELATION",
                    "is_required": True,
                    "relation": {"table": "produits", "on_delete": "CASCADE"},
                },
                "note": {"display_name": "Note", "field_type": "INTEGER", "is_required": True},
            },
        },
    }
    return spec


def _v3() -> dict[str, Any]:
    spec = copy.deepcopy(V2)
    spec["project"]["version"] = "1.2.0"
    acheteurs = spec["tables"]["acheteurs"]
    acheteurs["fields"]["nom_complet"]["is_required"] = False  # made optional
    acheteurs["fields"]["nom_complet"]["validation"] = {"max_length": 120}  # narrowed, fits
    acheteurs["fields"]["email"]["is_unique"] = False  # unique dropped
    acheteurs["fields"]["notes"].pop("default_value")  # default dropped
    acheteurs["indexes"] = []  # index dropped
    produits = spec["tables"]["produits"]
    del produits["fields"]["client"]  # relation dropped (forced: a field goes)
    produits["fields"]["statut"]["choices"] = ["actif", "rupture"]  # choice no record holds
    produits["fields"]["stock"]["field_type"] = "TEXT_SHORT"  # integer -> text
    produits["fields"]["reference"]["is_unique"] = True  # unique added, no duplicates
    return spec


V2 = _v2()
V3 = _v3()


def changed(**tables: Any) -> dict[str, Any]:
    """V1 at version 1.0.1 with `tables` patched: {table: {field: settings or None}}."""
    spec = copy.deepcopy(V1)
    spec["project"]["version"] = "1.0.1"
    for table, fields in tables.items():
        for name, settings in fields.items():
            if settings is None:
                del spec["tables"][table]["fields"][name]
            else:
                spec["tables"][table]["fields"][name] = settings
    return spec


def write_spec(folder: Path, spec: dict[str, Any], name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
