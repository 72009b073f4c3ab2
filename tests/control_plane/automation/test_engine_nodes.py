"""The engine's node types through the API, on the server's own worker: trigger,
condition (its branches, its named output), transform, loop (its body per item, its
maximum) and the expression scope each node sees."""

from __future__ import annotations

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.studio.conftest import Team

DOUBLE = {"n": "{{item * 2}}", "at": "{{index}}"}
GREETING = {"output": {"greeting": "Hello {{input_data.name}}", "vip": "{{is_vip}}"}}


def _branching(automation: Automation, team: Team, project: str) -> dict[str, str]:
    built = automation.build(
        team.users["MEMBER"],
        project,
        {
            "Start": ("trigger", {}),
            "Check": (
                "condition",
                {
                    "config": {"condition": "input_data.amount > 100"},
                    "outputs": [{"name": "validation_result", "type": "boolean"}],
                },
            ),
            "Big": ("transform", {"config": {"output": {"size": "big"}}}),
            "Small": ("transform", {"config": {"output": {"size": "small"}}}),
        },
        [("Start", "Check"), ("Check", "Big", "validation_result == true"),
         ("Check", "Small", "validation_result == false")],
    )  # fmt: skip
    return {"workflow": built.id, **built.nodes}


def test_a_condition_takes_the_branch_its_result_names(
    automation: Automation, team: Team, project: str
) -> None:
    ids = _branching(automation, team, project)
    member = team.users["MEMBER"]
    cases = ((500, "big", "Big", "Small"), (5, "small", "Small", "Big"))
    for amount, size, taken, skipped in cases:
        started = automation.execute(member, ids["workflow"], input_data={"amount": amount})
        assert started["status"] == "running"
        assert started["input_data"] == {"amount": amount}
        done = automation.wait_for(member, started["execution_id"])
        assert done["status"] == "completed", done
        assert done["output_data"] == {"size": size}
        assert done["execution_path"] == [ids["Start"], ids["Check"], ids[taken]]
        assert ids[skipped] not in done["execution_path"]
        check = next(d for d in done["execution_details"] if d["node_name"] == "Check")
        assert check["output_data"] == {"result": amount > 100, "validation_result": amount > 100}
        assert check["input_data"] == {"amount": amount}
        assert check["status"] == "completed"
        assert done["nodes_executed"] == done["nodes_success"] == 3


def test_transform_renders_its_output_over_its_scope(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    built = automation.build(
        member,
        project,
        {
            "Start": ("trigger", {}),
            "Mark": ("transform", {"config": {"output": {"is_vip": "{{input_data.spent > 9}}"}}}),
            "Greet": ("transform", {"config": GREETING}),
        },
        [("Start", "Mark"), ("Mark", "Greet")],
    )
    started = automation.execute(member, built.id, input_data={"name": "Ada", "spent": 5000})
    done = automation.wait_for(member, started["execution_id"])
    assert done["status"] == "completed", done
    assert done["output_data"] == {"greeting": "Hello Ada", "vip": True}


def test_a_loop_runs_its_body_per_item_then_its_exit(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    built = automation.build(
        member,
        project,
        {
            "Start": ("trigger", {}),
            "Each": ("loop", {"config": {"items": "{{input_data.orders}}", "body": "Double",
                                         "max_iterations": 3}}),
            "Double": ("transform", {"config": {"output": DOUBLE}}),
            "After": ("transform", {"config": {"output": {"count": "{{count}}",
                                                          "results": "{{results}}"}}}),
        },
        [("Start", "Each"), ("Each", "Double"), ("Double", "Each"), ("Each", "After")],
    )  # fmt: skip
    started = automation.execute(member, built.id, input_data={"orders": [1, 2, 3]})
    done = automation.wait_for(member, started["execution_id"])
    assert done["status"] == "completed", done
    results = [{"n": 2, "at": 0}, {"n": 4, "at": 1}, {"n": 6, "at": 2}]
    assert done["output_data"] == {"count": 3, "results": results}
    doubles = [d for d in done["execution_details"] if d["node_name"] == "Double"]
    assert [d["input_data"] for d in doubles] == [{"item": i, "index": i - 1} for i in (1, 2, 3)]

    too_many = automation.execute(member, built.id, input_data={"orders": [1, 2, 3, 4]})
    failed = automation.wait_for(member, too_many["execution_id"])
    assert failed["status"] == "failed"
    assert failed["error_code"] == "AUTO_007"
    assert "more than max_iterations (3)" in failed["error_message"]
    assert not [d for d in failed["execution_details"] if d["node_name"] == "Double"]
