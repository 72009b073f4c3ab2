-- Studio: projects, their draft spec, and the immutable versions publishing freezes.
-- status: draft until the first publish, then published.
CREATE TABLE studio_projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- The draft: a generator ProjectSpec document (it may have no table yet), every
    -- table, field and index carrying the stable id the server gave it.
    spec jsonb NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_projects_organization_idx
    ON studio_projects (organization_id, created_at DESC, id);

-- A published version: a complete, valid ProjectSpec document (project.id is the
-- project's id, project.version its number) and the pages, never changed afterwards.
CREATE TABLE studio_versions (
    project_id uuid NOT NULL REFERENCES studio_projects (id) ON DELETE CASCADE,
    major integer NOT NULL CHECK (major >= 0),
    minor integer NOT NULL CHECK (minor >= 0),
    patch integer NOT NULL CHECK (patch >= 0),
    number text GENERATED ALWAYS AS (major || '.' || minor || '.' || patch) STORED,
    spec jsonb NOT NULL,
    pages jsonb NOT NULL DEFAULT '[]',
    changes jsonb NOT NULL DEFAULT '[]',
    published_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, major, minor, patch)
);
