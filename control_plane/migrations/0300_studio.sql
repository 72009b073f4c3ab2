-- Studio: projects, their draft spec, the immutable versions publishing freezes, and the
-- pages and components of a project.
--
-- Specs are `json`, not `jsonb`: jsonb reorders an object's keys, and the order of a
-- spec's tables and fields is the order of the generated app's columns and forms.
-- status: draft until the first publish, then published.
CREATE TABLE studio_projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- The draft: a generator ProjectSpec document (it may have no table yet), every
    -- table, field and index carrying the stable id the server gave it.
    spec json NOT NULL,
    -- The stable ids of the draft's tables (unique across projects: uuids the server
    -- made), so that /schemas/{table_id}/ finds its project through an index.
    table_ids jsonb GENERATED ALWAYS AS (jsonb_path_query_array(spec::jsonb, '$.tables.*.id'))
        STORED,
    -- Read by every list: kept here so that a list does not parse each whole spec.
    slug text GENERATED ALWAYS AS (spec->'project'->>'slug') STORED,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_projects_organization_idx
    ON studio_projects (organization_id, created_at DESC, id);
CREATE INDEX studio_projects_table_ids_idx ON studio_projects USING gin (table_ids);

-- A published version: a complete, valid ProjectSpec document (project.id is the
-- project's id, project.version its number) and the pages, never changed afterwards.
CREATE TABLE studio_versions (
    project_id uuid NOT NULL REFERENCES studio_projects (id) ON DELETE CASCADE,
    major integer NOT NULL CHECK (major >= 0),
    minor integer NOT NULL CHECK (minor >= 0),
    patch integer NOT NULL CHECK (patch >= 0),
    number text GENERATED ALWAYS AS (major || '.' || minor || '.' || patch) STORED,
    spec json NOT NULL,
    pages json NOT NULL DEFAULT '[]',
    changes json NOT NULL DEFAULT '[]',
    published_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, major, minor, patch)
);

-- A page of a project's app: its route is unique in the project.
CREATE TABLE studio_pages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES studio_projects (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    route text NOT NULL CHECK (length(route) BETWEEN 1 AND 200),
    layout text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, route)
);

-- A component of a page, in `position` order; bound to a table and fields of the draft by
-- their stable ids (so a rename keeps the binding), its options checked per type.
CREATE TABLE studio_components (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    page_id uuid NOT NULL REFERENCES studio_pages (id) ON DELETE CASCADE,
    type text NOT NULL,
    position integer NOT NULL CHECK (position >= 0),
    table_id text,
    field_ids json NOT NULL DEFAULT '[]',
    options json NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_components_page_idx ON studio_components (page_id, position, created_at);
