"""The test hosts themselves: reached over real SSH, isolated from each other and from the
machine, and leaving nothing behind."""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pytest

from tests.deploy.hosts import HostFactory, TestHost


def ssh(
    factory: HostFactory,
    host: TestHost,
    command: str,
    known_hosts: str | None = None,
    *,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run `command` on `host` over SSH, trusting only the host keys in `known_hosts` (lines;
    by default, the host's own)."""
    known_hosts_file = factory.work_dir / f"known_hosts-{host.name}"
    known_hosts_file.write_text((known_hosts or host.known_hosts_line()) + "\n")
    argv = [
        "ssh", "-F", "/dev/null", "-i", str(factory.client_key),
        "-o", f"UserKnownHostsFile={known_hosts_file}", "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
        "-p", str(host.port), f"{host.user}@{host.address}", command,
    ]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def ssh_ok(factory: HostFactory, host: TestHost, command: str, *, timeout: float = 60) -> str:
    """The output of `command` run on `host` over SSH, which must succeed."""
    result = ssh(factory, host, command, timeout=timeout)
    assert result.returncode == 0, f"{command} on {host.name}: {result.stderr}"
    return result.stdout


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (dead, not yet reaped by its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def other_host_key(tmp_path: Path) -> str:
    key = tmp_path / "other_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return " ".join(key.with_suffix(".pub").read_text().split()[:2])


def test_a_host_is_reached_over_ssh_with_its_host_key_checked(
    host_factory: HostFactory, tmp_path: Path
) -> None:
    host = host_factory.create("web")

    assert ssh_ok(host_factory, host, "echo reached") == "reached\n"

    impostor = ssh(host_factory, host, "true", f"{host.address} {other_host_key(tmp_path)}")
    assert impostor.returncode != 0
    assert (
        "REMOTE HOST IDENTIFICATION HAS CHANGED" in impostor.stderr
        or "Host key verification failed" in impostor.stderr
    ), impostor.stderr


def test_each_host_has_its_own_address_and_sshd(host_factory: HostFactory) -> None:
    first = host_factory.create("first")
    second = host_factory.create("second")

    assert first.address != second.address
    assert first.host_key != second.host_key
    for host, other in ((first, second), (second, first)):
        ssh_ok(host_factory, host, "true")
        # The other host's key at this address: what answers here is not the other's sshd.
        crossed = ssh(host_factory, host, "true", f"{host.address} {other.host_key}")
        assert "Host key verification failed" in crossed.stderr, crossed.stderr
        addresses = host.run(["ip", "-4", "-o", "address", "show", "eth0"], check=True).stdout
        assert f" {host.address}/" in addresses
        assert f" {other.address}/" not in addresses


def test_a_small_disk_fills_up_on_the_machine_and_on_hosts(
    host_factory: HostFactory, tmp_path: Path
) -> None:
    host = host_factory.create("full")  # made before the disk: the mount must reach it anyway
    disk = host_factory.small_disk(tmp_path / "disk", 4)

    with pytest.raises(OSError) as error, (disk / "big").open("wb") as big:
        big.write(b"x" * 5 * 1024 * 1024)
        big.flush()
    assert error.value.errno == errno.ENOSPC

    filled = ssh(host_factory, host, f"dd if=/dev/zero of={disk}/big2 bs=1M count=8")
    assert filled.returncode != 0
    assert "No space left on device" in filled.stderr


@pytest.mark.parametrize("own_root", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_close_leaves_nothing_behind(tmp_path: Path, own_root: bool) -> None:
    factory = HostFactory(tmp_path / "work")
    host = factory.create("gone", own_root=own_root)
    factory.small_disk(tmp_path / "work" / "disk", 1)
    pids = subprocess.run(
        ["ip", "netns", "pids", host.netns], capture_output=True, text=True, check=True
    ).stdout.split()
    assert pids

    factory.close()
    factory.close()

    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    assert host.netns not in namespaces.stdout
    assert [pid for pid in pids if running(int(pid))] == []
    assert str(tmp_path) not in Path("/proc/self/mountinfo").read_text()


@pytest.mark.slow
def test_an_own_root_host_is_a_bare_debian_with_a_working_apt(host_factory: HostFactory) -> None:
    marker = host_factory.work_dir / "marker-of-the-machine"
    marker.write_text("on the machine only\n")

    host = host_factory.create("db", own_root=True)

    assert "VERSION_CODENAME=bookworm" in ssh_ok(host_factory, host, "cat /etc/os-release")
    assert ssh_ok(host_factory, host, "hostname") == "db\n"
    assert ssh(host_factory, host, f"test -e {marker}").returncode == 1
    assert "/usr/sbin/sshd -D" in host.run(["cat", "/proc/1/cmdline"], check=True).stdout
    assert host.root is not None
    assert (host.root / "etc/hostname").read_text() == "db\n"
    ssh_ok(host_factory, host, "apt-get update", timeout=300)


@pytest.mark.slow
def test_own_root_hosts_are_pristine_and_independent(host_factory: HostFactory) -> None:
    first = host_factory.create("one", own_root=True)
    second = host_factory.create("two", own_root=True)

    ssh_ok(host_factory, first, "touch /etc/written-on-one")
    assert ssh(host_factory, second, "test -e /etc/written-on-one").returncode == 1
    assert first.root is not None
    disk = host_factory.small_disk(first.root / "srv", 4)
    filled = ssh(host_factory, first, "dd if=/dev/zero of=/srv/big bs=1M count=8")
    assert "No space left on device" in filled.stderr
    assert (disk / "big").exists()
    # The second host's apt goes through the proxy listening on the first one's link.
    ssh_ok(host_factory, second, "apt-get update", timeout=300)
