"""The PaaS module's rules and transactions."""
