"""The rows the delete kind deletes: each of its requests must name a row that exists, and
no id may be deleted twice (bench.lua counts a 404 as an error), across wrk's threads and
connections, the smoke request, the warm-up and the measured runs.

Before each wrk run the harness inserts ids far above the seeded ones (DELETABLE_SQL in
pg.py), from `next` up; the run's "{seq}" ids start at `next` and interleave by thread
(lua/bench.lua); afterwards `next` moves past every id the run may have used. Ids inserted
but left unused by a run (the margin) serve the next one, which only inserts what it lacks.
"""

from __future__ import annotations

import math

from .config import DELETE_FIRST_ID, DELETE_FIRST_ROWS_PER_S, DELETE_MARGIN
from .pg import PgServer
from .wrk import WrkResult


class DeleteIds:
    def __init__(self, pg: PgServer, database: str, threads: int) -> None:
        self._pg, self._database, self._threads = pg, database, threads
        self.next = DELETE_FIRST_ID  # the first id no request may have used yet
        self.end = DELETE_FIRST_ID  # the first id not inserted
        self._rate = 0.0  # the highest rate (ids a second) at which a run used ids

    def rows_for(self, duration: float) -> int:
        """How many rows a run of `duration` seconds gets: 20,000 a second before the first
        run, then twice what the fastest run so far used, per second."""
        if not self._rate:
            return math.ceil(DELETE_FIRST_ROWS_PER_S * duration)
        return max(math.ceil(DELETE_MARGIN * self._rate * duration), 100)

    def reserve(self, count: int) -> tuple[int, int]:
        """Make sure the rows next..next+count-1 exist, inserting those that do not.
        Returns (the run's first id, how many rows it has)."""
        want = self.next + count
        if want > self.end:
            self._pg.insert_deletable(self._database, max(self.next, self.end), want - 1)
            self.end = want
        return self.next, self.end - self.next

    def take_one(self) -> int:
        """One id for a request sent by hand (the smoke check)."""
        first, _ = self.reserve(1)
        self.next += 1
        return first

    def used(self, run: WrkResult) -> int:
        """Move past the ids `run` may have used (requests still in flight when wrk stopped
        included); returns how many ids that was."""
        ids = run.seq_used * self._threads
        self.next += ids
        if run.duration_s > 0:
            self._rate = max(self._rate, ids / run.duration_s)
        return ids
