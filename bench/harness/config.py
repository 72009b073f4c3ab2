"""Paths and the fixed shape of a benchmark run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BENCH_DIR.parent
PEERS_DIR = BENCH_DIR / ".peers"
WORK_DIR = BENCH_DIR / ".work"
LUA_SCRIPT = BENCH_DIR / "lua" / "bench.lua"
RESULTS_DIR = BENCH_DIR / "results"

ROWS = 100_000
HOST = "127.0.0.1"

# The request kinds, in the order they run (the writes last, delete at the very end).
KINDS: tuple[str, ...] = ("get", "list20", "list100", "list20w", "create", "patch", "delete")

# Kinds measured while a second wrk writes at a steady pace: kind -> (the measured
# request's kind, the background writer's kind). list20w is list20 under about 50 PATCH/s.
UNDER_WRITES: dict[str, tuple[str, str]] = {"list20w": ("list20", "patch")}
# The background writer's rate (requests a second, sent on schedule; the achieved rate of
# 2xx answers is reported).
WRITES_PER_S = 50.0

# The delete kind deletes rows inserted for it (harness/deletes.py), ids from this one up.
DELETE_FIRST_ID = 10_000_001
# Rows inserted before the kind's first wrk run, per second of that run (no rate known yet;
# above any contender's delete rate here), and later: this many times the highest rate at
# which a run used ids so far, per second of run.
DELETE_FIRST_ROWS_PER_S = 20_000
DELETE_MARGIN = 2.0


@dataclass(frozen=True)
class Settings:
    """Knobs of one invocation (see run.py --help)."""

    duration: int = 10
    runs: int = 3
    warmup: int = 5
    connections: int = 32
    threads: int = 2
    # Each connection waits this long after an answer before its next request (0: none):
    # a paced load, to read latency at a given rate rather than at saturation.
    pace_ms: float = 0.0
    startup_timeout: float = 120.0
    keep_logs: bool = True
    # The request kinds measured (run.py --kinds), in KINDS order.
    kinds: tuple[str, ...] = KINDS
