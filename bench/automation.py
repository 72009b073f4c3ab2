"""Automation benchmark: our workflow engine and n8n, in the same run, on the same two
webhook workflows under the same load.

    .venv/bin/python -m bench.automation [--only ours,n8n,n8n-legacy] [--duration 10]
        [--runs 3] [--warmup 5] [--rate 250]

For each engine and workflow: wrk (-t2 -c32, lua/bench.lua) for a warm-up, then `--runs`
runs; per run the executions finished, and the CPU time of the engine's processes and of
its database over the run. Prints a markdown table of the medians and writes
bench/results/automation.json (every run). `--rate R` paces the connections (wrk's
`delay()`: each waits 32/R s after an answer) to read the latency at about R requests/s
rather than at saturation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

from bench.harness import cpu
from bench.harness.automation import Engine, Flow, n8n, nodered, ours, timings
from bench.harness.config import RESULTS_DIR, WORK_DIR, Settings
from bench.harness.install import PeerUnavailable
from bench.harness.runner import cpu_busy
from bench.harness.wrk import run_wrk

ENGINES: dict[str, Callable[[Path], AbstractContextManager[Engine]]] = {
    "ours": ours.running,
    "n8n": partial(n8n.running, legacy=False),
    "n8n-legacy": partial(n8n.running, legacy=True),
    "node-red": nodered.running,
}
DRAIN_SECONDS = 60.0


@dataclass(frozen=True)
class Run:
    """One measured wrk run of one flow."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    sample_error: str
    executions_finished: int
    executions_per_s: float
    cpu_s: dict[str, float]

    @property
    def cpu_ms_per_execution(self) -> float:
        done = max(self.executions_finished, 1)
        return sum(self.cpu_s.values()) * 1000 / done


def _measure_run(engine: Engine, flow: Flow, settings: Settings, nonce: str) -> Run:
    groups = engine.cpu_groups()
    cpu_before, done_before = cpu.sample(groups), engine.finished_executions()
    result = run_wrk(
        engine.base_url, flow.request, flow.headers, settings, duration=settings.duration,
        nonce=nonce,
    )  # fmt: skip
    cpu_after, done_after = cpu.sample(groups), engine.finished_executions()
    if done_before is None or done_after is None:  # nothing stored: each answer is one
        finished = result.requests - result.non2xx
    else:
        finished = done_after - done_before
    return Run(
        requests_per_s=round(result.rps, 1),
        p50_ms=round(result.p50_ms, 2),
        p99_ms=round(result.p99_ms, 2),
        errors=result.non2xx + result.socket_errors + result.timeouts,
        sample_error=result.sample_error,
        executions_finished=finished,
        executions_per_s=round(finished / result.duration_s, 1),
        cpu_s={name: round(cpu_after[name] - cpu_before[name], 3) for name in groups},
    )


def _drain(engine: Engine) -> float:
    """Seconds until every stored execution has finished (a queue left behind by a flow
    that answers before it runs), at most DRAIN_SECONDS."""
    began = time.monotonic()
    while time.monotonic() - began < DRAIN_SECONDS:
        finished = engine.finished_executions()
        if finished is None or finished >= engine.stored()["executions"]:
            break
        time.sleep(0.2)
    return round(time.monotonic() - began, 1)


def _summary(flow: Flow, runs: list[Run], drained_s: float) -> dict[str, object]:
    per_execution = statistics.median(run.cpu_ms_per_execution for run in runs)
    return {
        "flow": flow.name,
        "executions_per_s": statistics.median(run.executions_per_s for run in runs),
        "requests_per_s": statistics.median(run.requests_per_s for run in runs),
        "p50_ms": statistics.median(run.p50_ms for run in runs),
        "p99_ms": statistics.median(run.p99_ms for run in runs),
        "errors": sum(run.errors for run in runs),
        "cpu_ms_per_execution": round(per_execution, 2),
        "cpu_ms_per_node": round(per_execution / flow.node_runs, 2),
        "drain_s": drained_s,
        "runs": [asdict(run) | {"cpu_ms_per_execution": run.cpu_ms_per_execution} for run in runs],
    }


def _measure_engine(engine: Engine, settings: Settings) -> Iterator[dict[str, object]]:
    for flow in engine.flows.values():
        print(f"{engine.label}: {flow.name}: warm-up {settings.warmup} s", file=sys.stderr)
        run_wrk(engine.base_url, flow.request, flow.headers, settings,
                duration=settings.warmup, nonce="warmup")  # fmt: skip
        runs = []
        for number in range(settings.runs):
            runs.append(_measure_run(engine, flow, settings, nonce=f"r{number}"))
            print(f"{engine.label}: {flow.name}: {runs[-1]}", file=sys.stderr)
        drained = _drain(engine)
        yield _summary(flow, runs, drained)


def _table(results: list[dict[str, object]]) -> str:
    lines = [
        "| engine | workflow | executions/s | HTTP req/s | p50 ms | p99 ms | errors "
        "| CPU ms/execution | CPU ms/node |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in results:
        for row in entry["flows"]:  # type: ignore[attr-defined]
            cells = [entry["engine"], row["flow"], row["executions_per_s"],
                     row["requests_per_s"], row["p50_ms"], row["p99_ms"], row["errors"],
                     row["cpu_ms_per_execution"], row["cpu_ms_per_node"]]  # fmt: skip
            lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines)


def _timings(engine: ours.Ours, args: argparse.Namespace) -> dict[str, object]:
    print(f"ours: a cron tick every second for {args.cron_seconds} s", file=sys.stderr)
    cron = timings.cron_latency(engine, args.cron_seconds)
    print(f"ours: {args.delays} delays of {timings.DELAY_SECONDS} s", file=sys.stderr)
    return {"cron_tick_due_to_started": cron,
            "delay_late_by": timings.delay_accuracy(engine, args.delays)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(ENGINES), help="engines, comma-separated")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--cron-seconds", type=int, default=30, help="cron section's length")
    parser.add_argument("--delays", type=int, default=20, help="delay section's executions")
    parser.add_argument(
        "--no-timings",
        dest="timings",
        action="store_false",
        help="skip the cron and delay sections",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="pace each connection to offer about this many requests/s in all (latency at "
        "a given rate; 0: as fast as answered)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "automation.json")
    args = parser.parse_args()
    settings = Settings(duration=args.duration, runs=args.runs, warmup=args.warmup)
    if args.rate > 0:
        settings = replace(settings, pace_ms=round(settings.connections * 1000 / args.rate, 1))
    results: list[dict[str, object]] = []
    for name in args.only.split(","):
        # Share of the machine's CPU busy before the engine starts (other sessions' tests).
        busy = round(cpu_busy(2.0), 2)
        try:
            with ENGINES[name](WORK_DIR / f"automation-{name}") as engine:
                flows = list(_measure_engine(engine, settings))
                results.append({"engine": name, "notes": engine.notes, "busy_before": busy,
                                "flows": flows, "stored": engine.stored()})  # fmt: skip
                if isinstance(engine, ours.Ours) and args.timings:
                    results[-1]["timings"] = _timings(engine, args)
        except PeerUnavailable as unavailable:
            print(f"{name}: unavailable: {unavailable}", file=sys.stderr)
    pacing = f", each connection pausing {settings.pace_ms} ms" if settings.pace_ms else ""
    print(f"wrk -t{settings.threads} -c{settings.connections}{pacing}, {settings.warmup} s "
          f"warm-up, {settings.runs} x {settings.duration} s, medians\n")  # fmt: skip
    print(_table(results))
    for entry in results:
        print(f"\n{entry['engine']}: {entry['notes']}; machine busy before: "
              f"{entry['busy_before']:.0%}; stored after the runs: {entry['stored']}")  # fmt: skip
        if "timings" in entry:
            print(f"{entry['engine']}: {entry['timings']}")
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(json.dumps({"settings": asdict(settings), "engines": results}, indent=2))
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
