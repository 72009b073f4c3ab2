"""The analytics reports' parameters and answers (docs/insights.md, "Analytics and
dashboards"). `ReportQuery` is what GET /analytics/ reads from its query string, what a
dashboard saves for each of its reports, and what an export of a report takes: one model,
checked the same way everywhere."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from control_plane.foundation.models import OneLine

DEFAULT_DAYS = 30
MAX_DAYS = 400
MAX_HOURLY_DAYS = 31


class ReportKind(StrEnum):
    COUNTS = "counts"
    TOP_EVENTS = "top_events"
    FUNNEL = "funnel"
    RETENTION = "retention"


class Interval(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


class Scope(StrEnum):
    """Whose events a report covers: the organisation's, or the caller's own (a CLIENT)."""

    ORGANIZATION = "organization"
    OWN = "own"


def _listed(value: Any) -> Any:
    """A repeated query parameter arrives as a list; a saved query may give one string."""
    return [value] if isinstance(value, str) else value


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        return [step.strip() for step in value.split(",")]
    return value


def _json_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("must be a JSON object") from None
    return value


def _utc(value: Any) -> Any:
    """A date or a time without an offset is read as UTC."""
    if isinstance(value, str) and len(value) == 10:
        value = f"{value}T00:00:00"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be an ISO 8601 date or time") from None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _plausible(moment: datetime) -> datetime:
    if not 1970 <= moment.year <= 2200:
        raise ValueError("must be between the years 1970 and 2200")
    return moment


EventName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$"), OneLine
]
PropertyName = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]
# Equality filters on `properties`: a value is a JSON scalar (text without a NUL).
PropertyValue = (
    Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
    | int
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
)
Moment = Annotated[datetime, BeforeValidator(_utc), AfterValidator(_plausible)]


class ReportQuery(BaseModel):
    """The parameters of a report, without its organisation (the request's, or the
    dashboard's)."""

    model_config = ConfigDict(extra="forbid")

    report: ReportKind
    interval: Interval = Interval.DAY
    event: Annotated[list[EventName], BeforeValidator(_listed), Field(max_length=20)] = []
    project: uuid.UUID | None = None
    since: Moment | None = None
    until: Moment | None = None
    properties: Annotated[
        dict[PropertyName, PropertyValue], BeforeValidator(_json_object), Field(max_length=10)
    ] = {}
    steps: Annotated[
        list[EventName],
        BeforeValidator(_comma_separated),
        Field(max_length=10, validate_default=True),
    ] = []
    window_days: int = Field(default=14, ge=1, le=90)
    limit: int = Field(default=10, ge=1, le=100)

    @field_validator("steps")
    @classmethod
    def _steps_of_a_funnel(cls, steps: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("report") == ReportKind.FUNNEL:
            if len(steps) < 2:
                raise ValueError("a funnel has 2 to 10 steps (steps=a,b,c)")
            if len(set(steps)) != len(steps):
                raise ValueError("each step must be a different event")
        return steps


@dataclass(frozen=True)
class Period:
    """[since, until), in UTC, aligned to whole units of the report (hours, days or weeks),
    so that the rollups and the raw events answer the same."""

    since: datetime
    until: datetime


def _floor(moment: datetime, unit: Interval) -> datetime:
    moment = moment.astimezone(UTC)
    if unit == Interval.HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    start = datetime.combine(moment.date(), datetime.min.time(), UTC)
    if unit == Interval.WEEK:
        start -= timedelta(days=start.weekday())
    return start


def _ceil(moment: datetime, unit: Interval) -> datetime:
    floor = _floor(moment, unit)
    if floor == moment:
        return floor
    step = {Interval.HOUR: timedelta(hours=1), Interval.DAY: timedelta(days=1)}
    return floor + step.get(unit, timedelta(weeks=1))


class OutOfBounds(ValueError):
    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(problem)
        self.parameter = parameter
        self.problem = problem


def bounded_period(
    since: datetime | None, until: datetime | None, now: datetime, unit: Interval | None
) -> Period:
    """[since, until) (default: the last 30 days), aligned to `unit` (None: as given), or
    OutOfBounds naming the parameter."""
    until = until or now
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise OutOfBounds("since", "must be before until")
    if until - since > timedelta(days=MAX_DAYS):
        raise OutOfBounds("since", f"a report covers at most {MAX_DAYS} days")
    if unit == Interval.HOUR and until - since > timedelta(days=MAX_HOURLY_DAYS):
        raise OutOfBounds("interval", f"an hourly report covers at most {MAX_HOURLY_DAYS} days")
    if unit is None:
        return Period(since.astimezone(UTC), until.astimezone(UTC))
    return Period(_floor(since, unit), _ceil(until, unit))


def period_of(query: ReportQuery, now: datetime) -> Period:
    """The period a report covers: whole hours, days or weeks (a report other than counts:
    days)."""
    unit = query.interval if query.report == ReportKind.COUNTS else Interval.DAY
    return bounded_period(query.since, query.until, now, unit)


class CountsRow(BaseModel):
    period: datetime
    event: str | None
    events: int
    users: int


class TopEventRow(BaseModel):
    event: str
    events: int
    users: int


class FunnelStep(BaseModel):
    step: int
    event: str
    users: int
    from_previous: float | None
    from_first: float | None


class RetentionCohort(BaseModel):
    """A cohort (the Monday of its ISO week) and, for it and each following week of the
    period, how many of its distinct ids were active and what share of the cohort."""

    cohort: date
    users: int
    active: list[int]
    shares: list[float]


Results = list[CountsRow] | list[TopEventRow] | list[FunnelStep] | list[RetentionCohort]


class ReportPublic(BaseModel):
    report: ReportKind
    organization_id: uuid.UUID
    scope: Scope
    since: datetime
    until: datetime
    interval: Interval | None
    events: list[str]
    project: uuid.UUID | None
    properties: dict[str, Any]
    source: Literal["rollups", "events"]
    results: Results
