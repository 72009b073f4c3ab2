"""The Studio module (seeds 001, 003): projects, their data schema (a generator
ProjectSpec, the single source of truth), pages and components, published versions.

`api/` (routes) calls `services/` (rules, transactions), which call `queries/` (SQL);
`models.py` holds the API's bodies. See docs/control-plane.md, "Adding a module".
"""
