"""The control plane answers errors in the generated apps' envelope: the same field names
and, for the kinds both have, the same codes, so that a client reads them alike. A
generated app cannot import the control plane: the test holds them together."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx

from control_plane import errors
from tests.conftest import RunningApp
from tests.control_plane.conftest import FOUNDATION, Server

GENERATED_ERRORS = Path("templates/app/{{cookiecutter.project_slug}}/app/core/errors.py")
SHARED_KINDS = ("NOT_AUTHENTICATED", "NOT_FOUND", "METHOD_NOT_ALLOWED", "PAYLOAD_TOO_LARGE")


def generated_codes() -> dict[str, str]:
    """The generated app's kinds, `NAME = ("CODE", "message")`, by constant name."""
    tree = ast.parse((Path(__file__).parents[2] / GENERATED_ERRORS).read_text())
    return {
        node.targets[0].id: node.value.elts[0].value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Tuple)
        and isinstance(node.value.elts[0], ast.Constant)
    }


def test_the_kinds_both_have_share_their_codes() -> None:
    generated = generated_codes()
    for name in (*SHARED_KINDS, "INTERNAL"):
        assert getattr(errors, name).code == generated[name], name


def test_both_answer_the_same_errors_with_the_same_envelope(
    control_plane: Server, crm: RunningApp, http: httpx.Client
) -> None:
    profile = f"{control_plane.base_url}{FOUNDATION}/users/profile/"
    clients = f"{crm.api}tables/clients/"
    cases = {
        "unknown path": (
            "GET",
            f"{control_plane.base_url}/api/nothing-here/",
            f"{crm.base_url}/api/nothing-here/",
            crm.headers(),
        ),
        "wrong method": (
            "DELETE",
            f"{control_plane.base_url}/health",
            f"{crm.base_url}/health",
            crm.headers(),
        ),
        "no credentials": ("GET", profile, clients, {}),
    }
    for case, (method, control_url, app_url, app_headers) in cases.items():
        ours = http.request(method, control_url)
        theirs = http.request(method, app_url, headers=app_headers)
        assert ours.status_code == theirs.status_code, (case, ours.text, theirs.text)
        assert set(ours.json()) == set(theirs.json()) == {"error", "details", "code"}, case
        assert ours.json()["code"] == theirs.json()["code"], (case, ours.text, theirs.text)
