-- PaaS (seed 002): deployments of a Git repository of a supported framework onto a machine
-- (an LXC container or a VM) made for it. The row stays after the machine is destroyed
-- (`deleted`); its runs are the ledger's (paas_runs).
ALTER TABLE runs DROP CONSTRAINT runs_kind_check;
ALTER TABLE runs ADD CONSTRAINT runs_kind_check
    CHECK (kind IN ('deployment', 'rollback', 'workflow', 'paas_deployment', 'paas_deletion'));

-- Machines are numbered from 100, as Proxmox numbers its guests.
CREATE SEQUENCE paas_vm_ids START 100;

CREATE TABLE paas_deployments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]{3,50}$'),
    deployment_type text NOT NULL CHECK (deployment_type IN ('vm', 'lxc')),
    framework text NOT NULL,
    source_kind text NOT NULL CHECK (source_kind IN ('github', 'git', 'app')),
    source text NOT NULL,  -- the GitHub or Git URL as given, or the app's repository
    app_id uuid REFERENCES runtime_apps (id) ON DELETE SET NULL,
    cores integer NOT NULL CHECK (cores BETWEEN 1 AND 16),
    memory integer NOT NULL CHECK (memory BETWEEN 256 AND 32768),
    disk integer NOT NULL CHECK (disk BETWEEN 5 AND 500),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'provisioning', 'deploying', 'running', 'failed', 'stopped', 'deleted'
    )),
    vm_id integer NOT NULL UNIQUE DEFAULT nextval('paas_vm_ids'),
    machine_name text NOT NULL UNIQUE,
    ip_address inet,
    -- The address is held from its allocation until the machine is destroyed.
    address_held boolean NOT NULL DEFAULT false,
    port integer,
    access_url text,
    commit text,
    ssh_public_key text,
    ssh_private_key bytea,  -- encrypted (platform_support.vault), never returned
    jwt_secret bytea,  -- a generated app's token key, encrypted
    error_message text,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deployed_at timestamptz,
    deleted_at timestamptz
);
CREATE INDEX paas_deployments_organization_idx
    ON paas_deployments (organization_id, created_at DESC, id);
CREATE UNIQUE INDEX paas_deployments_address_idx
    ON paas_deployments (deployment_type, ip_address) WHERE address_held;

-- The runs of a deployment: its deployment, then its deletion.
CREATE TABLE paas_runs (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    deployment_id uuid NOT NULL REFERENCES paas_deployments (id) ON DELETE CASCADE
);
CREATE INDEX paas_runs_deployment_idx ON paas_runs (deployment_id);
