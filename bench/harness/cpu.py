"""CPU time (user + system) of process trees, read before and after a load run: the cost
of each part of a contender (its server processes, its database) over that run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

import psutil


def _tree(root: int, without: set[int]) -> list[psutil.Process]:
    """`root` and its descendants, leaving out the subtrees rooted at `without`."""
    try:
        top = psutil.Process(root)
    except psutil.NoSuchProcess:
        return []
    found = [top]
    with contextlib.suppress(psutil.NoSuchProcess):
        for child in top.children():
            if child.pid not in without:
                found += _tree(child.pid, without)
    return found


def tree_seconds(roots: Iterable[int], without: Iterable[int] = ()) -> float:
    """CPU seconds of the trees of `roots` so far, with the children each process has reaped
    (PostgreSQL's postmaster reaps its backends)."""
    skipped = set(without)
    total = 0.0
    for root in roots:
        for process in _tree(root, skipped):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
    return total


def sample(groups: Mapping[str, tuple[list[int], list[int]]]) -> dict[str, float]:
    """{group: CPU seconds} for groups given as (roots, subtrees to leave out)."""
    return {name: tree_seconds(roots, without) for name, (roots, without) in groups.items()}
