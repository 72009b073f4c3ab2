"""Studio's rules and transactions, called by the route handlers."""
