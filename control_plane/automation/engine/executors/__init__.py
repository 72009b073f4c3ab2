"""Every node type's executor: importing this package registers them all in
`engine.nodes.EXECUTORS` (one import line per executor module)."""

from control_plane.automation.engine.executors import (
    action,  # noqa: F401
    condition,  # noqa: F401
    database_query,  # noqa: F401
    delay,  # noqa: F401
    http_request,  # noqa: F401
    loop,  # noqa: F401
    transform,  # noqa: F401
    trigger,  # noqa: F401
)
