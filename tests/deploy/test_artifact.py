"""The release archive `nocode deploy` builds and caches (deployment/artifact.py)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

from tests.conftest import REPOSITORY
from tests.deploy.deployer import commit_version, crm_spec

BUILD = (
    "import sys; from pathlib import Path; from deployment.artifact import build_release;"
    " print(build_release(Path(sys.argv[1]), Path(sys.argv[2])).archive)"
)


def test_two_deployments_of_one_commit_at_once_get_one_whole_archive(tmp_path: Path) -> None:
    repo, cache = tmp_path / "gestion_client", tmp_path / "releases"
    commit_version(repo, crm_spec())

    # Two `nocode deploy` of one commit at once, as two operators (or two CI jobs) start them.
    builds = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD, str(repo), str(cache)],
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [build.communicate() for build in builds]
    assert [build.returncode for build in builds] == [0, 0], [err for _, err in outputs]

    archive = Path(outputs[0][0].strip())
    assert Path(outputs[1][0].strip()) == archive
    with tarfile.open(archive) as tar:  # whole and readable to the end
        names = tar.getnames()
    assert any(name.endswith(".whl") for name in names)
    assert any(name.endswith("/pyproject.toml") for name in names)
    # Nothing half-built left beside it; the lock stays, empty, for the next build of the commit.
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        [archive.name, archive.with_suffix(".lock").name]
    )
