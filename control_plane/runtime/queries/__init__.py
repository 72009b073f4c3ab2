"""Runtime's SQL, one module per table."""
