"""The ledger's API (runs, steps, log lines) and the bridge from deployment events."""
