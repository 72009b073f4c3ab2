"""Spec changes: what changed between the spec a repository was generated from and a new
one (matched by stable ids, each change classed and, if the database cannot make it
safely, refused), and the migration carrying it out, both from one computation."""

from generator.changes.changeset import ChangeSet, initial_migration, plan_changes
from generator.changes.hooks import hook_warnings
from generator.changes.model import Change, Renamed, Safety, describe
from generator.changes.recorded import Recorded, recorded_spec
from generator.changes.sql import CONCURRENT_MARKER, Migration

__all__ = [
    "CONCURRENT_MARKER",
    "Change",
    "ChangeSet",
    "Migration",
    "Recorded",
    "Renamed",
    "Safety",
    "describe",
    "hook_warnings",
    "initial_migration",
    "plan_changes",
    "recorded_spec",
]
