"""A folder of a server's own where its workers keep their Prometheus metrics
(prometheus_client's multiprocess mode), so that whichever worker answers /metrics reports
every worker's counts. Set before the server starts its workers; removed when it stops."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_folder() -> Iterator[None]:
    folder = tempfile.mkdtemp(prefix="nocode-metrics-")
    previous = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = folder
    try:
        yield
    finally:
        if previous is None:
            del os.environ[VARIABLE]
        else:
            os.environ[VARIABLE] = previous
        shutil.rmtree(folder, ignore_errors=True)
