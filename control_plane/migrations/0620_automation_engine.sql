-- An execution run in a server process (run_inline) rather than by a job: until this time
-- it is that process's; after it, with the run still going, the process is taken for dead
-- and a job resumes the execution (control_plane/automation/jobs/executions.py).
ALTER TABLE automation_executions ADD COLUMN inline_lease_until timestamptz;

-- The recovery pass (every 5 s) looks only at the executions that have not ended.
CREATE INDEX runs_unfinished_workflow_idx ON runs (id)
    WHERE kind = 'workflow' AND status IN ('pending', 'running');

-- A node's execution statistics read its steps.
CREATE INDEX run_steps_node_idx ON run_steps (node_id) WHERE node_id IS NOT NULL;
