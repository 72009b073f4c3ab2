"""Where an app runs: seed 000's environments."""

from enum import StrEnum


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"
