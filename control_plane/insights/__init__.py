"""The Insights module (seeds 001 and 003; seed 000's "Monitoring et Performance"): events
tracked by users and apps, the platform's activities turned into events in one place,
reports and dashboards over them, the deployed apps' performance and the platform's
system metrics gathered on a schedule, and exports as CSV, JSON and PDF.

`api/` (routes) calls `services/` (rules, transactions), which call `queries/` (SQL);
`models/` holds the API's bodies, `jobs/` the job kinds and schedules. See
docs/control-plane.md, "Adding a module", and docs/insights.md.
"""
