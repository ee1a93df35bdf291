"""requirements.lock is what gets installed: CI fails when it is stale against setup.cfg."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "check-lock", tmp_path / "scripts" / "check-lock")
    for name in ("setup.cfg", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _check(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(tree / "scripts" / "check-lock")], capture_output=True, text=True
    )


def test_the_committed_lock_is_current(tmp_path):
    result = _check(_tree(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("lxml>=5.0", "lxml>=99.0", "lxml>=99.0 is not met by the locked lxml=="),
        ("    gunicorn>=22.0\n", "    gunicorn>=22.0\n    leafmap>=1.0\n", "leafmap>=1.0 is not"),
        ('"wheel"', '"wheel>=0.1"', "changed since the lock was written"),
    ],
)
def test_a_changed_dependency_makes_the_lock_stale(tmp_path, old, new, words):
    tree = _tree(tmp_path)
    target = tree / ("pyproject.toml" if "wheel" in old else "setup.cfg")
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new))
    result = _check(tree)
    assert result.returncode == 1
    assert words in result.stderr and "run `make lock`" in result.stderr


def test_every_locked_package_has_hashes():
    text = (ROOT / "requirements.lock").read_text()
    pins = [line for line in text.splitlines() if "==" in line and not line.startswith(" ")]
    assert len(pins) > 20
    for block in text.split("\n")[2:]:
        if "==" in block and not block.startswith(" "):
            assert block.endswith("\\"), f"{block} has no hash"
