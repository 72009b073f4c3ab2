"""The PaaS module's job kinds: `paas.deploy` (control_plane/paas/jobs/deploy.py)."""
