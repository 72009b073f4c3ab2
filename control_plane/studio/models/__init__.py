"""Request and response bodies of the Studio API (pydantic), one module per area."""
