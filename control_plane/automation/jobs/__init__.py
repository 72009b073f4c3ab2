"""Automation's job kinds, one module per area (executions, triggers, app events), each
imported by control_plane/modules.py."""
