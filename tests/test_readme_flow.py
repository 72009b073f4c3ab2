"""The README's "flow through the API" runs as it is written: its bash block, with only the
port changed (8080 may be taken here: `--port` added to `nocode serve`), on a fresh data
folder, `nocode` on the PATH."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from control_plane.runtime import paths
from deployment.local import remove_local
from tests.conftest import REPOSITORY, free_port, nocode_environment, traversable_dir

pytestmark = pytest.mark.slow


def flow_block() -> str:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The flow through the API", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def folder() -> Iterator[Path]:
    """Where the flow runs (its data folder is ./nocode-data); what the local target runs
    of it is removed afterwards."""
    with traversable_dir("nc-flow-") as path:
        yield path
        target = paths.local_target_dir(path / "nocode-data")
        for instance in (target / "instances").glob("*"):
            remove_local(target, instance.name)


def test_the_readmes_flow_runs_as_written(folder: Path) -> None:
    port = free_port()
    script = flow_block().replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    script = script.replace("nocode serve &", f"nocode serve --port {port} &")
    # The flow leaves `nocode serve` running in the background, as a reader's shell would;
    # it is stopped with the script's whole session, however the script ends.
    script = f"set -eu\n{script}"
    env = {
        **nocode_environment(),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    # Files, not pipes: the server the flow leaves in the background keeps its output open.
    output, errors = folder / "flow.out", folder / "flow.err"
    with output.open("w") as out, errors.open("w") as err:
        flow = subprocess.Popen(
            ["bash", "-c", script],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            flow.wait(timeout=600)
        finally:
            stop_group(flow.pid)
    out_text = output.read_text()
    assert flow.returncode == 0, out_text[-3000:] + errors.read_text()[-3000:]
    assert '"output_data":{"big":true,"due":"' in out_text  # the workflow answered
    # The app token, for the caller's role, with the app's own URL.
    assert '"role":"OWNER"' in out_text and '"api_base_url":"http://127.0.0.1:' in out_text
    assert '"search":"jean"' in out_text  # the search through the platform answered
    assert (folder / "crm" / ".git").is_dir()  # the clone


def stop_group(group: int, seconds: float = 90) -> None:
    """SIGTERM to the script's process group (`nocode serve` stops its server and its
    database), and wait until none of it is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError(f"process group {group} still runs")
