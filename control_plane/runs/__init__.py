"""The run ledger: one record for every long operation a person follows step by step
(deployments and rollbacks now, workflow executions next), in the tables of
migrations/0400_runs.sql.

A run has a status (pending, running, then success, failed or cancelled, never changed
once finished), ordered steps with their timings, details, input and output, and log
lines. Every write is its own statement, made as it happens: a reader sees a run's
progress, and a run whose worker died stays readable up to its last step.

`services/ledger.py` is the API; `services/deployment_events.py` writes the events of
`deployment.record.Recorder` into a run. No routes: the modules whose runs these are
(Runtime's deployment logs) serve them.
"""
