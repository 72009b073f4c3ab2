"""Where the data folders shipped with nocode live (templates/, specs/, ansible/)."""

from __future__ import annotations

import importlib
from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parent.parent


def _folder(repository_name: str, package_name: str) -> Path:
    in_checkout = _REPOSITORY / repository_name
    if in_checkout.is_dir():
        return in_checkout
    # Installed: the folder ships as a namespace package (no __init__.py).
    return Path(next(iter(importlib.import_module(package_name).__path__)))


def templates_dir() -> Path:
    return _folder("templates", "nocode_templates")


def specs_dir() -> Path:
    return _folder("specs", "nocode_specs")


def ansible_dir() -> Path:
    return _folder("ansible", "nocode_ansible")
