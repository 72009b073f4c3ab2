"""Threads that watch a deployment while it runs: its processes, and the app's answers."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Self

import httpx


class Background(threading.Thread):
    """Calls tick() again and again while a `with` block runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self._stop_asked = threading.Event()

    def tick(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self._stop_asked.is_set():
            self.tick()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop_asked.set()
        self.join()


class ProcessWatch(Background):
    """Looks for a text in the command line and environment of every Ansible process."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text.encode()
        self.seen: list[str] = []
        self.ansible_processes = 0

    def tick(self) -> None:
        for process in Path("/proc").glob("[0-9]*"):
            try:
                command = (process / "cmdline").read_bytes()
                if b"ansible" not in command and b"ssh" not in command:
                    continue
                self.ansible_processes += 1
                if self.text in command or self.text in (process / "environ").read_bytes():
                    self.seen.append(command.decode(errors="replace"))
            except OSError:
                continue  # gone meanwhile
        time.sleep(0.05)


class Traffic(Background):
    """Requests one URL again and again, each on a new connection."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.answers = 0
        self.failures: list[str] = []

    def tick(self) -> None:
        try:
            status = httpx.get(self.url, timeout=10).status_code
        except httpx.HTTPError as error:
            self.failures.append(repr(error))
            return
        self.answers += 1
        if status != 200:
            self.failures.append(f"HTTP {status}")
        time.sleep(0.02)
