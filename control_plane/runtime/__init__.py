"""The Runtime module (seed 000): apps generated from published project versions, their
Git repositories, deployments (runs of the ledger in control_plane/runs), and their data
served through the platform.

`api/` (routes) calls `services/` (rules, transactions), which call `queries/` (SQL);
`models.py` holds the API's bodies and `jobs.py` its job kinds. See
docs/control-plane.md, "Adding a module".
"""
