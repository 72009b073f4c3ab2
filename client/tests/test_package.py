"""The package as others depend on it: it imports only the standard library, httpx and
pydantic (its declared dependencies: nothing of the platform), and its public names are
the ones its `__all__` lists."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import nocode_client

SOURCE = Path(nocode_client.__file__).parent
ALLOWED = set(sys.stdlib_module_names) | {"httpx", "pydantic", "nocode_client"}


def imported(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_it_imports_only_its_dependencies() -> None:
    modules = sorted(SOURCE.rglob("*.py"))
    assert len(modules) > 10
    outside = {str(m.relative_to(SOURCE)): imported(m) - ALLOWED for m in modules}
    assert {module: names for module, names in outside.items() if names} == {}


def test_the_public_names_are_the_listed_ones() -> None:
    public = {name for name in vars(nocode_client) if not name.startswith("_")}
    assert sorted(nocode_client.__all__) == nocode_client.__all__
    assert public - {"models", "endpoints"} == set(nocode_client.__all__)  # the subpackages


def test_a_method_shows_its_endpoint_s_parameters_and_docstring() -> None:
    client = nocode_client.NoCodeClient("http://127.0.0.1:9")
    method = client.iter_records
    assert method.__name__ == "iter_records"
    assert list(inspect.signature(method).parameters)[:2] == ["project_id", "table"]
    assert method.__doc__ is not None and "filters" in method.__doc__
    client.close()
