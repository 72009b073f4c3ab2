"""Where the data folders shipped with the generator live (templates/, specs/)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parent.parent


def _folder(repository_name: str, package_name: str) -> Path:
    in_checkout = _REPOSITORY / repository_name
    if in_checkout.is_dir():
        return in_checkout
    return Path(str(resources.files(package_name)))


def templates_dir() -> Path:
    return _folder("templates", "nocode_templates")


def specs_dir() -> Path:
    return _folder("specs", "nocode_specs")
