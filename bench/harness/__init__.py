"""Benchmark harness: our generated app against peer CRUD servers on one PostgreSQL."""
