-- Jobs: what our job kinds record beside the queue's own row. The queue is procrastinate's
-- (tables procrastinate_*, applied by control_plane.jobs.apply_queue_schema); job_id here
-- is procrastinate_jobs.id. No foreign key to it: the queue's schema belongs to the
-- library and is upgraded by it, on its own schedule.

-- One row per run of a job: a retry, a timeout or a lost worker starts a new attempt.
CREATE TABLE job_attempts (
    job_id bigint NOT NULL,
    attempt integer NOT NULL CHECK (attempt >= 1),
    worker text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error text,
    PRIMARY KEY (job_id, attempt)
);

-- Progress steps, in the order a handler entered them, per attempt.
CREATE TABLE job_steps (
    job_id bigint NOT NULL,
    attempt integer NOT NULL,
    position integer NOT NULL,
    name text NOT NULL,
    done integer,
    total integer,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt, position)
);

CREATE TABLE job_log_lines (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id bigint NOT NULL,
    attempt integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    line text NOT NULL
);
CREATE INDEX job_log_lines_job_idx ON job_log_lines (job_id, id);
