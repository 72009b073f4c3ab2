"""A worker of the control plane's job kinds with the job tests' fast recovery settings:
`python -m tests.control_plane.runtime.deploy_worker DATABASE_URL` (the job reads the
server's other settings from its environment)."""

from __future__ import annotations

import sys

from control_plane import modules  # noqa: F401  (declares every job kind)
from control_plane.jobs import registry, worker_main
from tests.control_plane.jobs.kinds import FAST

if __name__ == "__main__":
    worker_main(sys.argv[1], kinds=registry, settings=FAST)
