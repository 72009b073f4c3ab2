"""Every node type's executor: importing this package registers them all (engine/nodes.py
EXECUTORS). One import per module."""

from control_plane.automation.engine.executors import (  # noqa: F401
    condition,
    delay,
    loop,
    transform,
    trigger,
)
