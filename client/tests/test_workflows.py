"""Automation through the client: a workflow built node by node, validated, executed by
the platform's worker, waited for, and found among the executions."""

from __future__ import annotations

import asyncio

from client_fixtures import Account

from nocode_client import AsyncNoCodeClient, NoCodeClient
from nocode_client.models import Execution
from tests.control_plane.conftest import Api


def test_a_workflow_built_executed_and_waited_for(
    platform: Api, account: Account, client: NoCodeClient
) -> None:
    project = client.create_project({"name": "Flows", "organization_id": account.organization})
    workflow = client.create_workflow(
        {"name": "Greet", "project": project.id, "trigger_type": "manual"}
    )
    start = client.add_node(workflow.id, {"name": "start", "node_type": "trigger"})
    greet = client.add_node(
        workflow.id,
        {
            "name": "greet",
            "node_type": "transform",
            "config": {"output": {"greeting": "Hello {{input_data.name}}"}},
        },
    )
    edge = client.add_edge(workflow.id, {"source_node": start.id, "target_node": greet.id})
    assert [node.id for node in client.iter_nodes(workflow.id, page_size=1)] == [start.id, greet.id]
    assert [e.id for e in client.iter_edges(workflow.id)] == [edge.id]
    assert client.validate_workflow(workflow.id)["can_execute"] is True

    started = client.execute_workflow(workflow.id, {"name": "Ada"})
    execution = client.wait_for_execution(started.execution_id, timeout=60)
    assert execution.status == "completed", execution
    assert execution.output_data == {"greeting": "Hello Ada"}

    async def executed_by_the_async_client() -> Execution:
        async with AsyncNoCodeClient(platform.server.base_url, tokens=client.tokens) as aio:
            again = await aio.execute_workflow(workflow.id, {"name": "Grace"})
            return await aio.wait_for_execution(again.execution_id, timeout=60)

    second = asyncio.run(executed_by_the_async_client())
    assert second.output_data == {"greeting": "Hello Grace"}
    listed = client.iter_executions(workflow=workflow.id, page_size=1)
    assert [found.id for found in listed] == [second.id, started.execution_id]
    assert client.get_workflow(workflow.id).executions_count == 2

    client.delete_workflow(workflow.id)
    client.delete_project(project.id)
