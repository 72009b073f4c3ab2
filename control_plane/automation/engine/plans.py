"""Plans of workflows, cached per (workflow id, updated_at): an execution of an unchanged
workflow reads one row, not its nodes and edges (the graph's writes bump updated_at)."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import datetime

from control_plane.automation.engine.plan import Plan, build
from control_plane.automation.queries import graphs
from control_plane.db import Conn

CACHED_PLANS = 512

_plans: OrderedDict[tuple[uuid.UUID, datetime], Plan] = OrderedDict()


async def plan_of(connection: Conn, workflow_id: uuid.UUID, version: datetime) -> Plan:
    """The plan of the workflow at `version` (raises plan.PlanError if it cannot run)."""
    key = (workflow_id, version)
    plan = _plans.get(key)
    if plan is not None:
        _plans.move_to_end(key)
        return plan
    graph = await graphs.load(connection, workflow_id)
    if graph is None:
        raise LookupError(f"workflow {workflow_id} is gone")
    plan = build(graph)
    _plans[key] = plan
    if len(_plans) > CACHED_PLANS:
        _plans.popitem(last=False)
    return plan
