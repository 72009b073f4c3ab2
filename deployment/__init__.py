"""Deployment of generated apps with Ansible: release archives, inventories, runs, records.

`nocode deploy` and `nocode rollback` call `deploy()` and `rollback()` here; the control
plane will call the same functions from a job. The playbooks live in ansible/.
"""
