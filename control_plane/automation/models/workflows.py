"""Bodies of `/workflows/` (seed 004): a workflow of a Studio project, its trigger and its
settings. `trigger_config` has one shape per trigger type (`TRIGGER_CONFIGS`); a webhook
workflow's `webhook_url` is computed when shown, never stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from control_plane.automation.models.common import TriggerType, WorkflowSettings, WorkflowStatus
from control_plane.automation.models.executions import StatisticsSummary
from control_plane.events import NAMES as EVENT_NAMES
from control_plane.foundation.models import Body, OneLine

WorkflowName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Description = Annotated[str, Field(max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200), OneLine]


def _cron(expression: str) -> str:
    # croniter takes 5 fields (minute first) or 6 (a seconds field last).
    if len(expression.split()) not in (5, 6) or not croniter.is_valid(expression):
        raise ValueError("must be a cron expression of 5 or 6 fields")
    return expression


def _event(name: str) -> str:
    if name not in EVENT_NAMES:
        raise ValueError(f"must be one of {', '.join(sorted(EVENT_NAMES))}")
    return name


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookConfig(_Config):
    # When the webhook's caller gets its answer: at once (202), or with the last node's output.
    respond: Literal["immediately", "when_last_node_finishes"] = "immediately"
    endpoint: ShortText | None = None  # a label, as the seed shows it
    event: ShortText | None = None


class CronConfig(_Config):
    cron: Annotated[str, Field(max_length=200), AfterValidator(_cron)]


class EventConfig(_Config):
    event: Annotated[str, AfterValidator(_event)]
    table: ShortText | None = None  # record.* events: only this table's records


class NoConfig(_Config):
    pass


TRIGGER_CONFIGS: dict[TriggerType, type[_Config]] = {
    TriggerType.WEBHOOK: WebhookConfig,
    TriggerType.CRON: CronConfig,
    TriggerType.EVENT: EventConfig,
    TriggerType.MANUAL: NoConfig,
    TriggerType.API_CALL: NoConfig,
}

# The statuses a PUT may set; `active` and `scheduled` come from /activate/.
EditableStatus = Literal[WorkflowStatus.DRAFT, WorkflowStatus.INACTIVE]


class WorkflowCreate(Body):
    name: WorkflowName
    description: Description = ""
    project: uuid.UUID
    trigger_type: TriggerType
    trigger_config: dict[str, Any] = {}
    settings: WorkflowSettings = Field(default_factory=WorkflowSettings)


class WorkflowUpdate(Body):
    name: WorkflowName | None = None
    description: Description | None = None
    status: EditableStatus | None = None
    trigger_type: TriggerType | None = None
    trigger_config: dict[str, Any] | None = None
    settings: WorkflowSettings | None = None


class ProjectRef(BaseModel):
    tracking_id: uuid.UUID
    name: str


class WorkflowPublic(BaseModel):
    id: uuid.UUID
    tracking_id: uuid.UUID
    name: str
    description: str
    project: ProjectRef
    status: WorkflowStatus
    trigger_type: TriggerType
    trigger_config: dict[str, Any]  # with `webhook_url` for a webhook workflow
    settings: WorkflowSettings
    nodes_count: int
    edges_count: int
    executions_count: int
    success_rate: float | None  # completed / finished executions; None before the first
    last_executed: datetime | None
    created_at: datetime
    updated_at: datetime
    # The engine's figures (executions today, this week...): only on GET one.
    statistics: StatisticsSummary | None = None
