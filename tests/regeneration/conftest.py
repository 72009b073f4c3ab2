"""The repository every regeneration test starts from: v1 of the spec, committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.regeneration.helpers import generate_version
from tests.regeneration.versions import V1


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    out = tmp_path / "app"
    generate_version(tmp_path, V1, out, git=True)
    return out
