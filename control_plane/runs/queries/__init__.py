"""The ledger's SQL, one module per table."""
