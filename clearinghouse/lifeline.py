"""Processes that die with the process that owns them.

A process killed with SIGKILL has no chance to stop its children; the kernel can, when each child
asked for it (Linux's PR_SET_PDEATHSIG: a signal when the parent dies). `clearinghouse up` asks it
of its components, a component of its workers (gunicorn's, the ingest pipeline's), so that no
process outlives the one that started it, however that one ended.
"""

from __future__ import annotations

import ctypes
import os
import signal

#: Set by `clearinghouse up` in its components' environment: its pid.
SUPERVISOR_PID = "CLEARINGHOUSE_SUPERVISOR_PID"

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent(sig: signal.Signals, owner: int) -> None:
    """Be sent ``sig`` when the parent dies. ``owner`` is the process this one belongs to (its
    parent, or the parent's own parent): if it died before the request was made, the signal
    comes now, since the kernel would never send it."""
    if _libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    if not alive(owner):
        os.kill(os.getpid(), sig)


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie has died: it only waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in (b"Z", b"X")


def adopt() -> None:
    """In a component `up` started: die with `up` (SIGTERM, so that the component stops its own
    workers). The variable is removed so that processes the component starts do not take it."""
    owner = os.environ.pop(SUPERVISOR_PID, None)
    if owner:
        die_with_parent(signal.SIGTERM, int(owner))
