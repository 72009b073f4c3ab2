"""The distribution as users get it: built as a release is (an sdist, then the wheel from it),
installed with its dependencies into a fresh virtual environment, and run from there, away from
the checkout, so that a file or a dependency missing from the wheel fails here."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.regenerate import BASE
from tests.conftest import REPOSITORY, free_port, nocode_environment
from tests.control_plane.conftest import Server, wait_healthy
from tests.golden.regen import expected_dir

pytestmark = pytest.mark.slow

# What setuptools says when byte-compiling is off in the build (PYTHONDONTWRITEBYTECODE): a
# notice of the environment, not a warning about our configuration.
BYTE_COMPILING_OFF = "byte-compiling is disabled, skipping."


@dataclass(frozen=True)
class Installation:
    build_output: str
    scripts: Path  # the fresh environment's bin/

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.scripts / "nocode"), *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=nocode_environment(),
            timeout=120,
        )


def _checked(argv: list[str], cwd: Path) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=600)
    assert result.returncode == 0, f"{argv}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _files(root: Path) -> dict[Path, bytes]:
    """The files under `root` but for the pristine copy kept for the next merge (BASE)."""
    return {
        path.relative_to(root): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and not path.relative_to(root).is_relative_to(BASE)
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    work = tmp_path_factory.mktemp("packaging")
    build_output = _checked(
        [sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(REPOSITORY)], work
    )
    (wheel,) = (work / "dist").glob("nocode-*.whl")
    environment = work / "venv"
    venv.create(environment, with_pip=True)
    scripts = environment / "bin"
    _checked([str(scripts / "python"), "-m", "pip", "install", "--quiet", str(wheel)], work)
    return Installation(build_output, scripts)


def test_the_build_prints_no_warning(installed: Installation) -> None:
    warnings = [
        line
        for line in installed.build_output.splitlines()
        if "warning" in line.lower() and not line.endswith(BYTE_COMPILING_OFF)
    ]
    assert warnings == []


def test_the_installed_generator_writes_the_golden_copy(
    installed: Installation, tmp_path: Path
) -> None:
    located = _checked(
        [
            str(installed.scripts / "python"),
            "-c",
            "from generator.resources import specs_dir, templates_dir;"
            "print(specs_dir()); print(templates_dir())",
        ],
        tmp_path,
    )
    site_packages = installed.scripts.parent / "lib"
    assert all(Path(line).is_relative_to(site_packages) for line in located.split()), located
    spec = Path(located.split()[0]) / "gestion_client.yaml"

    generated = installed.run("generate", str(spec), "--out", str(tmp_path / "crm"), cwd=tmp_path)

    assert generated.returncode == 0, generated.stderr
    written, golden = _files(tmp_path / "crm"), _files(expected_dir("gestion_client"))
    assert sorted(written) == sorted(golden)
    assert [path for path in golden if written[path] != golden[path]] == []


def test_the_installed_control_plane_serves_and_stops_on_sigterm(
    installed: Installation, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    data_dir = tmp_path / "data"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(installed.scripts / "nocode"),
                "serve",
                "--workers",
                "1",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],  # fmt: skip
            cwd=tmp_path,
            env=nocode_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", "", process, log)
    try:
        wait_healthy(server)
    finally:
        process.terminate()
        status = process.wait(timeout=60)

    assert status == 0, log.read_text()
    # PostgreSQL removes its pid file when it has shut down cleanly.
    assert not (data_dir / "postgres" / "postmaster.pid").exists(), log.read_text()


def test_the_client_is_a_wheel_of_its_own(installed: Installation, tmp_path: Path) -> None:
    """client/ builds alone (sdist, then wheel), needs only httpx and pydantic, and its
    wheel has the whole package: installed without its dependencies beside the platform's
    (which has them), it imports away from the checkout and says it is typed."""
    _checked(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(REPOSITORY / "client")],
        tmp_path,
    )
    (wheel,) = tmp_path.glob("nocode_client-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith("/METADATA")]
        requires = [
            line.split(":", 1)[1].strip()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
        assert "nocode_client/py.typed" in archive.namelist()
    assert sorted(requirement.split(">")[0] for requirement in requires) == ["httpx", "pydantic"]
    python = str(installed.scripts / "python")
    _checked([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], tmp_path)
    imported = _checked(
        [python, "-c", "import nocode_client; print(nocode_client.NoCodeClient.__module__)"],
        tmp_path,
    )
    assert imported.strip() == "nocode_client._sync"
