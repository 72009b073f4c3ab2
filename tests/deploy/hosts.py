"""Disposable SSH hosts for the deployment tests.

Each host is a real sshd in its own network namespace, reached from the machine through a veth
pair, so that Ansible connects to it as to a remote server: real SSH, a real host key, a real
address. A host either shares the machine's files (cheap, enough to test connecting) or has its
own root filesystem: a fresh overlay over a bare Debian bookworm, as a new cloud server has, whose
apt reaches Debian's archive through a caching proxy. Nothing needs Docker or systemd; all of it
needs root.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import itertools
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import pytest

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# Besides minbase's essentials, what a minimal cloud image has: sshd to be reached, python3 for
# Ansible's modules, ca-certificates for HTTPS. Everything else is the playbook's job.
INCLUDES = ("ca-certificates", "openssh-server", "python3")
# A cloud image's sources: the release, its updates and its security fixes.
SOURCES = (
    f"deb {MIRROR} {SUITE} main\n"
    f"deb {MIRROR} {SUITE}-updates main\n"
    f"deb http://deb.debian.org/debian-security {SUITE}-security main\n"
)
CACHE = Path("/var/cache/nocode-tests")
# Each host takes a /30 of this range not yet on any interface of the machine; taking it is
# serialized by NET_LOCK, so that parallel pytest workers never get the same one.
HOST_NETWORKS = ipaddress.IPv4Network("10.213.0.0/16")
NET_LOCK = Path("/run/nocode-tests-net.lock")
# sshd re-executes itself for each connection, so it must be started by its absolute path.
SSHD = "/usr/sbin/sshd"
STARTUP_SECONDS = 10.0
# apt-cacher-ng reads its port as a signed 16-bit number: from 32768 on, it cannot bind.
PROXY_PORTS = range(3142, 32768)
# The environment of commands run inside an own-root host: the machine's would leak into it.
HOST_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
}
# What require_namespaces() checks for, with the Debian package providing each.
REQUIRED_COMMANDS = {
    "ip": "iproute2",
    "ssh": "openssh-client",
    "ssh-keygen": "openssh-client",
    "sshd": "openssh-server",
    "unshare": "util-linux",
    "nsenter": "util-linux",
    "debootstrap": "debootstrap",
    "apt-cacher-ng": "apt-cacher-ng",
}
# PID 1 of an own-root host: the kernel file systems and devices a booted Debian has (made inside
# the host's own mount namespace, so they vanish with it), its hostname, then sshd, which reaps
# the orphans a PID 1 inherits.
BOOT_SCRIPT = """set -e
mount -t proc proc /proc
mount -t sysfs -o ro sysfs /sys
mount -t tmpfs -o mode=0755,nosuid tmpfs /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
mkdir /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -s pts/ptmx /dev/ptmx
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -m 0755 /run/sshd
mkdir -m 1777 /run/lock
echo "$1" > /proc/sys/kernel/hostname
exec /usr/sbin/sshd -D -e
"""

# Numbers the hosts of this process, to name their namespaces and interfaces uniquely.
_host_numbers = itertools.count()


@dataclass
class TestHost:
    """A machine to deploy to, as Ansible sees it: an address, an SSH port and user, a host key.

    `root` is the host's own root filesystem seen from the machine (read or write its files
    there), or None when the host shares the machine's files.
    """

    __test__ = False  # a helper, not a test class, despite its name

    name: str
    address: str
    port: int
    user: str
    netns: str
    host_key: str
    root: Path | None
    # PID 1 of an own-root host, as the machine numbers it: what run() enters.
    init_pid: int | None = None

    def known_hosts_line(self) -> str:
        """The host's line for an SSH known_hosts file, to connect with strict checking."""
        target = self.address if self.port == 22 else f"[{self.address}]:{self.port}"
        return f"{target} {self.host_key}"

    def run(self, argv: list[str], *, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run argv inside the host (its network, and its files and processes when it has its
        own root), bypassing SSH: to prepare or inspect a host behind the deployment's back."""
        if self.init_pid is None:
            command = ["ip", "netns", "exec", self.netns, *argv]
            env = None
        else:
            command = [
                "nsenter", f"--target={self.init_pid}",
                "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd", "--", *argv,
            ]  # fmt: skip
            env = HOST_ENV
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"on {self.name}: {_failure(argv, result)}")
        return result


class HostFactory:
    """Makes test hosts, and removes all of them, their processes, mounts and network, on close().

    The work directory holds the hosts' keys, configurations, logs and root overlays. It is bind
    mounted on itself as a shared mount, so that what small_disk() mounts under it later reaches
    the hosts already running.
    """

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir.resolve()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.hosts: list[TestHost] = []
        self.client_key = self.work_dir / "client_ed25519"
        _keygen(self.client_key, "nocode-tests")
        self._processes: list[subprocess.Popen[bytes]] = []
        self._mounts: list[Path] = []
        self._links: list[str] = []
        self._namespaces: list[str] = []
        self._proxy: str | None = None
        self._proxy_cache_lock: IO[str] | None = None
        self._mount(["--bind", str(self.work_dir), str(self.work_dir)], self.work_dir)
        _run(["mount", "--make-shared", str(self.work_dir)])

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def create(self, name: str, *, own_root: bool = False) -> TestHost:
        """Start a host named `name` (a hostname, unique in this factory) and wait for its sshd.

        With own_root, the host runs on a fresh copy of a bare Debian bookworm (the first one
        ever built takes a minute or more), in its own PID, mount, UTS and IPC namespaces.
        """
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", name):
            raise ValueError(f"{name!r} is not a hostname")
        host_dir = self.work_dir / "hosts" / name
        if host_dir.exists():
            raise ValueError(f"this factory has a host named {name} already")
        host_dir.mkdir(parents=True)
        number = next(_host_numbers)
        netns = f"nocode-{os.getpid()}-{number}"
        gateway, address = self._network(netns, f"nc{os.getpid()}h{number}")
        log = host_dir / "sshd.log"
        if own_root:
            root = self._overlay(host_dir)
            host_key = root / "etc/ssh/ssh_host_ed25519_key"
            self._configure_root(root, name, address, self._proxy_on(gateway))
            argv = [
                "ip", "netns", "exec", netns,
                "unshare", "--mount", "--pid", "--uts", "--ipc", "--fork",
                "--propagation", "slave", f"--root={root}",
                "/bin/sh", "-c", BOOT_SCRIPT, "boot", name,
            ]  # fmt: skip
        else:
            root = None
            host_key = host_dir / "ssh_host_ed25519_key"
            config = host_dir / "sshd_config"
            config.write_text(
                _sshd_config(address, host_key, host_dir / "sshd.pid", self.client_pub_key)
            )
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
            argv = ["ip", "netns", "exec", netns, SSHD, "-D", "-e", "-f", str(config)]
        _keygen(host_key, f"root@{name}")
        process = self._spawn(argv, log)
        _wait_for_port(address, 22, process, log, f"sshd of {name}")
        host = TestHost(
            name=name,
            address=address,
            port=22,
            user="root",
            netns=netns,
            host_key=_public_key(host_key),
            root=root,
            init_pid=_child_of(process.pid) if own_root else None,
        )
        self.hosts.append(host)
        return host

    @property
    def client_pub_key(self) -> Path:
        """The public half of client_key, which every host authorizes for root."""
        return self.client_key.with_suffix(".pub")

    def small_disk(self, path: Path, megabytes: int) -> Path:
        """Mount a tmpfs of `megabytes` at `path`, to fill a disk without filling the machine's.

        `path` must lie in the work directory (a host's root does), so that the mount reaches the
        hosts; close() unmounts it.
        """
        path = path.resolve()
        if not path.is_relative_to(self.work_dir):
            raise ValueError(f"{path} is outside the work directory {self.work_dir}")
        path.mkdir(parents=True, exist_ok=True)
        self._mount(["-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)], path)
        return path

    def close(self) -> None:
        """Kill the hosts' processes, unmount, delete the network: everything this factory made.

        Safe to call again, and after a create() that failed half-way; what cannot be removed is
        reported together at the end, after trying all the rest.
        """
        errors: list[str] = []
        self._stop_processes(errors)
        self._unmount(errors)
        self._delete_network(errors)
        if self._proxy_cache_lock is not None:
            self._proxy_cache_lock.close()
            self._proxy_cache_lock = None
        self._proxy = None
        self.hosts.clear()
        if errors:
            raise RuntimeError("closing the test hosts failed:\n" + "\n".join(errors))

    def _network(self, netns: str, veth: str) -> tuple[str, str]:
        """Make the namespace and its link to the machine; return (machine's end, host's end)."""
        with locked(NET_LOCK):
            subnet = _free_subnet()
            gateway, address = (str(ip) for ip in subnet.hosts())
            _run(["ip", "netns", "add", netns])
            self._namespaces.append(netns)
            _run(["ip", "link", "add", veth, "type", "veth", "peer", "eth0", "netns", netns])
            self._links.append(veth)
            _run(["ip", "address", "add", f"{gateway}/{subnet.prefixlen}", "dev", veth])
        _run(["ip", "link", "set", veth, "up"])
        _run(["ip", "-n", netns, "address", "add", f"{address}/{subnet.prefixlen}", "dev", "eth0"])
        _run(["ip", "-n", netns, "link", "set", "eth0", "up"])
        _run(["ip", "-n", netns, "link", "set", "lo", "up"])
        # The way to the proxy, which may listen on another host's link to the machine.
        _run(["ip", "-n", netns, "route", "add", "default", "via", gateway])
        return gateway, address

    def _overlay(self, host_dir: Path) -> Path:
        """Mount a fresh writable copy of the cached Debian root; return where it is mounted."""
        lower = debian_root()
        upper, scratch, root = host_dir / "upper", host_dir / "overlay-work", host_dir / "root"
        for directory in (upper, scratch, root):
            directory.mkdir()
        options = f"lowerdir={lower},upperdir={upper},workdir={scratch}"
        self._mount(["-t", "overlay", "overlay", "-o", options, str(root)], root)
        return root

    def _configure_root(self, root: Path, name: str, address: str, proxy: str) -> None:
        """What a cloud server's provisioning writes before its first boot: its name, the
        client's key for root, its sshd configuration, and here the archive's proxy."""
        _write(root / "etc/hostname", f"{name}\n")
        _write(
            root / "etc/hosts",
            f"127.0.0.1\tlocalhost\n127.0.1.1\t{name}\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        )
        _write(root / "etc/apt/apt.conf.d/01proxy", f'Acquire::http::Proxy "{proxy}";\n')
        _write(
            root / "etc/ssh/sshd_config",
            _sshd_config(
                address,
                Path("/etc/ssh/ssh_host_ed25519_key"),
                Path("/run/sshd.pid"),
                Path(".ssh/authorized_keys"),
            ),
        )
        ssh_dir = root / "root/.ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        _write(ssh_dir / "authorized_keys", self.client_pub_key.read_text(), mode=0o600)

    def _proxy_on(self, gateway: str) -> str:
        """The URL of this factory's apt proxy, started on first use at `gateway`, an address of
        the machine that every host routes to."""
        if self._proxy is None:
            proxy_dir = self.work_dir / "apt-cacher-ng"
            port = _free_port(gateway)
            # Its own configuration, not the machine's /etc/apt-cacher-ng, whose remapping of
            # Debian's archive to backends_debian depends on how the package was configured (an
            # empty backends_debian makes it answer 503): a plain caching proxy of any URL.
            _write(
                proxy_dir / "acng.conf",
                f"CacheDir: {self._claim_proxy_cache()}\n"
                f"LogDir: {proxy_dir}\n"
                f"PidFile: {proxy_dir / 'pid'}\n"
                f"BindAddress: {gateway}\n"
                f"Port: {port}\n"
                "ForeGround: 1\n"
                "SocketPath:\n",
            )
            log = proxy_dir / "apt-cacher-ng.out"
            argv = ["apt-cacher-ng", "-c", str(proxy_dir)]
            process = self._spawn(argv, log)
            _wait_for_port(gateway, port, process, log, "apt-cacher-ng")
            self._proxy = f"http://{gateway}:{port}"
        return self._proxy

    def _claim_proxy_cache(self) -> Path:
        """A package cache kept between runs (repeated runs download nothing), that no other
        running proxy uses: the first of the numbered caches whose lock is free."""
        caches = CACHE / "apt-cacher-ng"
        caches.mkdir(parents=True, exist_ok=True)
        number = 0
        while True:
            lock = (caches / f"cache-{number}.lock").open("a")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                number += 1
                continue
            self._proxy_cache_lock = lock
            return caches / f"cache-{number}"

    def _spawn(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        """Start a daemon in the foreground, its output in `log`; close() kills it."""
        with log.open("ab") as output:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
            )
        self._processes.append(process)
        return process

    def _mount(self, options: list[str], target: Path) -> None:
        _run(["mount", *options])
        self._mounts.append(target)

    def _stop_processes(self, errors: list[str]) -> None:
        """SIGKILL every process of the hosts (their sshd's sessions, and all an own-root host
        runs) and the factory's daemons; return once they are dead. Orphans stay zombies until
        the machine's PID 1 reaps them, which is not worth waiting for."""
        killed = {pid for netns in self._namespaces for pid in _kill_all(netns)}
        for process in self._processes:
            process.kill()
            try:
                process.wait(timeout=STARTUP_SECONDS)
            except subprocess.TimeoutExpired:
                errors.append(f"process {process.pid} survives SIGKILL")
        self._processes = [process for process in self._processes if process.returncode is None]
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            # A killed session's sshd may fork until it dies: kill again until all are dead.
            killed.update(pid for netns in self._namespaces for pid in _kill_all(netns))
            if not any(_running(pid) for pid in killed):
                return
            time.sleep(0.05)
        survivors = [pid for pid in killed if _running(pid)]
        errors.append(f"processes {survivors} of the hosts remain after SIGKILL")

    def _unmount(self, errors: list[str]) -> None:
        left: list[Path] = []
        for target in reversed(self._mounts):
            if target not in _mount_points():
                continue
            result = subprocess.run(["umount", str(target)], capture_output=True, text=True)
            if result.returncode != 0:
                # Busy (a process outside the hosts is using it): detach it now, freed when idle.
                lazy = subprocess.run(["umount", "--lazy", str(target)], capture_output=True)
                if lazy.returncode != 0:
                    errors.append(_failure(["umount", str(target)], result))
                    left.insert(0, target)
        self._mounts = left

    def _delete_network(self, errors: list[str]) -> None:
        # Deleting the machine's end of a veth deletes both ends at once.
        links_left = [link for link in self._links if not _try(["ip", "link", "delete", link])]
        errors.extend(f"cannot delete interface {link}" for link in links_left)
        self._links = links_left
        namespaces_left = [
            netns for netns in self._namespaces if not _try(["ip", "netns", "delete", netns])
        ]
        errors.extend(f"cannot delete network namespace {netns}" for netns in namespaces_left)
        self._namespaces = namespaces_left


def debian_root() -> Path:
    """The bare Debian root own-root hosts start from, built once per machine and include list.

    Building takes a minute or more, so it is cached; the lock makes concurrent pytest workers
    wait for the one building. Hosts only ever read it, as the lower layer of their overlay.
    """
    recipe = hashlib.sha256(f"{SUITE} {','.join(INCLUDES)}\n{SOURCES}".encode()).hexdigest()
    target = CACHE / f"debian-{SUITE}-{recipe[:12]}"
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with locked(CACHE / f"{target.name}.lock"):
        if target.is_dir():
            return target
        building = target.with_name(f"{target.name}.building")
        if building.exists():  # left by an interrupted build, maybe with its mounts
            for mount in sorted(_mount_points(), reverse=True):
                if mount.is_relative_to(building):
                    _run(["umount", "--lazy", str(mount)])
            shutil.rmtree(building)
        log = target.with_name(f"{target.name}.log")
        _progress(f"building the bare Debian {SUITE} root {target} with debootstrap (log: {log})")
        started = time.monotonic()
        argv = [
            "debootstrap", "--variant=minbase", f"--include={','.join(INCLUDES)}",
            SUITE, str(building), MIRROR,
        ]  # fmt: skip
        with log.open("w") as output:
            result = subprocess.run(argv, stdout=output, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{shlex.join(argv)} exited with {result.returncode}:\n{tail}")
        _prepare_image(building)
        building.rename(target)
        _progress(f"built {target} in {time.monotonic() - started:.0f} s")
    return target


def require_namespaces() -> None:
    """Fail, never skip, when this machine cannot run test hosts: a skipped deployment test
    would pass in CI while proving nothing."""
    missing = sorted(
        {package for command, package in REQUIRED_COMMANDS.items() if not shutil.which(command)}
    )
    if missing:
        pytest.fail(
            "the deployment tests need commands that are not on PATH; install the Debian"
            f" packages {' '.join(missing)}",
            pytrace=False,
        )
    probe = f"nocode-probe-{os.getpid()}"
    try:
        _run(["ip", "netns", "add", probe])
    except RuntimeError as error:
        pytest.fail(f"cannot make network namespaces (the tests need root): {error}", pytrace=False)
    _run(["ip", "netns", "delete", probe])


def _prepare_image(root: Path) -> None:
    """Make a debootstrap tree what a cloud image is before first boot: no host keys (each host
    makes its own), no package lists nor downloaded packages, the archive's usual sources, and
    no name server (nothing inside resolves names: apt sends whole URLs to its proxy)."""
    for host_key in (root / "etc/ssh").glob("ssh_host_*"):
        host_key.unlink()
    for package in (root / "var/cache/apt/archives").glob("*.deb"):
        package.unlink()
    for index in (root / "var/lib/apt/lists").iterdir():
        if index.is_file() and index.name != "lock":
            index.unlink()
    (root / "etc/hostname").unlink(missing_ok=True)
    _write(root / "etc/apt/sources.list", SOURCES)
    _write(root / "etc/resolv.conf", "# No name server: apt goes through its proxy.\n")


def _sshd_config(address: str, host_key: Path, pid_file: Path, authorized_keys: Path) -> str:
    return "\n".join(
        [
            f"ListenAddress {address}",
            "Port 22",
            f"HostKey {host_key}",
            f"PidFile {pid_file}",
            f"AuthorizedKeysFile {authorized_keys}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            # PAM's session modules expect a booted system (logind, audit); keys need no PAM.
            "UsePAM no",
            # Keys live in pytest's temporary directories, whose modes sshd would refuse.
            "StrictModes no",
            "UseDNS no",
            # Ansible copies its modules over SFTP, as Debian's own sshd_config enables.
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            # The C library's own UTF-8 locale: no locales package needed, no locale warnings.
            "SetEnv LANG=C.UTF-8",
            "",
        ]
    )


def _free_subnet() -> ipaddress.IPv4Network:
    """The first /30 of HOST_NETWORKS that overlaps no address of the machine's interfaces."""
    listing = _run(["ip", "-4", "-o", "address", "show"]).stdout
    used = [ipaddress.IPv4Interface(line.split()[3]).network for line in listing.splitlines()]
    for subnet in HOST_NETWORKS.subnets(new_prefix=30):
        if not any(subnet.overlaps(network) for network in used):
            return subnet
    raise RuntimeError(f"no free /30 left in {HOST_NETWORKS}: stale test namespaces? ip netns list")


def _free_port(address: str) -> int:
    for port in PROXY_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind((address, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port on {address} in {PROXY_PORTS}")


def _wait_for_port(
    address: str, port: int, process: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    """Return once `address`:`port` accepts connections; raise with the daemon's log if it
    exits or is not listening after STARTUP_SECONDS."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(
        f"{what} accepts no connection on {address}:{port} after {STARTUP_SECONDS:.0f} s:\n"
        + _tail(log)
    )


def _child_of(pid: int) -> int:
    """The one child of `pid` (unshare --fork's: the host's PID 1)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        with suppress(OSError):
            if f"\nPPid:\t{pid}\n" in status.read_text():
                return int(status.parent.name)
    raise RuntimeError(f"process {pid} has no child")


def _netns_pids(netns: str) -> list[int]:
    result = subprocess.run(["ip", "netns", "pids", netns], capture_output=True, text=True)
    return [int(pid) for pid in result.stdout.split()] if result.returncode == 0 else []


def _kill_all(netns: str) -> list[int]:
    """SIGKILL every process in `netns`; return those that were there."""
    pids = _netns_pids(netns)
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


def _running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (dead, waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _mount_points() -> list[Path]:
    """The mount points of this process's mount namespace, from /proc/self/mountinfo."""
    with open("/proc/self/mountinfo") as mountinfo:
        return [
            Path(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), line.split()[4]))
            for line in mountinfo
        ]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing), across processes."""
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _keygen(path: Path, comment: str) -> None:
    _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])


def _public_key(private_key: Path) -> str:
    """The key type and key of a key pair's public half, without its comment."""
    key_type, key = Path(f"{private_key}.pub").read_text().split()[:2]
    return f"{key_type} {key}"


def _write(path: Path, text: str, *, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a setup step, raising with its output if it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(_failure(argv, result))
    return result


def _try(argv: list[str]) -> bool:
    """Run a cleanup step; whether what it removes is gone (already gone counts)."""
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (
        result.returncode == 0
        or "Cannot find device" in result.stderr
        or ("No such file" in result.stderr)
    )


def _failure(argv: list[str], result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stderr.strip() or result.stdout.strip())[-3000:]
    return f"{shlex.join(argv)} exited with {result.returncode}: {output}"


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def _progress(message: str) -> None:
    print(f"[test hosts] {message}", file=sys.stderr, flush=True)
