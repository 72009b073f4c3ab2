"""What Automation's endpoints get from the request beyond Foundation's dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from control_plane.automation.engine.nodes import NodeServices
from control_plane.foundation.api.deps import AppSettings


async def _nowhere(line: str) -> None:
    """The log of checks made outside any run: nothing keeps their lines."""


async def get_node_services(request: Request, settings: AppSettings) -> NodeServices:
    return NodeServices(pool=request.app.state.pool, settings=settings, log=_nowhere)


Services = Annotated[NodeServices, Depends(get_node_services)]
