"""The nocode command line and the local services it starts (embedded PostgreSQL)."""
