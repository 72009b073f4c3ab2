"""The platform limits of seed 001 that the Foundation enforces."""

MAX_MEMBERS_PER_ORGANIZATION = 1000
