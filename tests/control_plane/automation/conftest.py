"""What Automation's tests share."""

from __future__ import annotations

# A control plane that deploys generated apps to its local target (record events).
from tests.control_plane.runtime.conftest import deploying  # noqa: F401
