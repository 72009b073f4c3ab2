"""Studio's SQL, one module per table."""
