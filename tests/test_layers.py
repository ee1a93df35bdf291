"""The floors of the project (.importlinter; README, "How the parts fit") hold: no package imports
one above its own, the packages of one floor do not import each other, nothing of the product
imports the partner simulator, and every module of the project is on a floor. The check itself is
shown to fail on each kind of upward import, run on a copy of the tree with one import added."""

from __future__ import annotations

import configparser
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
LINT = Path(sys.executable).parent / "lint-imports"


def _config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(root / ".importlinter")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_floors_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_module_is_on_a_floor() -> None:
    """A layers contract says nothing of a module it does not list: a new one must be given its
    floor (a line of .importlinter) before it can import anything."""
    config = _config()
    roots = config["importlinter"]["root_packages"].split()
    listed = {
        name.strip()
        for line in config["importlinter:contract:floors"]["layers"].splitlines()
        for name in line.split("|")
        if name.strip()
    }
    project = set(roots) - {"clearinghouse"}
    children = pkgutil.iter_modules([str(ROOT / "clearinghouse")], "clearinghouse.")
    project |= {module.name for module in children}
    assert project - listed == set()
    assert listed - project == set()


# Each kind of import the floors forbid, and a module of the copy that makes it.
VIOLATIONS = [
    ("spatial/_up.py", "import clearinghouse.config"),
    ("dtd/_up.py", "from clearinghouse import xmlsafe"),
    ("ingest/_up.py", "import clearinghouse.api.messages"),
    ("broker/_up.py", "import clearinghouse.web"),
    ("ingest/_up.py", "import clearinghouse.oseo.names"),
    ("clearinghouse/catalog/_up.py", "import clearinghouse.api"),
    ("clearinghouse/accounts/_up.py", "import clearinghouse.catalog.models"),
    ("ingest/_up.py", "import broker.orders"),
    ("broker/_up.py", "import ingest.models"),
    ("clearinghouse/cli.py", "import partner_sim"),
    ("partner_sim/_up.py", "import broker.partner"),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """The project's packages (their Python files) and contracts, copied once."""
    copy = tmp_path_factory.mktemp("floors")
    for package in _config()["importlinter"]["root_packages"].split():
        shutil.copytree(
            ROOT / package,
            copy / package,
            ignore=lambda folder, names: (
                [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()]
                + ["__pycache__"]
            ),
        )
    shutil.copy(CONFIG, copy / ".importlinter")
    assert _lint(copy).returncode == 0  # the copy as it is passes
    return copy


@pytest.mark.parametrize(("path", "line"), VIOLATIONS)
def test_the_check_fails_on_an_upward_import(pristine, tmp_path, path, line) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    module = tree / path
    before = module.read_text() if module.exists() else ""
    module.write_text(f"{before}\n{line}  # the violation\n")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    importer = path.removesuffix(".py").replace("/", ".")
    assert importer in result.stdout
    assert "BROKEN" in result.stdout
