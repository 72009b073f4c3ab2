"""The Foundation's route handlers, one module per resource."""
