-- Insights' performance and system metrics (docs/insights.md, "Performance", "System
-- metrics"), gathered every minute by the insights.collect_metrics job.

-- What the deployed apps' /metrics and /health said, and the control plane's own (its row
-- has no organisation, project, app or environment): one value of one metric at one
-- time. Counters (requests, errors, ...) are stored as the app reported them, cumulative
-- since it started; readers take the increases, a value below the one before meaning that
-- the app restarted. Samples older than INSIGHTS_RETENTION_DAYS are deleted hourly. No
-- foreign key: samples outlive what they describe, as events do.
CREATE TABLE insights_metric_samples (
    organization_id uuid,
    project_id uuid,
    app_id uuid,
    environment text,
    metric text NOT NULL,
    at timestamptz NOT NULL,
    value double precision NOT NULL
);
-- The series of one app since T (the performance object, the charts).
CREATE INDEX insights_metric_samples_series_idx
    ON insights_metric_samples (app_id, environment, metric, at);
-- Retention deletes by time.
CREATE INDEX insights_metric_samples_at_brin ON insights_metric_samples USING brin (at);

-- What the control plane last read of each deployment target over SSH.
CREATE TABLE insights_target_readings (
    target_id uuid PRIMARY KEY REFERENCES runtime_targets (id) ON DELETE CASCADE,
    collected_at timestamptz NOT NULL,
    reachable boolean NOT NULL,
    error text,
    load_average double precision[],
    memory_total_bytes bigint,
    memory_available_bytes bigint,
    disk_total_bytes bigint,
    disk_used_bytes bigint
);
