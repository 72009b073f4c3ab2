"""Markdown table and JSON file from the contenders' results."""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from .config import ROWS, Settings
from .runner import ContenderResult, KindResult

KIND_LABELS = {
    "get": "get by id",
    "list20": "list 20, prix >= 100, prix desc, count",
    "list100": "list 100, default sort",
    "list20w": "list 20 as above, under about 50 PATCH/s from a second client",
    "create": "create",
    "patch": "patch stock",
    "delete": "delete by id (rows inserted for it before each run)",
}


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _kind_row(name: str, kind: KindResult | None) -> str:
    if kind is None:
        return f"| {name} | – | – | – | – | – | – | – | – |"
    if not kind.runs:
        return f"| {name} | failed | – | – | – | – | – | – | {kind.error[:80] or kind.smoke[:80]} |"
    errors = kind.total("socket_errors") + kind.total("timeouts")
    codes = sorted({code for run in kind.runs for code in run.codes})
    non2xx = f"{kind.total('non2xx')}" + (f" ({', '.join(map(str, codes))})" if codes else "")
    return (
        f"| {name} | {_fmt(kind.median('rps'), ',.0f')} | {_fmt(kind.median('p50_ms'), '.2f')} | "
        f"{_fmt(kind.median('p99_ms'), '.2f')} | "
        f"{_fmt(kind.median_of(kind.pg_cpu_ms), '.2f')} | "
        f"{_fmt(kind.median_of(kind.server_cpu_ms), '.2f')} | "
        f"{_fmt(kind.median_of(kind.writes_per_s), '.0f')} | {non2xx} | {errors} |"
    )


def markdown(results: list[ContenderResult], settings: Settings) -> str:
    lines = [
        f"Medians of {settings.runs} run(s) of {settings.duration} s "
        f"after a {settings.warmup} s warm-up; wrk -t{settings.threads} -c{settings.connections}; "
        f"{ROWS:,} seeded rows.",
        "",
        "| contender | status | start-up (s) | CPU busy before | notes |",
        "| --- | --- | --- | --- | --- |",
    ]
    for res in results:
        status = (
            res.status
            if res.status == "ok"
            else f"**{res.status}**: {res.reason.splitlines()[0][:160]}"
        )
        lines.append(
            f"| {res.name} | {status} | {_fmt(res.startup_s, '.2f')} | "
            f"{_fmt(res.busy_before, '.0%')} | {res.notes} |"
        )
    for kind in settings.kinds:
        lines += [
            "",
            f"### {KIND_LABELS[kind]}",
            "",
            "| contender | req/s | p50 (ms) | p99 (ms) | PG CPU/req (ms) | server CPU/req (ms) "
            "| writes/s | non-2xx | socket errors + timeouts |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [_kind_row(res.name, res.kinds.get(kind)) for res in results if res.kinds]
    return "\n".join(lines) + "\n"


def _tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def write_json(
    path: Path, results: list[ContenderResult], settings: Settings, pg_version: str
) -> None:
    payload = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": asdict(settings),
        "rows": ROWS,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "wrk": _tool_version(["wrk", "-v"]),
            "postgresql": pg_version,
        },
        "contenders": [
            {
                **{k: v for k, v in asdict(res).items() if k != "kinds"},
                "kinds": {
                    name: {
                        **asdict(kind),
                        "runs": [{**asdict(run), "rps": run.rps} for run in kind.runs],
                        "median_rps": kind.median("rps"),
                        "median_p50_ms": kind.median("p50_ms"),
                        "median_p99_ms": kind.median("p99_ms"),
                        "median_pg_cpu_ms": kind.median_of(kind.pg_cpu_ms),
                        "median_server_cpu_ms": kind.median_of(kind.server_cpu_ms),
                        "median_writes_per_s": kind.median_of(kind.writes_per_s),
                    }
                    for name, kind in res.kinds.items()
                },
            }
            for res in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")
