-- An execution run in a server process (run_inline) rather than by a job: until this time
-- it is that process's; after it, with the run still going, the process is taken for dead
-- and a job resumes the execution (control_plane/automation/jobs/executions.py).
ALTER TABLE automation_executions ADD COLUMN inline_lease_until timestamptz;
CREATE INDEX automation_executions_inline_idx
    ON automation_executions (inline_lease_until) WHERE inline_lease_until IS NOT NULL;

-- A node's execution statistics read its steps.
CREATE INDEX run_steps_node_idx ON run_steps (node_id) WHERE node_id IS NOT NULL;
