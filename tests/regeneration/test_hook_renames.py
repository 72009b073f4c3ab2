"""A field renamed under a hook that reads it: `nocode diff` and `nocode generate` say
which hooks module uses which old name, and what it became."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.regeneration.test_hand_edits import HOOK, edit
from tests.regeneration.versions import V1, write_spec
from tests.test_cli import nocode

WARNING = (
    "app/hooks/clients.py uses the field 'nom', renamed to 'nom_complet' "
    "(tables.clients.fields.nom_complet): update the hook, or the app fails when it runs"
)


def nom_renamed() -> dict[str, Any]:
    spec = copy.deepcopy(V1)
    spec["project"]["version"] = "1.0.1"
    fields = spec["tables"]["clients"]["fields"]
    fields["nom_complet"] = {**fields.pop("nom"), "id": "nom"}
    return spec


def test_diff_and_generate_warn_about_a_hook_using_a_renamed_field(
    tmp_path: Path, repo: Path
) -> None:
    edit(
        repo / HOOK,
        "    return data\n",
        '    return data.model_copy(update={"nom": data.nom.upper()})\n',
    )
    spec = write_spec(tmp_path, nom_renamed(), "v1.0.1.yaml")

    planned = nocode("diff", str(spec), str(repo))
    assert planned.returncode == 0, planned.stderr
    assert "field renamed: tables.clients.fields.nom_complet" in planned.stdout
    assert planned.stderr.splitlines() == [f"warning: {WARNING}"]

    generated = nocode("generate", str(spec), "--out", str(repo))
    assert generated.returncode == 0, generated.stderr
    assert f"note: {WARNING}" in generated.stderr.splitlines()


def test_no_warning_when_the_hooks_do_not_use_the_old_name(tmp_path: Path, repo: Path) -> None:
    edit(repo / HOOK, "    return data\n", "    # nom is checked elsewhere\n    return data\n")
    planned = nocode("diff", str(write_spec(tmp_path, nom_renamed(), "v1.0.1.yaml")), str(repo))
    assert planned.returncode == 0, planned.stderr
    assert "field renamed" in planned.stdout
    assert planned.stderr == ""
