-- Insights reports (docs/insights.md, "Analytics and dashboards", "Speed"): the index the
-- funnel and the reports over raw events read, and saved dashboards.

-- The funnel (and a report filtered on properties or on a CLIENT's own events) reads the
-- events of a few names in a period: per daily partition, the rows of those names in
-- time order, with who did them, without visiting the table (an index-only scan).
CREATE INDEX insights_events_name_idx
    ON insights_events (organization_id, name, occurred_at) INCLUDE (distinct_id);

-- A dashboard: saved reports, each `{"title", "query"}` with the parameters of
-- GET /analytics/ (checked as that endpoint checks them), at most 20.
CREATE TABLE insights_dashboards (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    reports jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(reports) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX insights_dashboards_organization_idx
    ON insights_dashboards (organization_id, created_at DESC, id);

-- The unique users of a day or a week (`grain`, from its first day `start`), per
-- project or every one and per name or every one, as the counts report last computed
-- them from insights_event_users, with the period's event count at that time. Every new
-- event of a period changes its count (the writer keeps insights_event_counts exact), and
-- only a new event can add a user: a row whose count is still the period's is still
-- exact, and the report reuses it instead of counting distinct ids again; a row whose
-- count differs is computed anew.
CREATE TABLE insights_period_users (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid,
    name text,
    grain text NOT NULL CHECK (grain IN ('day', 'week')),
    start date NOT NULL,
    events bigint NOT NULL,
    users bigint NOT NULL,
    CONSTRAINT insights_period_users_key
        UNIQUE NULLS NOT DISTINCT (organization_id, project_id, name, grain, start)
);
