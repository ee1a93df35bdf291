"""`clearinghouse up`'s supervision of its components.

Each component runs in a session (and so a process group) of its own, with everything it starts
(gunicorn's workers, the ingest pipeline's forkserver and workers). A component that dies is
restarted after a back-off that doubles with each crash; one that crashes ``max_crashes`` times
within ``window`` seconds stops everything. A dead component's group is killed before the
component is reaped, so that no worker outlives it and its group id cannot have been reused.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from clearinghouse import lifeline

log = logging.getLogger("clearinghouse.up")

POLL = 0.1


class GaveUp(Exception):
    """A component crashed too often."""


@dataclass
class _Child:
    name: str
    description: str
    process: subprocess.Popen | None = None
    crashes: collections.deque = field(default_factory=collections.deque)
    restart_at: float = 0.0


class Supervisor:
    def __init__(
        self,
        components: Iterable,
        command: Callable[[str], list[str]],
        *,
        max_crashes: int = 5,
        window: float = 60.0,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
    ):
        self.children = [_Child(c.name, c.description) for c in components]
        self.command = command
        self.max_crashes, self.window = max_crashes, window
        self.backoff, self.max_backoff = backoff, max_backoff

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def _spawn(self, child: _Child) -> None:
        log.info("starting %s", child.description)
        env = {**os.environ, lifeline.SUPERVISOR_PID: str(os.getpid())}
        child.process = subprocess.Popen(self.command(child.name), env=env, start_new_session=True)

    def check(self) -> None:
        """Restart what died and is due; raise GaveUp when a component crashed too often."""
        now = time.monotonic()
        for child in self.children:
            if child.process is None:
                if now >= child.restart_at:
                    log.info("restarting %s", child.description)
                    self._spawn(child)
                continue
            if not _exited(child.process):
                continue
            how = _reap(child.process)
            child.process = None
            child.crashes.append(now)
            while child.crashes and child.crashes[0] < now - self.window:
                child.crashes.popleft()
            count = len(child.crashes)
            if count >= self.max_crashes:
                log.error(
                    "%s %s: %d crashes within %.0f s; stopping everything",
                    child.description,
                    how,
                    count,
                    self.window,
                )
                raise GaveUp(child.name)
            delay = min(self.backoff * 2 ** (count - 1), self.max_backoff)
            log.error(
                "%s %s; restarting it in %.1f s (crash %d of %d allowed within %.0f s)",
                child.description,
                how,
                delay,
                count,
                self.max_crashes - 1,
                self.window,
            )
            child.restart_at = now + delay

    def stop(self, grace: float) -> None:
        """SIGTERM to each component, SIGKILL to those still there after ``grace`` seconds,
        then to whatever is left in their process groups."""
        running = [c for c in self.children if c.process is not None]
        for child in running:
            _signal(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and not all(_exited(c.process) for c in running):
            time.sleep(POLL)
        for child in running:
            if not _exited(child.process):
                log.warning("%s did not stop in %.0f s; killing it", child.description, grace)
                _signal(child.process.pid, signal.SIGKILL)
            _reap(child.process)
            child.process = None


def _exited(process: subprocess.Popen) -> bool:
    """Whether the process has ended, leaving it unreaped (its pid, and so its group id, stay
    taken until _reap)."""
    if process.returncode is not None:
        return True
    found = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return found is not None


def _reap(process: subprocess.Popen) -> str:
    """Kill what is left of the process's group, reap the process, say how it ended."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    status = process.wait()
    if status < 0:
        return f"was killed by {signal.Signals(-status).name}"
    return f"stopped (exit status {status})"


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
