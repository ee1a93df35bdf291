"""The managed PostgreSQL cluster: the project's own, under ``$CLEARINGHOUSE_HOME/pg``.

It listens on 127.0.0.1 at a port of its own (never 5432 unless asked) and on a socket in its own
folder, so it never disturbs another PostgreSQL on the machine. PostgreSQL refuses to run as root:
when the caller is root the cluster belongs to, and runs as, the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from sqlalchemy.engine import URL

from clearinghouse.errors import DatabaseSetupError, SettingsError

PG_MAJOR = 15
FIRST_PORT = 55432
SUPERUSER = "clearinghouse"
DATABASE = "clearinghouse"
SYSTEM_USER = "postgres"
MAX_SOCKET_PATH = 100  # sun_path holds 107 bytes; leave room for ".s.PGSQL.NNNNN"


def find_bindir(major: int = PG_MAJOR) -> Path:
    """Where initdb, pg_ctl and postgres of the wanted major version live."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise DatabaseSetupError(
        f"PostgreSQL {major} is not installed (no initdb found): "
        f"run `make run`, or apt-get install postgresql-{major} postgresql-{major}-postgis-3"
    )


def binary_major(bindir: Path) -> int:
    out = subprocess.run(
        [str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise DatabaseSetupError(f"cannot tell the PostgreSQL version from {out.strip()!r}")
    return int(match.group(1))


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As servers do: connections of a previous run lingering in TIME_WAIT do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            if exc.errno == errno.EADDRNOTAVAIL:
                raise SettingsError(f"{host} is not an address of this machine") from None
            raise
    return True


def free_port(start: int = FIRST_PORT) -> int:
    for port in range(start, start + 1000):
        if port_is_free(port):
            return port
    raise DatabaseSetupError(f"no free port between {start} and {start + 999} on 127.0.0.1")


@dataclass
class Status:
    initialized: bool
    running: bool
    port: int | None
    pid: int | None
    data_dir: Path


class ManagedCluster:
    """One PostgreSQL cluster in a folder of its own.

    ``port`` forces a port (``CLEARINGHOUSE_PG_PORT``); without it the cluster takes a free one on
    first start and keeps it while it stays free. ``settings`` are extra server settings (the test
    harness turns durability off for speed).
    """

    def __init__(
        self,
        root: Path,
        *,
        port: int | None = None,
        settings: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ):
        self.root = Path(root).absolute()
        self.data_dir = self.root / "data"
        self.run_dir = self.root / "run"
        self.log_file = self.root / "postgresql.log"
        self.port_file = self.root / "port"
        self.password_file = self.root / "password"
        self.forced_port = port
        self.extra_settings = settings or {}
        self.start_timeout = start_timeout
        self._bindir: Path | None = None

    # -- facts -----------------------------------------------------------------------------

    @property
    def bindir(self) -> Path:
        if self._bindir is None:
            self._bindir = find_bindir()
        return self._bindir

    @property
    def run_as(self) -> str | None:
        return SYSTEM_USER if os.geteuid() == 0 else None

    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def port(self) -> int | None:
        if self.forced_port:
            return self.forced_port
        try:
            return int(self.port_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def password(self) -> str:
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            raise DatabaseSetupError(
                f"the managed database in {self.root} has not been created yet: "
                "run `clearinghouse db start`"
            ) from None

    def url(self, database: str = DATABASE) -> str:
        port = self.port()
        if port is None or not self.initialized():
            raise DatabaseSetupError(
                f"the managed database in {self.root} has not been created yet: "
                "run `clearinghouse db start`"
            )
        return URL.create(
            "postgresql+psycopg2",
            username=SUPERUSER,
            password=self.password(),
            host="127.0.0.1",
            port=port,
            database=database,
        ).render_as_string(hide_password=False)

    def status(self) -> Status:
        pid = self._live_pid()
        return Status(self.initialized(), pid is not None, self.port(), pid, self.data_dir)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Create the cluster if needed, start it, and return once it accepts connections."""
        if not self.initialized():
            self._init()
        self._check_version()
        if self._live_pid() is not None:
            self._wait_for_connections()
            return
        self._remove_stale_pid_file()
        port = self._choose_port()
        options = {
            "port": str(port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": self._socket_dir(port),
            # JIT compiles each costly plan anew: 70 ms on a spatial search that runs in 80.
            "jit": "off",
            **self.extra_settings,
        }
        opts = " ".join(f"-c {k}={_quote_option(v)}" for k, v in options.items())
        result = self._run(
            [
                self.bindir / "pg_ctl",
                "start",
                "-D",
                self.data_dir,
                "-l",
                self.log_file,
                "-w",
                "-t",
                str(int(self.start_timeout)),
                "-o",
                opts,
            ],
            check=False,
        )
        if result.returncode != 0:
            raise DatabaseSetupError(
                f"PostgreSQL did not start on port {port}: "
                f"{self._log_tail() or result.stderr.strip()}"
                f" (log: {self.log_file})"
            )
        self._wait_for_connections()
        self._ensure_database()

    def stop(self) -> bool:
        """Stop the server if it runs; return whether it was running."""
        if not self.initialized() or self._live_pid() is None:
            self._remove_stale_pid_file()
            return False
        result = self._run(
            [self.bindir / "pg_ctl", "stop", "-D", self.data_dir, "-m", "fast", "-w", "-t", "60"],
            check=False,
        )
        if result.returncode != 0:
            raise DatabaseSetupError(f"PostgreSQL did not stop: {result.stderr.strip()}")
        return True

    def destroy(self) -> None:
        """Stop the server and remove the cluster's folder (the test harness's throwaway ones)."""
        with contextlib.suppress(DatabaseSetupError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- internals -------------------------------------------------------------------------

    def _init(self) -> None:
        major = binary_major(self.bindir)
        if major != PG_MAJOR:
            raise DatabaseSetupError(f"PostgreSQL {PG_MAJOR} is needed, found {major}")
        self.root.mkdir(parents=True, exist_ok=True)
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise DatabaseSetupError(
                f"{self.data_dir} is not empty but holds no PostgreSQL cluster: move it away"
            )
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password + "\n")
        self.password_file.chmod(0o600)
        pwfile = self.root / ".initdb-password"
        pwfile.write_text(password + "\n")
        try:
            self._hand_over(pwfile)
            self._run(
                [
                    self.bindir / "initdb",
                    "-D",
                    self.data_dir,
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-local=peer",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-instructions",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _hand_over(self, *extra: Path) -> None:
        """As root, give the cluster's folder to the postgres user and check it can reach it."""
        if self.run_as is None:
            return
        account = _ensure_system_user(SYSTEM_USER)
        for path in (self.root, self.run_dir, *extra):
            if path == self.run_dir:
                path.mkdir(exist_ok=True)
            os.chown(path, account.pw_uid, account.pw_gid)
        self.root.chmod(0o700)
        probe = subprocess.run(
            ["test", "-w", str(self.root)], user=account.pw_uid, group=account.pw_gid, check=False
        )
        if probe.returncode != 0:
            raise DatabaseSetupError(
                f"the {SYSTEM_USER} user cannot reach {self.root} (a parent folder is closed to "
                "other users): set CLEARINGHOUSE_HOME to a folder it can reach"
            )

    def _check_version(self) -> None:
        found = (self.data_dir / "PG_VERSION").read_text().strip()
        if found != str(PG_MAJOR):
            raise DatabaseSetupError(
                f"{self.data_dir} was created by PostgreSQL {found}, but this machine runs "
                f"PostgreSQL {PG_MAJOR}: upgrade it with pg_upgrade, or move it away to start "
                "afresh"
            )

    def _choose_port(self) -> int:
        if self.forced_port:
            if not port_is_free(self.forced_port):
                raise DatabaseSetupError(
                    f"port {self.forced_port} (CLEARINGHOUSE_PG_PORT) is already in use on "
                    "127.0.0.1: stop what holds it or choose another port"
                )
            return self.forced_port
        port = self.port()
        if port is None or not port_is_free(port):
            port = free_port()
        self.port_file.write_text(f"{port}\n")
        return port

    def _socket_dir(self, port: int) -> str:
        self.run_dir.mkdir(exist_ok=True)
        if self.run_as:
            account = pwd.getpwnam(self.run_as)
            os.chown(self.run_dir, account.pw_uid, account.pw_gid)
        if len(f"{self.run_dir}/.s.PGSQL.{port}") > MAX_SOCKET_PATH:
            return ""  # too deep a folder for a socket path: TCP only
        return str(self.run_dir)

    def _live_pid(self) -> int | None:
        """The postmaster's pid if one runs for this data directory."""
        try:
            first_lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid = int(first_lines[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return None
        if not cmdline or not cmdline[0].endswith(b"postgres"):
            return None  # the pid was reused by another program after a crash
        return pid

    def _remove_stale_pid_file(self) -> None:
        if self._live_pid() is None:
            (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def _connect(self, database: str = "postgres"):
        return psycopg2.connect(
            host="127.0.0.1",
            port=self.port(),
            user=SUPERUSER,
            password=self.password(),
            dbname=database,
            connect_timeout=3,
        )

    def _wait_for_connections(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                self._connect().close()
                return
            except psycopg2.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise DatabaseSetupError(
                        f"PostgreSQL runs but accepts no connection on port {self.port()}: "
                        f"{str(exc).strip().splitlines()[0]}"
                    ) from None
                time.sleep(0.1)

    def _ensure_database(self) -> None:
        conn = self._connect()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            conn.close()

    def _log_tail(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text().splitlines() if ln.strip()]
        except (FileNotFoundError, PermissionError):
            return ""
        important = [ln for ln in lines if re.search(r"FATAL|ERROR|PANIC", ln)]
        return (important or lines or [""])[-1].strip()

    def _run(self, argv: list, *, check: bool = True) -> subprocess.CompletedProcess:
        account = pwd.getpwnam(self.run_as) if self.run_as else None
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": account.pw_dir if account else os.environ.get("HOME", "/"),
        }
        result = subprocess.run(
            [str(a) for a in argv],
            capture_output=True,
            text=True,
            cwd=self.root,
            env=env,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            check=False,
        )
        if check and result.returncode != 0:
            message = (result.stderr or result.stdout).strip().splitlines()
            raise DatabaseSetupError(
                f"{Path(str(argv[0])).name} failed: {message[-1] if message else result.returncode}"
            )
        return result


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--home-dir",
            "/var/lib/postgresql",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(name)


def _quote_option(value: str) -> str:
    return "''" if value == "" else value if re.fullmatch(r"[\w./-]+", value) else f"'{value}'"
