-- Insights (docs/insights.md): the events of the organisations' users and of the platform,
-- and the rollups the reports read.

-- Every event: tracked ones (`kind` 'event', POST /track/) and activities (`kind`
-- 'activity': the platform's writes, logins, generations, deployments and executions,
-- turned into events in one place, and those posted to /activities/).
-- The largest table of the platform: partitioned by day on `occurred_at`, so that a report
-- reads only the days it covers and retention drops whole days (DROP of a partition, not
-- a DELETE of millions of rows). Partitions are made ahead by the insights maintenance job
-- and on demand by the writer (insights_ensure_partition). No foreign key: a check per
-- inserted row would halve the ingestion rate, and events outlive what they describe, as
-- audit entries do.
CREATE SEQUENCE insights_events_id_seq AS bigint;
CREATE TABLE insights_events (
    id bigint NOT NULL DEFAULT nextval('insights_events_id_seq'),
    organization_id uuid NOT NULL,
    project_id uuid,
    app_id uuid,
    kind text NOT NULL CHECK (kind IN ('event', 'activity')),
    name text NOT NULL,
    -- Who did it: a platform user's id as text, or an anonymous id given by the tracker.
    distinct_id text NOT NULL,
    -- The platform user, when the event is theirs (their own usage, for a CLIENT).
    user_id uuid,
    properties jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (occurred_at);
ALTER SEQUENCE insights_events_id_seq OWNED BY insights_events.id;

-- Indexes declared on the parent are made on every partition.
CREATE INDEX insights_events_occurred_brin ON insights_events USING brin (occurred_at);
CREATE INDEX insights_events_activity_idx ON insights_events (organization_id, occurred_at DESC, id DESC)
    WHERE kind = 'activity';

-- The partition of one UTC day, made if missing (concurrent callers take turns).
CREATE FUNCTION insights_ensure_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    partition_name text := 'insights_events_' || to_char(day, 'YYYYMMDD');
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('insights_events_partitions'));
    IF to_regclass(partition_name) IS NULL THEN
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF insights_events FOR VALUES FROM (%L) TO (%L)',
            partition_name,
            (day::timestamp AT TIME ZONE 'UTC'),
            ((day + 1)::timestamp AT TIME ZONE 'UTC')
        );
    END IF;
END
$$;

SELECT insights_ensure_partition((now() AT TIME ZONE 'UTC')::date + offset_days)
FROM generate_series(-1, 7) AS offset_days;

-- Events per hour, per organisation, project and name: what the counts and top-events
-- reports read. Kept up to date with every write of insights_events, and kept after
-- retention drops the raw events.
CREATE TABLE insights_event_counts (
    organization_id uuid NOT NULL,
    project_id uuid,
    name text NOT NULL,
    hour timestamptz NOT NULL,
    events bigint NOT NULL,
    CONSTRAINT insights_event_counts_key
        UNIQUE NULLS NOT DISTINCT (organization_id, project_id, name, hour)
);
CREATE INDEX insights_event_counts_hour_idx ON insights_event_counts (organization_id, hour);

-- Who did each event on each UTC day (one row per distinct id, name and day), with the
-- first time of that day: unique users per period, retention by cohort week. Kept up to
-- date with every write, and kept after retention.
CREATE TABLE insights_event_users (
    organization_id uuid NOT NULL,
    project_id uuid,
    name text NOT NULL,
    day date NOT NULL,
    distinct_id text NOT NULL,
    first_at timestamptz NOT NULL,
    CONSTRAINT insights_event_users_key
        UNIQUE NULLS NOT DISTINCT (organization_id, project_id, name, day, distinct_id)
);
CREATE INDEX insights_event_users_day_idx ON insights_event_users (organization_id, day);

-- How far the activity collector has read each source (audit_log, platform_events, ...).
CREATE TABLE insights_cursors (
    source text PRIMARY KEY,
    position jsonb NOT NULL DEFAULT '{}'
);
