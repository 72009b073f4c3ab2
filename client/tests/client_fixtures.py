"""What the client's tests share besides fixtures (conftest.py holds those)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.control_plane.conftest import User


@dataclass
class Account:
    user: User
    organization: str
