-- Foundation: users, their sessions and one-time tokens, organisations and their
-- members, plans and subscriptions, and the audit log.

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (length(email) <= 254),
    password_hash text NOT NULL,
    first_name text NOT NULL DEFAULT '' CHECK (length(first_name) <= 150),
    last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 150),
    email_verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- A login opens a session; its refresh tokens rotate, each usable once. Using one twice
-- revokes the session (a stolen token is then worth nothing to either party).
CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    jti uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Email verification, password reset and invitation links: only a hash is stored.
CREATE TABLE one_time_tokens (
    id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    token_hash bytea PRIMARY KEY,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invitation')),
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid,
    email text,
    role text,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE login_failures (
    key text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);

CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('CLIENT', 'MEMBER', 'ADMIN', 'OWNER')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_organization_fkey
    FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE;

CREATE TABLE plans (
    code text PRIMARY KEY,
    name text NOT NULL,
    monthly_price_cents integer NOT NULL,
    currency text NOT NULL DEFAULT 'EUR',
    limits jsonb NOT NULL,
    position smallint NOT NULL
);
-- The seed's platform limits (1,000 users an organisation, 100 tables a project, ...)
-- hold on every plan; plans differ in what they add on top. null: no limit.
INSERT INTO plans (code, name, monthly_price_cents, limits, position) VALUES
    ('free', 'Free', 0, '{"projects": 3, "deployments": 1, "workflow_runs_per_month": 1000}', 1),
    ('team', 'Team', 4900, '{"projects": 50, "deployments": 20, "workflow_runs_per_month": 100000}', 2),
    ('enterprise', 'Enterprise', 29900, '{"projects": null, "deployments": null, "workflow_runs_per_month": null}', 3);

CREATE TABLE subscriptions (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    plan_code text NOT NULL REFERENCES plans (code),
    status text NOT NULL CHECK (status IN ('active', 'pending_payment', 'cancelled')),
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Who did what to which object, when and from where. Kept when the organisation goes
-- (no foreign key): an audit trail outlives what it describes.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid,
    actor_id uuid,
    action text NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    ip text,
    user_agent text,
    request_id text,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, created_at DESC, id DESC);
