"""Which packages the distribution ships; everything else is declared in pyproject.toml.

The package list is computed here because pyproject.toml can only list packages by hand or find
them under their own folder names, and the data folders ship under other names (templates/ as
nocode_templates, ...), each subfolder a package of its own. Found, not listed: a package a
contributor adds (with or without __init__.py) ships without editing this file.
"""

from setuptools import find_namespace_packages, setup

CODE = ["control_plane", "deployment", "generator", "nocode", "platform_support"]
# Data folders at the top of the repository (the design's layout), shipped in the wheel under
# these names so that a non-editable install finds them too (generator/resources.py).
DATA = {"nocode_templates": "templates", "nocode_specs": "specs", "nocode_ansible": "ansible"}


def code_packages() -> list[str]:
    wanted = [pattern for name in CODE for pattern in (name, f"{name}.*")]
    return find_namespace_packages(include=wanted, exclude=["*.__pycache__"])


def data_packages(name: str, folder: str) -> list[str]:
    """`name` and its subfolders as packages. A folder whose name is not an identifier (the
    template `{{cookiecutter.project_slug}}`) is no package: its files ship as data of the
    nearest package above it."""
    below = find_namespace_packages(where=folder, exclude=["*.__pycache__", "__pycache__"])
    return [name, *(f"{name}.{package}" for package in below)]


setup(
    packages=[
        *code_packages(),
        *(package for name, folder in DATA.items() for package in data_packages(name, folder)),
    ],
    package_dir=DATA,
)
