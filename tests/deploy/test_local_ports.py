"""Ports of the local target claimed machine-wide (deployment.local_ports): two instances,
of one target or of two control planes' targets, never get the same port, even when both
choose before either listens."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from deployment import local_ports
from deployment.local_ports import claim_port, release_ports


@pytest.fixture(autouse=True)
def claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own claims folder, so that parallel deployments are not disturbed."""
    folder = tmp_path / "claims"
    monkeypatch.setattr(local_ports, "CLAIMS", folder)
    return folder


def free_ports(count: int) -> list[int]:
    found: list[int] = []
    for port in range(21000, 22000):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise AssertionError("no free ports to test with")


def test_two_targets_choosing_at_once_get_two_ports(tmp_path: Path) -> None:
    first_target, second_target = tmp_path / "cp1", tmp_path / "cp2"
    first_target.mkdir()
    second_target.mkdir()
    candidates = free_ports(3)
    # Neither app listens yet: only the claim tells them apart.
    first = claim_port(first_target, "app-production", candidates)
    second = claim_port(second_target, "app-production", candidates)
    assert first == candidates[0] and second == candidates[1]
    # An instance gets its own port back, even while its app listens on it.
    with socket.socket() as app:
        app.bind(("127.0.0.1", candidates[0]))
        app.listen()
        assert claim_port(first_target, "app-production", candidates) == candidates[0]
    # Released with the instance, the port is free for the next one.
    release_ports(first_target, "app-production")
    assert claim_port(second_target, "other-staging", candidates) == candidates[0]


def test_a_port_in_use_or_a_gone_target_s_claim(tmp_path: Path) -> None:
    target = tmp_path / "cp"
    target.mkdir()
    gone = tmp_path / "removed-data-folder"
    gone.mkdir()
    candidates = free_ports(2)
    assert claim_port(gone, "old-production", candidates[:1]) == candidates[0]
    gone.rmdir()  # its data folder was removed without removing its instances
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", candidates[1]))
        other_program.listen()
        # The stale claim is taken over; the port another program listens on is skipped.
        assert claim_port(target, "app-production", candidates[1:]) is None
        assert claim_port(target, "app-production", candidates) == candidates[0]
