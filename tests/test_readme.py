"""README.md's shell examples, run in order against a system started as `make run` starts it.

The convention README.md follows (and this test holds it to):

- Every ```sh block runs, none skipped, top to bottom in one bash from the project root, as a
  reader pasting them into one terminal would: variables set in one block are there in the next.
- A command is one complete shell command (continuation lines, multi-line quotes, here-documents
  and parentheses included; bash itself decides where a command ends).
- The lines starting with `# ` (or a bare `#`) directly after a command are its expected output
  (standard output). A comment after a blank line, at the top of a block or at the end of a
  command's own line is prose.
- Expected output matches the whole output: `…` matches anything (line breaks included, and the
  spaces around it), a line break matches any whitespace or none (the README wraps long answers),
  and a run of spaces matches any run of whitespace.
- Every command must exit 0; a command without expected output must not answer an `<Error>` or
  print a traceback (a reader would be stuck there too).
- Addresses: the examples read `$API`, `$FTP` and `$SIM_PORT` with `make run`'s defaults
  (`API=${API:-http://127.0.0.1:8080}`) and the `CLEARINGHOUSE_*` settings of the Configuration
  table; this test sets them to a home in a temp dir and free ports, and starts `clearinghouse up`
  there as `make run` does. Jobs an example leaves in the background (the partner simulator) end
  with the test's process group.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from clearinghouse.db.cluster import port_is_free

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARK = "@@readme-command-done@@"
EXPECTED = re.compile(r"^#( |$)")


@dataclass
class Command:
    block_line: int  # line of the ```sh fence in README.md
    text: str
    expected: list[str] = field(default_factory=list)


def sh_blocks(readme: str) -> list[tuple[int, list[str]]]:
    blocks, current, start = [], None, 0
    for number, line in enumerate(readme.splitlines(), 1):
        if current is None and line.strip() == "```sh":
            current, start = [], number
        elif current is not None and line.startswith("```"):
            blocks.append((start, current))
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, f"README.md line {start}: the ```sh block is never closed"
    return blocks


def _complete(text: str) -> bool:
    if text.rstrip().endswith("\\"):
        return False
    check = subprocess.run(["bash", "-n"], input=text + "\n", capture_output=True, text=True)
    # An unterminated here-document is only a warning to bash -n.
    return check.returncode == 0 and "here-document" not in check.stderr


def commands(block_line: int, lines: list[str]) -> list[Command]:
    found: list[Command] = []
    pending: list[str] = []
    output_may_follow = False
    for line in lines:
        if pending:
            pending.append(line)
        elif EXPECTED.match(line) and output_may_follow:
            found[-1].expected.append(line[2:])
            continue
        elif not line.strip() or line.lstrip().startswith("#"):
            output_may_follow = False
            continue
        else:
            pending = [line]
        if _complete("\n".join(pending)):
            found.append(Command(block_line, "\n".join(pending)))
            pending, output_may_follow = [], True
    assert not pending, f"README.md block at line {block_line} ends inside a command"
    return found


def expected_pattern(expected: list[str]) -> re.Pattern:
    def one_line(line: str) -> str:
        pieces = re.split(r"(\s*…\s*| +)", line.strip())
        return "".join(
            ".*?" if "…" in piece else r"\s+" if piece.isspace() else re.escape(piece)
            for piece in pieces
        )

    return re.compile(r"\s*".join(one_line(line) for line in expected), re.DOTALL)


def run_commands(found: list[Command], env: dict[str, str], timeout: float) -> list[str]:
    """Run every command in one bash; return each one's standard output."""
    script = ["cd " + str(ROOT)]
    for index, command in enumerate(found):
        script.append(command.text)
        status = f"{MARK} {index} $?"
        script.append(f'printf "\\n%s\\n" "{status}"; printf "\\n%s\\n" "{status}" >&2')
    process = subprocess.Popen(
        ["bash", "-c", "\n".join(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # A wait that never ends: stop it and report the command it was in.
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    finally:
        _stop_group(process)
    outputs, statuses = _split(stdout)
    errors, _ = _split(stderr)
    for index, command in enumerate(found):
        where = f"README.md block at line {command.block_line}, command:\n{command.text}\n"
        assert index < len(statuses), f"{where}did not finish; stderr:\n{stderr[-3000:]}"
        detail = f"{where}stdout:\n{outputs[index]}\nstderr:\n{errors[index]}"
        assert statuses[index] == 0, f"exit status {statuses[index]}\n{detail}"
        if command.expected:
            wanted = expected_pattern(command.expected)
            assert wanted.fullmatch(outputs[index].strip()), (
                "output differs from the README's\n" + "\n".join(command.expected) + "\n" + detail
            )
        else:
            assert "<Error>" not in outputs[index], detail
            assert "Traceback" not in outputs[index] + errors[index], detail
    return outputs


def _split(stream: str) -> tuple[list[str], list[int]]:
    outputs, statuses, current = [], [], []
    for line in stream.splitlines():
        if line.startswith(MARK):
            outputs.append("\n".join(current))
            statuses.append(int(line.split()[2]))
            current = []
        else:
            current.append(line)
    outputs.append("\n".join(current))
    return outputs, statuses


def _stop_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait()


def port_the_kernel_never_picks() -> int:
    """A free port below the kernel's range for port 0. The examples stop the database and
    start it again, and start the simulator a while after its port was chosen: a port from that
    range could meanwhile be handed to one of the other tests running on the machine."""
    range_file = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low = int(range_file.read_text().split()[0]) if range_file.exists() else 32768
    for port in random.sample(range(max(1024, low - 10000), low), 100):
        if port_is_free(port):
            return port
    raise AssertionError("no free port below the ephemeral range")


def _wait_for_demo(env: dict[str, str], process: subprocess.Popen, timeout: float = 90) -> None:
    """Up, and the demo data set ingested: a report for each of its files, as `make run` gives
    a reader seconds after it starts."""
    files = sum(1 for _ in (ROOT / "demo").glob("DEMO_*/*/*.xml"))
    home = Path(env["CLEARINGHOUSE_HOME"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "clearinghouse up stopped"
        reports = sum(1 for _ in home.glob("ftp/DEMO_*/reports/*.report.txt"))
        try:
            with urllib.request.urlopen(f"{env['API']}/health", timeout=5) as answer:
                healthy = answer.status == 200
        except OSError:
            healthy = False
        if healthy and reports >= files:
            return
        time.sleep(0.3)
    raise AssertionError("the system did not come up with its demo data set")


def test_parser_follows_the_convention():
    found = commands(
        1,
        [
            "# prose at the top",
            "A=1",
            "# right after a command: its expected output",
            "",
            "printf 'a  b\\n\\nc' \\",
            "  | cat",
            "# a b",
            "#",
            "# …",
            "",
            "# prose after a blank line",
            "cat <<'X'",
            "# inside a here-document",
            "X",
        ],
    )
    assert [c.text.splitlines()[0] for c in found] == [
        "A=1",
        "printf 'a  b\\n\\nc' \\",
        "cat <<'X'",
    ]
    assert found[0].expected == ["right after a command: its expected output"]
    assert found[1].expected == ["a b", "", "…"] and found[2].expected == []
    assert expected_pattern(found[1].expected).fullmatch("a   b\n\nc")
    assert not expected_pattern(["a b"]).fullmatch("a b c")
    assert expected_pattern(["<A>…</A>", "  <B/>"]).fullmatch("<A>x\ny</A><B/>")


def test_readme_shell_examples_run_as_shown(cli_env, tmp_path):
    env = dict(cli_env)
    env.update(
        API=f"http://{env['CLEARINGHOUSE_HTTP']}",
        FTP=f"ftp://{env['CLEARINGHOUSE_FTP']}",
        SIM_PORT=str(port_the_kernel_never_picks()),
        CLEARINGHOUSE_PG_PORT=str(port_the_kernel_never_picks()),
    )
    found = [
        command
        for line, block in sh_blocks(README.read_text(encoding="utf-8"))
        for command in commands(line, block)
    ]
    for command in found:
        # `make run` is what this test stands in for, and `make test` would run the whole suite
        # from inside it: the README shows them in a plain ``` block.
        assert not re.match(r"make\s+(run|test)\b", command.text), (
            f"README.md block at line {command.block_line}: {command.text}"
        )
    log = (tmp_path / "up.log").open("w")  # the system's own log, for a failure's reader
    up = subprocess.Popen(
        [sys.executable, "-m", "clearinghouse", "up"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for_demo(env, up)
        run_commands(found, env, timeout=240)
    finally:
        _stop_group(up, signal.SIGTERM)
        log.close()
