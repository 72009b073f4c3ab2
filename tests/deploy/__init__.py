"""Deployment tests: generated apps deployed with Ansible over real SSH to disposable hosts."""
