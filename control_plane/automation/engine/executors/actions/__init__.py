"""The kinds of `action` node (config `action_type`), each a small executor of its own
that the `action` executor dispatches to."""
