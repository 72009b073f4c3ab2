"""Golden copies of generated apps: `expected/` holds what the generator must write."""
