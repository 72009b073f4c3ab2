"""Runtime's job kinds, one module per area, each imported by control_plane/modules.py."""
