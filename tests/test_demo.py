"""`nocode demo`, the README's first command: the control plane on its embedded defaults,
and through its API the example CRM made a project, published, generated and deployed to
the local target; run twice, the second run finds what the first one made."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from control_plane.runtime import paths
from deployment.local import remove_local
from tests.conftest import free_port, nocode_environment, traversable_dir

pytestmark = pytest.mark.slow
READY = "control plane: "


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data folder the local target's PostgreSQL user may go through; the demo's app,
    which outlives the demo by design, is removed afterwards."""
    with traversable_dir("nc-demo-") as folder:
        yield folder
        for instance in (paths.local_target_dir(folder) / "instances").glob("*"):
            remove_local(paths.local_target_dir(folder), instance.name)


def run_demo(data_dir: Path, port: int) -> dict[str, str]:
    """Start `nocode demo`, read what it prints once the app is deployed, stop it."""
    command = [sys.executable, "-m", "nocode", "demo", "--port", str(port)]
    env = {**nocode_environment(), "NOCODE_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    printed: dict[str, str] = {}
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 300
        for line in process.stdout:
            label, _, value = line.rstrip("\n").partition(": ")
            printed[label] = value
            if line.startswith(READY) or time.monotonic() > deadline:
                break
        assert READY.strip(": ") in printed, printed
        check_printed(printed)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=90) == 0 or process.returncode == 130
    return printed


def check_printed(printed: dict[str, str]) -> None:
    """The platform login works, and the app serves through the platform and directly."""
    assert printed["platform login"].startswith("demo@example.com / ")
    email, _, password = printed["platform login"].partition(" / ")
    password = password.split(" ")[0]
    base = printed["control plane"].split("/api/")[0]
    login = httpx.post(
        f"{base}/api/v1/foundation/auth/login/", json={"email": email, "password": password}
    )
    assert login.status_code == 200, login.text
    platform = {"Authorization": f"Bearer {login.json()['access']}"}
    data = printed["the app's data through the platform"]
    created = httpx.post(
        f"{data}tables/clients/",
        headers=platform,
        json={"nom": "Jean Dupont", "email": f"jean-{time.monotonic_ns()}@example.com"},
    )
    assert created.status_code == 201, created.text
    own = {"Authorization": f"Bearer {printed['app token (OWNER)']}"}
    own_url = printed["the app's own api_base_url"]
    listed = httpx.get(f"{own_url}tables/clients/", headers=own)
    assert listed.status_code == 200 and listed.json()["count"] >= 1, listed.text
    admin = printed["the app's admin"].split(" ")[0]
    assert admin == own_url.split("/api/")[0] + "/admin/"
    assert httpx.get(admin).headers["location"] == "/admin/login?next=%2Fadmin%2F"


def test_the_demo_deploys_the_crm_through_the_api_and_finds_it_again(data_dir: Path) -> None:
    port = free_port()
    first = run_demo(data_dir, port)
    assert re.fullmatch(
        rf"git clone http://127\.0\.0\.1:{port}/api/v1/runtime/apps/[0-9a-f-]{{36}}/repository\.git",
        first["its repository"],
    )
    # The app outlives the demo (the local target supervises it); a second run finds the
    # same project and app, deploys nothing, and answers with the same URLs.
    second = run_demo(data_dir, port)
    for label in ("the app's data through the platform", "the app's own api_base_url"):
        assert second[label] == first[label]
