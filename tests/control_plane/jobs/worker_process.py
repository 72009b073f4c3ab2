"""A worker process for the tests: `python -m tests.control_plane.jobs.worker_process URL`."""

from __future__ import annotations

import sys

from control_plane.jobs import worker_main
from tests.control_plane.jobs.kinds import FAST, kinds

if __name__ == "__main__":
    worker_main(sys.argv[1], kinds=kinds, settings=FAST)
