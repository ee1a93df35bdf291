"""Processes as /proc shows them: who started whom, which session, what is left behind."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _stat(pid: int) -> list[bytes] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces): state, ppid, pgrp, session...
    return raw.rsplit(b")", 1)[1].split()


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def living(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in (b"Z", b"X")


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def child(parent: int, command: str) -> int | None:
    """The living child of ``parent`` running `clearinghouse <command>`."""
    for pid in _pids():
        fields = _stat(pid)
        alive = fields and fields[0] not in (b"Z", b"X")
        if alive and int(fields[1]) == parent and cmdline(pid)[-1:] == [command]:
            return pid
    return None


def wait_for_child(
    parent: int, command: str, *, other_than: int | None = None, timeout: float = 60
) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = child(parent, command)
        if pid is not None and pid != other_than:
            return pid
        time.sleep(0.1)
    raise AssertionError(f"no `clearinghouse {command}` under {parent}")


def session_members(session: int) -> set[int]:
    """Living processes of a session (a component and all it started)."""
    found = set()
    for pid in _pids():
        fields = _stat(pid)
        if fields and int(fields[3]) == session and fields[0] not in (b"Z", b"X"):
            found.add(pid)
    return found


def marked(mark: str) -> dict[int, list[str]]:
    """Living processes whose environment holds ``mark`` (``NAME=value``): whatever descends from
    a process started with it, even when re-parented."""
    wanted = mark.encode()
    found = {}
    for pid in _pids():
        if pid == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if wanted in environ.split(b"\0") and living(pid):
            found[pid] = cmdline(pid)
    return found


def wait_until_gone(pids, timeout: float = 30) -> set[int]:
    """The processes of ``pids`` still living after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    left = {pid for pid in pids if living(pid)}
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {pid for pid in left if living(pid)}
    return left
