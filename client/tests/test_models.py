"""The client's models stay in step with the server: every field a model declares is in
the answer the server's OpenAPI document describes, a field the model requires is one the
server always sends, and a field the server may send as null is optional in the model.
(Keys the models leave out are kept as extra fields, so only what they declare can drift.)"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

import httpx
import pytest
from pydantic import BaseModel

from nocode_client import models
from tests.control_plane.conftest import Api

# Each model, and the schema of the answers it reads.
ANSWERS: dict[type[BaseModel], str] = {
    models.User: "UserPublic",
    models.TokenPair: "TokenPair",
    models.Login: "Tokens",
    models.Organization: "OrganizationPublic",
    models.Member: "MemberPublic",
    models.Invitation: "InvitationPublic",
    models.Project: "ProjectPublic",
    models.Table: "SchemaPublic",
    models.Field: "FieldPublic",
    models.VersionSummary: "VersionSummary",
    models.Version: "VersionPublic",
    models.ProjectSummary: "ProjectSummary",
    models.App: "AppPublic",
    models.PlannedChange: "PlannedChange",
    models.AppPlan: "AppPlan",
    models.Regeneration: "RegenerationStarted",
    models.DeploymentStarted: "DeploymentStarted",
    models.Step: "StepPublic",
    models.LogLine: "LogLinePublic",
    models.DeploymentSummary: "DeploymentLogPublic",
    models.Deployment: "DeploymentLogDetail",
    models.AppStatus: "control_plane__runtime__models__deployments__AppStatus",
    models.AppToken: "AppTokenPublic",
    models.AppLogs: "AppLogs",
    models.Workflow: "WorkflowPublic",
    models.Node: "NodePublic",
    models.Edge: "EdgePublic",
    models.ExecutionStarted: "ExecutionAccepted",
    models.Execution: "ExecutionSummary",
    models.ExecutionCancelled: "CancelResponse",
    models.ExecutionRetried: "RetryResponse",
    models.Accepted: "control_plane__insights__models__track__Accepted",
    models.Activity: "ActivityPublic",
    models.Report: "ReportPublic",
    models.Dashboard: "DashboardPublic",
    models.Performance: "PerformancePublic",
    models.Point: "Point",
    models.Series: "SeriesPublic",
    models.SystemMetrics: "SystemMetricsPublic",
}


@pytest.fixture(scope="module")
def schemas(platform: Api) -> dict[str, Any]:
    document = httpx.get(f"{platform.server.base_url}/api/schema/", timeout=30).json()
    return dict(document["components"]["schemas"])


def nullable(schema: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


def accepts_none(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


@pytest.mark.parametrize("model", ANSWERS, ids=lambda model: model.__name__)
def test_the_model_reads_what_the_server_answers(
    model: type[BaseModel], schemas: dict[str, Any]
) -> None:
    answer = schemas[ANSWERS[model]]
    properties, always = answer["properties"], set(answer.get("required", []))
    problems = []
    for name, field in model.model_fields.items():
        if name not in properties:
            problems.append(f"{name}: not in the answer")
            continue
        if field.is_required() and name not in always:
            problems.append(f"{name}: required here, optional in the answer")
        if nullable(properties[name]) and not accepts_none(field.annotation):
            problems.append(f"{name}: the answer may be null")
    assert problems == []


def test_every_answer_model_is_checked() -> None:
    answers = {
        getattr(models, name)
        for name in models.__all__
        if isinstance(getattr(models, name), type)
        and issubclass(getattr(models, name), models.ApiModel)
    }
    # Not described by the server's document: the base, the generic page, a generated app's
    # record, and the file of an export.
    unchecked = {models.ApiModel, models.Page, models.Record, models.Export}
    assert answers - unchecked == set(ANSWERS)
