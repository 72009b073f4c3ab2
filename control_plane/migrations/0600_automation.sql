-- Automation (seed 004): workflows of a project, their nodes and edges, the integrations of
-- an organisation, and executions (runs of kind 'workflow' of the run ledger, 0400_runs.sql,
-- one step per node run). Platform events (0600 too) feed the `event` triggers.

-- status: draft (new), active (its webhook, cron or event trigger fires), inactive
-- (deactivated), scheduled (an active cron workflow, as the seed lists it).
CREATE TABLE automation_workflows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES studio_projects (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'active', 'inactive', 'scheduled')),
    trigger_type text NOT NULL
        CHECK (trigger_type IN ('webhook', 'cron', 'manual', 'event', 'api_call')),
    -- The trigger's settings as given (event name, cron expression, endpoint, respond mode);
    -- never a secret.
    trigger_config jsonb NOT NULL DEFAULT '{}',
    -- timeout_seconds, retry_on_failure, max_retries, notifications (models/settings.py).
    settings jsonb NOT NULL DEFAULT '{}',
    -- The webhook trigger's shared secret (HMAC key), encrypted by the platform's vault.
    webhook_secret bytea,
    -- Seed 003's default workflows of a project: which one this is (NULL: made by a person).
    default_key text,
    -- Who activated it last: its role bounds what the unattended triggers may run.
    activated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    activated_at timestamptz,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, default_key)
);
CREATE INDEX automation_workflows_organization_idx
    ON automation_workflows (organization_id, created_at DESC, id);
CREATE INDEX automation_workflows_project_idx ON automation_workflows (project_id);
CREATE INDEX automation_workflows_firing_idx
    ON automation_workflows (trigger_type) WHERE status IN ('active', 'scheduled');

-- node_type: trigger, action, condition, transform, delay, loop, http_request,
-- database_query. config holds expressions (`{{...}}`) as text: data, never code.
-- safe_to_repeat: a node with side effects whose run was cut by a crash may run again.
CREATE TABLE automation_nodes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id uuid NOT NULL REFERENCES automation_workflows (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    node_type text NOT NULL CHECK (node_type IN (
        'trigger', 'action', 'condition', 'transform', 'delay', 'loop', 'http_request',
        'database_query'
    )),
    position jsonb NOT NULL DEFAULT '{"x": 0, "y": 0}',
    config jsonb NOT NULL DEFAULT '{}',
    inputs jsonb NOT NULL DEFAULT '[]',
    outputs jsonb NOT NULL DEFAULT '[]',
    safe_to_repeat boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automation_nodes_workflow_idx ON automation_nodes (workflow_id, created_at, id);

-- An edge is taken when its condition (an expression over the source node's output) holds;
-- no condition: always. Deleting a node deletes its edges.
CREATE TABLE automation_edges (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id uuid NOT NULL REFERENCES automation_workflows (id) ON DELETE CASCADE,
    source_node_id uuid NOT NULL REFERENCES automation_nodes (id) ON DELETE CASCADE,
    target_node_id uuid NOT NULL REFERENCES automation_nodes (id) ON DELETE CASCADE,
    condition text CHECK (length(condition) <= 2000),
    label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    style jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_node_id, target_node_id)
);
CREATE INDEX automation_edges_workflow_idx ON automation_edges (workflow_id, created_at, id);

-- type: email, messaging, storage, database, payment, analytics. configuration holds the
-- settings that are not secret; secrets holds the others (api_key, webhook_url, password,
-- webhook_secret...) as one JSON object encrypted by the vault, never returned or logged.
CREATE TABLE automation_integrations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    type text NOT NULL
        CHECK (type IN ('email', 'messaging', 'storage', 'database', 'payment', 'analytics')),
    provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    status text NOT NULL DEFAULT 'configured' CHECK (status IN ('configured', 'error', 'disabled')),
    configuration jsonb NOT NULL DEFAULT '{}',
    secrets bytea,
    settings jsonb NOT NULL DEFAULT '{}',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automation_integrations_organization_idx
    ON automation_integrations (organization_id, created_at DESC, id);

-- An execution: the workflow side of a run of kind 'workflow' (status, timings, error and
-- the per-node steps are the run's; a step's node is run_steps.node_id). mode 'test' is a
-- dry run (POST /test/): nodes with side effects only say what they would do.
-- state: what the engine needs to resume (node outputs so far, the frontier, loop
-- positions); retry_of / retry_from_node: the execution a retry resumes.
CREATE TABLE automation_executions (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    workflow_id uuid NOT NULL REFERENCES automation_workflows (id) ON DELETE CASCADE,
    trigger_type text NOT NULL
        CHECK (trigger_type IN ('webhook', 'cron', 'manual', 'event', 'api_call')),
    mode text NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'test')),
    input_data jsonb NOT NULL DEFAULT '{}',
    execution_context jsonb NOT NULL DEFAULT '{}',
    output_data jsonb,
    execution_path jsonb NOT NULL DEFAULT '[]',
    state jsonb NOT NULL DEFAULT '{}',
    retry_of uuid REFERENCES runs (id) ON DELETE SET NULL,
    retry_from_node uuid,
    deadline_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automation_executions_workflow_idx
    ON automation_executions (workflow_id, created_at DESC, run_id);

-- A workflow's history goes with it: its executions' runs are deleted with their rows.
CREATE FUNCTION automation_delete_execution_run() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM runs WHERE id = OLD.run_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER automation_executions_delete_run
    AFTER DELETE ON automation_executions
    FOR EACH ROW EXECUTE FUNCTION automation_delete_execution_run();

-- The step of a node run (NULL for a step of a deployment).
ALTER TABLE run_steps ADD COLUMN node_id uuid;

-- A cron workflow's ticks: one row per (workflow, due time), so that one execution starts
-- per tick whatever the number of workers.
CREATE TABLE automation_cron_ticks (
    workflow_id uuid NOT NULL REFERENCES automation_workflows (id) ON DELETE CASCADE,
    due_at timestamptz NOT NULL,
    run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
    PRIMARY KEY (workflow_id, due_at)
);

-- Platform events (control_plane/events.py), written in the transaction of the change they
-- tell of: project.created, project.published, app.deployed, app.deployment_failed,
-- record.created, record.updated, record.deleted. The event dispatcher starts the
-- executions of the active `event` workflows that match, after its cursor.
CREATE TABLE platform_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid,
    name text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX platform_events_organization_idx ON platform_events (organization_id, id);

-- How far each consumer of platform_events has read.
CREATE TABLE platform_event_cursors (
    consumer text PRIMARY KEY,
    last_event_id bigint NOT NULL DEFAULT 0
);
