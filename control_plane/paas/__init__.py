"""The PaaS module (seed 002), under `/api/`: a Git repository of a supported framework
deployed onto an LXC container or a VM made for it with the resources asked for, the
deployments listed, read, stopped, started and deleted (the machine destroyed), their
logs (the run ledger's) and statistics.

`api/` (routes) calls `services/` (rules, transactions), which call `queries/` (SQL);
`models.py` holds the API's bodies, `jobs/` the `paas.deploy` job. See docs/paas.md.
"""
