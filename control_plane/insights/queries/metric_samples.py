"""SQL of `insights_metric_samples`: the series gathered by the metrics job, what it
scrapes, and the reads of the performance endpoints. A counter's increase between two
samples is the difference, or the later value when it is lower (the app restarted and
counted again from zero), as Prometheus' increase() takes it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg import sql

from control_plane.db import Conn, fetch_all

# Samples of the control plane itself, or of one app in one environment.
PLATFORM = sql.SQL("app_id IS NULL")
ONE_APP = sql.SQL("app_id = %(app)s AND environment = %(environment)s")
# Of several apps (each in every environment it has samples of), and the platform's when
# %(platform)s.
SEVERAL = sql.SQL("(app_id = ANY(%(apps)s) OR (%(platform)s AND app_id IS NULL))")


@dataclass(frozen=True)
class Deployed:
    """An app's instance the metrics job scrapes."""

    organization_id: uuid.UUID
    project_id: uuid.UUID
    app_id: uuid.UUID
    environment: str
    url: str


@dataclass(frozen=True)
class Sample:
    organization_id: uuid.UUID | None
    project_id: uuid.UUID | None
    app_id: uuid.UUID | None
    environment: str | None
    metric: str
    at: datetime
    value: float


@dataclass(frozen=True)
class Increase:
    """A counter's increase per series over a time range, and the seconds it spans."""

    app_id: uuid.UUID | None
    environment: str | None
    metric: str
    increase: float
    seconds: float | None


@dataclass(frozen=True)
class Latest:
    app_id: uuid.UUID | None
    environment: str | None
    metric: str
    at: datetime
    value: float


@dataclass(frozen=True)
class Bucket:
    """One period of a chart: a counter's increase, a gauge's average, in the period."""

    at: datetime
    metric: str
    increase: float
    average: float


DEPLOYED = """
SELECT a.organization_id, a.project_id, i.app_id, i.environment, i.url
FROM runtime_instances i JOIN runtime_apps a ON a.id = i.app_id
ORDER BY i.app_id, i.environment
"""

COPY = """
COPY insights_metric_samples
    (organization_id, project_id, app_id, environment, metric, at, value)
FROM STDIN
"""

PRUNE = "DELETE FROM insights_metric_samples WHERE at < now() - %(age)s"

# Each sample's increase over the one before it (from a sample before `since`, so that the
# first one in range has its baseline), summed from `since` on.
_INCREASES = sql.SQL("""
WITH steps AS (
    SELECT app_id, environment, metric, at, value,
           lag(value) OVER series AS before, lag(at) OVER series AS before_at
    FROM insights_metric_samples
    WHERE {series} AND metric = ANY(%(metrics)s)
      AND at >= %(since)s - %(baseline)s AND at <= %(until)s
    WINDOW series AS (PARTITION BY app_id, environment, metric ORDER BY at)
)
SELECT app_id, environment, metric,
       sum(CASE WHEN value >= before THEN value - before ELSE value END) AS increase,
       extract(epoch FROM max(at) - min(before_at))::float8 AS seconds
FROM steps
WHERE before IS NOT NULL AND at >= %(since)s
GROUP BY app_id, environment, metric
""")
INCREASES = _INCREASES.format(series=SEVERAL)

LATEST = sql.SQL("""
SELECT DISTINCT ON (app_id, environment, metric) app_id, environment, metric, at, value
FROM insights_metric_samples
WHERE {series} AND metric = ANY(%(metrics)s) AND at >= %(since)s
ORDER BY app_id, environment, metric, at {direction}
""")
NEWEST = LATEST.format(series=SEVERAL, direction=sql.SQL("DESC"))
OLDEST = LATEST.format(series=SEVERAL, direction=sql.SQL("ASC"))

_BUCKETS = sql.SQL("""
WITH steps AS (
    SELECT metric, at, value, lag(value) OVER (PARTITION BY metric ORDER BY at) AS before
    FROM insights_metric_samples
    WHERE {series} AND metric = ANY(%(metrics)s)
      AND at >= %(since)s - %(baseline)s AND at < %(until)s
)
SELECT date_bin(%(step)s, at, %(since)s) AS at, metric,
       coalesce(sum(CASE WHEN before IS NULL THEN 0 WHEN value >= before THEN value - before
                         ELSE value END), 0) AS increase,
       avg(value) AS average
FROM steps
WHERE at >= %(since)s
GROUP BY 1, 2
ORDER BY 1, 2
""")
APP_BUCKETS = _BUCKETS.format(series=ONE_APP)
PLATFORM_BUCKETS = _BUCKETS.format(series=PLATFORM)

# A sample further back than this is no baseline (the series had a gap).
BASELINE = timedelta(minutes=10)


async def deployed(connection: Conn) -> list[Deployed]:
    return await fetch_all(connection, Deployed, DEPLOYED, {})


async def insert(connection: Conn, samples: list[Sample]) -> None:
    async with connection.cursor() as cursor, cursor.copy(COPY) as copy:
        for s in samples:
            row = (s.organization_id, s.project_id, s.app_id, s.environment, s.metric, s.at)
            await copy.write_row((*row, s.value))


async def prune(connection: Conn, age: timedelta) -> int:
    cursor = await connection.execute(PRUNE, {"age": age})
    return cursor.rowcount


def _several(apps: list[uuid.UUID], platform: bool, metrics: list[str]) -> dict[str, object]:
    return {"apps": apps, "platform": platform, "metrics": metrics}


async def increases(
    connection: Conn,
    apps: list[uuid.UUID],
    platform: bool,
    metrics: list[str],
    since: datetime,
    until: datetime,
) -> list[Increase]:
    values = {**_several(apps, platform, metrics), "since": since, "until": until}
    return await fetch_all(connection, Increase, INCREASES, {**values, "baseline": BASELINE})


async def newest(
    connection: Conn, apps: list[uuid.UUID], platform: bool, metrics: list[str], since: datetime
) -> list[Latest]:
    values = {**_several(apps, platform, metrics), "since": since}
    return await fetch_all(connection, Latest, NEWEST, values)


async def oldest(
    connection: Conn, apps: list[uuid.UUID], platform: bool, metrics: list[str], since: datetime
) -> list[Latest]:
    values = {**_several(apps, platform, metrics), "since": since}
    return await fetch_all(connection, Latest, OLDEST, values)


async def buckets(
    connection: Conn,
    app: tuple[uuid.UUID, str] | None,
    metrics: list[str],
    since: datetime,
    until: datetime,
    step: timedelta,
) -> list[Bucket]:
    """A chart's periods of `step` from `since`, of one app in one environment or (None)
    of the control plane."""
    values: dict[str, object] = {
        "metrics": metrics,
        "since": since,
        "until": until,
        "step": step,
        "baseline": BASELINE,
    }
    if app is None:
        return await fetch_all(connection, Bucket, PLATFORM_BUCKETS, values)
    values |= {"app": app[0], "environment": app[1]}
    return await fetch_all(connection, Bucket, APP_BUCKETS, values)
