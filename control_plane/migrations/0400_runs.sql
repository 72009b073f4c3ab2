-- The run ledger: one shape of record for every long operation a person follows step by
-- step (deployments now, workflow executions next): a run, its ordered steps with their
-- timings, inputs and outputs, and its log lines.
CREATE TABLE runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('deployment', 'rollback', 'workflow')),
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled')),
    job_id bigint,
    performed_by uuid REFERENCES users (id) ON DELETE SET NULL,
    error_code text,
    error_message text,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    completed_at timestamptz
);
CREATE INDEX runs_organization_idx ON runs (organization_id, kind, created_at DESC, id);

CREATE TABLE run_steps (
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 1),
    name text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'success', 'failed', 'skipped', 'cancelled')),
    details text NOT NULL DEFAULT '',
    input jsonb,
    output jsonb,
    started_at timestamptz,
    completed_at timestamptz,
    PRIMARY KEY (run_id, position)
);

CREATE TABLE run_log_lines (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    step text NOT NULL DEFAULT '',
    host text NOT NULL DEFAULT '',
    task text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT '',
    message text NOT NULL DEFAULT ''
);
CREATE INDEX run_log_lines_run_idx ON run_log_lines (run_id, id);
