"""The Automation module (seed 004): workflows of typed nodes joined by edges, triggered by
webhooks, schedules, platform events, API calls or by hand, and executed durably on the job
queue with one record per node run in the run ledger (control_plane/runs); the
organisation's integrations (secrets encrypted) and the catalogue of actions.

`api/` (routes) calls `services/` (rules, transactions), which call `queries/` (SQL);
`models/` holds the API's bodies, `engine/` runs executions, `expressions/` evaluates the
expression language, `jobs.py` declares the job kinds. See docs/control-plane.md,
"Adding a module", and docs/automation.md.
"""
