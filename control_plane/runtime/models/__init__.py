"""Runtime's request and response bodies, one module per area."""
