"""Running `clearinghouse` as a real process, as an operator would."""

from __future__ import annotations

import subprocess
import sys


def run(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "clearinghouse", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(result) -> str:
    """The failure contract: a non-zero status and exactly one line on stderr."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]
