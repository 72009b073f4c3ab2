"""The PaaS module's SQL, one module per table."""
