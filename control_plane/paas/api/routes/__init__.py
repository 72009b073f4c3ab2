"""One module per resource of the PaaS API."""
