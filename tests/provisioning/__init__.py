"""Provisioning tests: real LXC containers made, measured and destroyed by the providers."""
