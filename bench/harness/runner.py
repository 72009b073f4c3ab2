"""Running one contender end to end: install, prepare, start, measure each kind, stop."""

from __future__ import annotations

import shutil
import socket
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import HOST, UNDER_WRITES, WRITES_PER_S, Settings
from .contenders import Contender
from .cpu import sample
from .deletes import DeleteIds
from .install import PeerUnavailable
from .pg import PgServer
from .procs import spawn, stop, tail, wait_healthy
from .writer import SteadyWriter
from .wrk import Request, WrkResult, run_wrk

Log = Callable[[str], None]


@dataclass
class KindResult:
    kind: str
    smoke: str = ""
    runs: list[WrkResult] = field(default_factory=list)
    error: str = ""
    # Per run: PostgreSQL's CPU time (its whole process tree) per measured request, in ms,
    # writer included; the same for the contender's server (its process tree); and, for
    # kinds measured under writes, the writer's achieved rate.
    pg_cpu_ms: list[float] = field(default_factory=list)
    server_cpu_ms: list[float] = field(default_factory=list)
    writes_per_s: list[float] = field(default_factory=list)

    def median(self, attr: str) -> float | None:
        values = [getattr(run, attr) for run in self.runs]
        return statistics.median(values) if values else None

    def median_of(self, values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    def total(self, attr: str) -> int:
        return sum(getattr(run, attr) for run in self.runs)


@dataclass
class ContenderResult:
    name: str
    notes: str
    status: str = "ok"  # ok | unavailable | failed
    reason: str = ""
    startup_s: float | None = None
    # Share of the CPUs busy during the 2 s before the server starts (none of ours runs
    # then): above ~10 %, something else is running and the figures are not comparable.
    busy_before: float | None = None
    kinds: dict[str, KindResult] = field(default_factory=dict)


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy(seconds: float) -> float:
    busy_start, total_start = _cpu_times()
    time.sleep(seconds)
    busy_end, total_end = _cpu_times()
    return (busy_end - busy_start) / max(total_end - total_start, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def smoke(
    base_url: str, request: Request, headers: dict[str, str], nonce: str, row_id: int = 1
) -> str:
    """One request by hand (id 1 unless told, a fresh reference): "200 (1234 B)" or
    "404: <body start>"."""
    path, text = request.render(row_id, f"smoke-{nonce}")
    body = text.encode() if text else None
    req = urllib.request.Request(
        base_url + path,
        data=body,
        method=request.method,
        headers={**headers, **({"Content-Type": "application/json"} if body else {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return f"{resp.status} ({len(resp.read())} B)"
    except urllib.error.HTTPError as exc:
        return f"{exc.code}: {exc.read()[:200].decode(errors='replace')}"
    except OSError as exc:
        return f"error: {exc}"


def measure_kind(
    kind: str,
    base_url: str,
    request: Request,
    headers: dict[str, str],
    settings: Settings,
    log: Log,
    *,
    writer: Request | None = None,
    pg_pid: int = 0,
    server_pid: int = 0,
    ids: DeleteIds | None = None,
) -> KindResult:
    """wrk's runs of one kind; with `writer`, each run (and the warm-up) has a steady
    writer of that request beside it; with `ids` (a request with "{seq}"), the rows each
    run deletes are inserted before it, outside the measured time."""
    stamp = f"{int(time.time())}{kind[:2]}"
    result = KindResult(kind=kind)
    groups: dict[str, tuple[list[int], list[int]]] = {
        "pg": ([pg_pid] if pg_pid else [], []),
        "server": ([server_pid] if server_pid else [], []),
    }

    def one_run(
        duration: int, nonce: str
    ) -> tuple[WrkResult, tuple[float, int] | None, dict[str, float]]:
        seq_start, rows = ids.reserve(ids.rows_for(duration)) if ids is not None else (0, 0)
        steady = None
        if writer is not None:
            steady = SteadyWriter(base_url, writer, headers, rate=WRITES_PER_S, duration=duration)
        cpu_before = sample(groups)
        run = run_wrk(
            base_url,
            request,
            headers,
            settings,
            duration=duration,
            nonce=nonce,
            seq_start=seq_start,
        )
        cpu = {name: seconds - cpu_before[name] for name, seconds in sample(groups).items()}
        if ids is not None:
            used = ids.used(run)
            if used > rows:
                log(
                    f"  {kind}: WARNING the run took {used:,} ids from {seq_start:,} but had "
                    f"{rows:,} rows: the requests past them answered 404 (the errors column)"
                )
        return run, steady.result() if steady is not None else None, cpu

    try:
        row_id = 1
        if ids is not None:  # the first run's rows, and one more for the smoke request
            ids.reserve(ids.rows_for(settings.warmup or settings.duration) + 1)
            row_id = ids.take_one()
        result.smoke = smoke(base_url, request, headers, stamp, row_id)
        log(f"  {kind}: smoke {result.smoke}")
        if settings.warmup > 0:
            one_run(settings.warmup, f"{stamp}w")
        for index in range(settings.runs):
            run, writes, cpu = one_run(settings.duration, f"{stamp}r{index}")
            result.runs.append(run)
            if pg_pid and run.requests:
                result.pg_cpu_ms.append(cpu["pg"] * 1000 / run.requests)
            if server_pid and run.requests:
                result.server_cpu_ms.append(cpu["server"] * 1000 / run.requests)
            if writes is not None:
                result.writes_per_s.append(writes[0])
            log(
                f"  {kind} run {index + 1}: {run.rps:,.0f} req/s p50 {run.p50_ms:.2f} ms "
                f"p99 {run.p99_ms:.2f} ms non-2xx {run.non2xx}"
                + (f" PG CPU {result.pg_cpu_ms[-1]:.2f} ms/req" if pg_pid and run.requests else "")
                + (
                    f" server CPU {result.server_cpu_ms[-1]:.2f} ms/req"
                    if server_pid and run.requests
                    else ""
                )
                + (
                    f" under {writes[0]:.0f} writes/s ({writes[1]} failed)"
                    if writes is not None
                    else ""
                )
                + (f" codes {run.codes} e.g. {run.sample_error[:160]}" if run.non2xx else "")
            )
    except Exception as exc:  # noqa: BLE001 - one failing kind must not sink the others
        result.error = str(exc)
        log(f"  {kind}: FAILED {exc}")
    return result


def run_contender(
    contender: Contender, pg: PgServer, settings: Settings, log: Log
) -> ContenderResult:
    result = ContenderResult(name=contender.name, notes=contender.notes)
    log(f"== {contender.name}")
    shutil.rmtree(contender.work_dir, ignore_errors=True)
    contender.work_dir.mkdir(parents=True)
    try:
        log("  installing / checking install")
        contender.install()
        log(f"  preparing database {contender.database}")
        contender.prepare(pg)
    except PeerUnavailable as exc:
        result.status, result.reason = "unavailable", str(exc)
        log(f"  UNAVAILABLE: {exc}")
        return result
    except Exception as exc:  # noqa: BLE001
        result.status, result.reason = "failed", f"preparing: {exc}"
        log(f"  FAILED preparing: {exc}")
        return result

    result.busy_before = cpu_busy(2.0)
    if result.busy_before > 0.10:
        log(f"  WARNING: CPUs {result.busy_before:.0%} busy before start: something else runs")
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    launch = contender.launch(pg, port)
    server_log = contender.work_dir / "server.log"
    started = time.perf_counter()
    proc = spawn(launch.cmd, cwd=launch.cwd, env=launch.env, log=server_log)
    try:
        result.startup_s = wait_healthy(
            base_url + contender.health_path,
            proc,
            started=started,
            timeout=settings.startup_timeout,
            headers=contender.headers(),
        )
        log(f"  healthy after {result.startup_s:.2f} s on {base_url}")
        contender.after_start(base_url)
        headers = contender.headers()
        requests = contender.requests()
        for kind in settings.kinds:
            measured, writer = UNDER_WRITES.get(kind, (kind, None))
            request = requests[measured]
            result.kinds[kind] = measure_kind(
                kind,
                base_url,
                request,
                headers,
                settings,
                log,
                writer=requests[writer] if writer else None,
                pg_pid=pg.pid,
                server_pid=proc.pid,
                ids=(
                    DeleteIds(pg, contender.database, settings.threads)
                    if "{seq}" in request.path + request.body
                    else None
                ),
            )
    except Exception as exc:  # noqa: BLE001
        result.status, result.reason = "failed", f"{exc}\n{tail(server_log)}"
        log(f"  FAILED: {exc}\n{tail(server_log)}")
    finally:
        stop(proc)
    return result
