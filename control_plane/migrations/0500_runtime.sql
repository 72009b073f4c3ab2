-- Runtime: the apps generated from published project versions, where they deploy, and
-- what runs where.
CREATE TABLE runtime_apps (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES studio_projects (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'generated', 'deployment_pending', 'deployed', 'deployment_failed', 'error'
    )),
    environment text NOT NULL DEFAULT 'production'
        CHECK (environment IN ('production', 'staging', 'development')),
    version text,  -- the studio version of the last generation
    commit text,  -- the repository commit of the last generation
    generation_job_id bigint,
    error_message text,
    remote_url text,  -- where every generation is pushed, shown without its password
    remote_secret bytea,  -- the same URL as given, encrypted: it may carry credentials
    jwt_secret bytea NOT NULL,  -- encrypted (platform_support.vault): the key of its tokens
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runtime_apps_organization_idx
    ON runtime_apps (organization_id, created_at DESC, id);
CREATE INDEX runtime_apps_project_idx ON runtime_apps (project_id);

-- Where an organisation deploys: SSH hosts. An environment no target lists deploys to
-- the local target (this machine), which has no row.
CREATE TABLE runtime_targets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    host text NOT NULL,
    port integer NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
    username text NOT NULL DEFAULT 'root',
    private_key bytea,  -- encrypted (platform_support.vault), never returned
    app_port integer NOT NULL DEFAULT 8000 CHECK (app_port BETWEEN 1 AND 65535),
    environments text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);

-- A deployment or rollback of an app: a run of the ledger with what it deployed.
CREATE TABLE runtime_deployments (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    app_id uuid NOT NULL REFERENCES runtime_apps (id) ON DELETE CASCADE,
    environment text NOT NULL CHECK (environment IN ('production', 'staging', 'development')),
    target_id uuid REFERENCES runtime_targets (id) ON DELETE SET NULL,  -- NULL: local
    version text,
    commit text,
    retry_of uuid REFERENCES runs (id) ON DELETE SET NULL
);
CREATE INDEX runtime_deployments_app_idx ON runtime_deployments (app_id, environment);

-- What serves an app in each environment, once a deployment succeeded: its base URL
-- (http://127.0.0.1:PORT for the local target), which the platform forwards data to.
CREATE TABLE runtime_instances (
    app_id uuid NOT NULL REFERENCES runtime_apps (id) ON DELETE CASCADE,
    environment text NOT NULL CHECK (environment IN ('production', 'staging', 'development')),
    target_id uuid REFERENCES runtime_targets (id) ON DELETE SET NULL,
    url text NOT NULL,
    local_port integer UNIQUE,  -- the port the local target gave it
    run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, environment)
);
