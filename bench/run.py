#!/usr/bin/env python3
"""Benchmark our generated app against FastCRUD, Platformatic DB and Directus.

    .venv/bin/python bench/run.py [--only ours,fastcrud] [--kinds get,delete]
                                  [--duration 10] [--runs 3]

One embedded PostgreSQL for all; each contender gets its own database with the same seeded
produits table and runs alone. Prints a markdown table, writes bench/results/latest.json.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.config import KINDS, RESULTS_DIR, WORK_DIR, Settings  # noqa: E402
from harness.contenders import CONTENDERS  # noqa: E402
from harness.pg import start_postgres  # noqa: E402
from harness.report import markdown, write_json  # noqa: E402
from harness.runner import ContenderResult, run_contender  # noqa: E402
from harness.wrk import wrk_binary  # noqa: E402


def parse_args(argv: list[str]) -> tuple[list[str], Settings, Path]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        default=",".join(CONTENDERS),
        help=f"comma-separated contenders (default: all of {', '.join(CONTENDERS)})",
    )
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"comma-separated request kinds, run in this order whatever the order given "
        f"(default: all of {', '.join(KINDS)})",
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measured run (default 10)"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="measured runs per request kind (default 3)"
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="warm-up seconds per request kind (default 5)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in CONTENDERS]
    if unknown:
        parser.error(f"unknown contender(s): {', '.join(unknown)}")
    asked = {kind.strip() for kind in args.kinds.split(",") if kind.strip()}
    if unknown := sorted(asked - set(KINDS)):
        parser.error(f"unknown kind(s): {', '.join(unknown)} (known: {', '.join(KINDS)})")
    if not asked:
        parser.error("--kinds: name at least one kind")
    if not (1 <= args.duration <= 120 and 1 <= args.runs <= 10 and 0 <= args.warmup <= 60):
        parser.error("--duration 1..120, --runs 1..10, --warmup 0..60")
    settings = Settings(
        duration=args.duration,
        runs=args.runs,
        warmup=args.warmup,
        connections=args.connections,
        threads=args.threads,
        kinds=tuple(kind for kind in KINDS if kind in asked),
    )
    return names, settings, args.output


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    names, settings, output = parse_args(argv)
    # On SIGTERM, unwind normally: the running contender is stopped and PostgreSQL (atexit) too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk_binary()  # fail early when wrk is missing
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log("starting embedded PostgreSQL")
    pg = start_postgres(WORK_DIR / "pgdata")
    with pg.connect() as conn:
        row = conn.execute("SHOW server_version").fetchone()
    pg_version = str(row[0]) if row else "unknown"
    log(f"PostgreSQL {pg_version} on {pg.socket_dir}")
    results: list[ContenderResult] = []
    for name in names:
        results.append(run_contender(CONTENDERS[name](), pg, settings, log))
    write_json(output, results, settings, pg_version)
    print(markdown(results, settings))
    log(f"wrote {output}")
    measured = [r for r in results if r.status == "ok" and set(r.kinds) == set(settings.kinds)]
    return 0 if measured else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
