"""Runtime's route handlers, one module per resource."""
