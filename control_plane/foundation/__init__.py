"""The Foundation module (seeds 001, 003): identity, organisations, subscriptions, audit.

`api/` (routes, deps) calls `services/` (rules, transactions), which call `queries/`
(SQL); `models.py` holds the API's bodies and `jobs.py` its job kinds. See
docs/control-plane.md, "Adding a module".
"""
