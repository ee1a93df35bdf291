"""`clearinghouse db …`, `provider add` and `user add` run as real processes on real clusters."""

import os
import pwd
import shutil
import signal
import socket
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clearinghouse.db.cluster import ManagedCluster
from clearinghouse.db.migrate import head
from tests.cli import one_line_error, run
from tests.conftest import ephemeral_port


def _postmaster_pid(env) -> int:
    return int((Path(env["CLEARINGHOUSE_HOME"]) / "pg/data/postmaster.pid").read_text().split()[0])


def test_lifecycle_start_status_url_upgrade_stop(cli_env, tmp_path):
    result = run(cli_env, "db", "status")
    assert result.returncode == 3 and "not created yet" in result.stdout
    assert "has not been created yet" in one_line_error(run(cli_env, "db", "url"))

    result = run(cli_env, "db", "start")
    assert result.returncode == 0, result.stderr
    assert f"127.0.0.1:{cli_env['CLEARINGHOUSE_PG_PORT']}" in result.stdout

    # PostgreSQL refuses root: as root, the cluster runs as the postgres user.
    status = Path(f"/proc/{_postmaster_pid(cli_env)}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert uid == (pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid())

    url = run(cli_env, "db", "url").stdout.strip()
    parsed = make_url(url)
    assert parsed.port == int(cli_env["CLEARINGHOUSE_PG_PORT"]) and parsed.host == "127.0.0.1"
    result = run(cli_env, "db", "status")
    assert result.returncode == 0 and "running" in result.stdout and "schema empty" in result.stdout

    result = run(cli_env, "db", "upgrade")
    assert result.returncode == 0 and f"revision {head()} (head)" in result.stdout, result.stderr
    assert f"schema {head()}" in run(cli_env, "db", "status").stdout
    assert run(cli_env, "db", "start").returncode == 0  # again: nothing to do

    # Partners and users, with passwords from files, never on the command line.
    secret = tmp_path / "secret"
    secret.write_text("s3cret-ftp-pass\n")
    result = run(
        cli_env,
        "provider",
        "add",
        "ORNL_DAAC",
        "--email",
        "ops@ornl.example",
        "--ftp-password-file",
        str(secret),
        "--endpoint",
        "http://127.0.0.1:9/orders",
        "--mode",
        "async",
        "--retry-attempts",
        "5",
        "--retry-wait",
        "30",
        "--transactions",
        "QUOTE,SUBMIT",
    )
    assert result.returncode == 0, result.stderr
    assert "already exists" in one_line_error(
        run(
            cli_env,
            "provider",
            "add",
            "ORNL_DAAC",
            "--email",
            "x@y.org",
            "--ftp-password-file",
            str(secret),
        )
    )
    assert "upper-case letters" in one_line_error(
        run(
            cli_env,
            "provider",
            "add",
            "ornl",
            "--email",
            "x@y.org",
            "--ftp-password-file",
            "-",
            stdin="another-password\n",
        )
    )
    result = run(
        cli_env,
        "user",
        "add",
        "alice",
        "--password-file",
        "-",
        "--provider",
        "ORNL_DAAC",
        "--email",
        "alice@example.org",
        stdin="alice-password\n",
    )
    assert result.returncode == 0, result.stderr
    assert "provider NOPE does not exist" in one_line_error(
        run(cli_env, "user", "add", "bob", "--password-file", str(secret), "--provider", "NOPE")
    )
    assert "at least 8 characters" in one_line_error(
        run(cli_env, "user", "add", "carol", "--password-file", "-", stdin="short\n")
    )
    engine = create_engine(url)
    with engine.connect() as conn:
        provider = conn.execute(
            text(
                "SELECT order_mode, retry_attempts, retry_wait_seconds, supported_transactions,"
                " ftp_password_hash FROM providers WHERE provider_id = 'ORNL_DAAC'"
            )
        ).one()
        user = conn.execute(
            text(
                "SELECT u.password_hash, array_agg(p.provider_id) FROM users u"
                " JOIN user_providers p ON p.user_id = u.id WHERE username = 'alice'"
                " GROUP BY u.password_hash"
            )
        ).one()
    engine.dispose()
    assert provider[:4] == ("async", 5, 30, ["QUOTE", "SUBMIT"])
    assert provider[4].startswith("$argon2id$") and "s3cret" not in provider[4]
    assert user[0].startswith("$argon2id$") and user[1] == ["ORNL_DAAC"]

    result = run(cli_env, "db", "stop")
    assert result.returncode == 0 and "stopped" in result.stdout
    result = run(cli_env, "db", "status")
    assert result.returncode == 3 and "stopped" in result.stdout
    assert "was not running" in run(cli_env, "db", "stop").stdout

    # Started again, the same data is there.
    assert run(cli_env, "db", "start").returncode == 0
    with psycopg2.connect(url.replace("+psycopg2", "")) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM users WHERE username = 'alice'")
        assert cur.fetchone()[0] == 1
    conn.close()


def test_start_after_a_crash_with_a_stale_pid_file(cli_env):
    assert run(cli_env, "db", "start").returncode == 0
    pid = _postmaster_pid(cli_env)
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.05)
    pid_file = Path(cli_env["CLEARINGHOUSE_HOME"]) / "pg/data/postmaster.pid"
    assert pid_file.exists()
    # Worst case: after a reboot the stale pid now belongs to another, live program.
    lines = pid_file.read_text().splitlines()
    lines[0] = str(os.getpid())
    pid_file.write_text("\n".join(lines) + "\n")
    # Children of the killed postmaster may hold the port for a moment.
    for _ in range(50):
        result = run(cli_env, "db", "start")
        if result.returncode == 0:
            break
        time.sleep(0.2)
    assert result.returncode == 0, result.stderr
    assert run(cli_env, "db", "status").returncode == 0


def test_a_port_already_taken(cli_env):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(cli_env["CLEARINGHOUSE_PG_PORT"])))
        holder.listen()
        line = one_line_error(run(cli_env, "db", "start"))
    assert (
        f"port {cli_env['CLEARINGHOUSE_PG_PORT']} (CLEARINGHOUSE_PG_PORT) is already in use" in line
    )


def test_a_data_directory_of_another_postgresql_version(cli_env):
    data = Path(cli_env["CLEARINGHOUSE_HOME"]) / "pg" / "data"
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("14\n")
    line = one_line_error(run(cli_env, "db", "start"))
    assert "was created by PostgreSQL 14, but this machine runs PostgreSQL 15" in line
    assert "pg_upgrade" in line


def test_a_wrong_external_database_url(cli_env):
    env = dict(
        cli_env, CLEARINGHOUSE_DATABASE_URL=f"postgresql://nobody:pw@127.0.0.1:{ephemeral_port()}/x"
    )
    for command in (["db", "status"], ["db", "start"], ["db", "upgrade"]):
        line = one_line_error(run(env, *command))
        assert (
            "cannot connect to the database at postgresql+psycopg2://nobody:***@127.0.0.1" in line
        )
        assert "CLEARINGHOUSE_DATABASE_URL" in line
    assert "not ours to stop" in one_line_error(run(env, "db", "stop"))
    env["CLEARINGHOUSE_DATABASE_URL"] = "mysql://u@h/db"
    assert "needs PostgreSQL with PostGIS" in one_line_error(run(env, "db", "status"))


def test_an_external_database_is_used_instead_of_the_managed_one(cli_env, pg_cluster):
    name = f"external_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        env = dict(cli_env, CLEARINGHOUSE_DATABASE_URL=pg_cluster.url(name))
        assert run(env, "db", "url").stdout.strip() == pg_cluster.url(name)
        result = run(env, "db", "upgrade")
        assert result.returncode == 0, result.stderr
        result = run(env, "db", "status")
        assert (
            result.returncode == 0
            and "reachable" in result.stdout
            and f"schema {head()}" in result.stdout
        )
        assert not (Path(cli_env["CLEARINGHOUSE_HOME"]) / "pg").exists()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CLEARINGHOUSE_INGEST_INTERVAL", "often"), ("CLEARINGHOUSE_HTTP", "nowhere")],
)
def test_bad_settings_stop_every_command_with_one_line(cli_env, variable, value):
    env = dict(cli_env, **{variable: value})
    for command in (["db", "status"], ["up"]):
        assert variable in one_line_error(run(env, *command))


def test_a_normal_user_runs_the_cluster_as_itself(cli_env):
    """The non-root path. As root, a forked child drops to the unprivileged postgres account (its
    interpreter lives under /root, which that account cannot exec); otherwise it stays oneself."""
    account = pwd.getpwnam("postgres") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    home = Path(cli_env["CLEARINGHOUSE_HOME"])
    os.chown(home, account.pw_uid, account.pw_gid)
    port = int(cli_env["CLEARINGHOUSE_PG_PORT"])
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)
            cluster = ManagedCluster(home / "pg", port=port)
            cluster.start()
            running = cluster.status().running
            owner = (home / "pg" / "data").stat().st_uid
            cluster.stop()
            os.write(write_end, f"{running} {owner} {cluster.status().running}".encode())
            code = 0
        except BaseException as exc:
            os.write(write_end, repr(exc).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    _, status = os.waitpid(child, 0)
    report = os.read(read_end, 4096).decode()
    os.close(read_end)
    assert os.waitstatus_to_exitcode(status) == 0, report
    assert report == f"True {account.pw_uid} False"
    shutil.rmtree(home / "pg", ignore_errors=True)


def test_loops_log_the_database_away_in_one_line_and_bugs_with_their_traceback(caplog):
    """The scheduler, the scans and the broker worker go on after a failure: a database that is
    away (restarted, say) is a warning of one line, anything else an error with its traceback."""
    import logging

    from sqlalchemy import exc as sa_exc

    from clearinghouse.db.errors import log_failure
    from clearinghouse.errors import DatabaseUnavailable

    logger = logging.getLogger("tests.loops")
    lost = sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    for error in (lost, DatabaseUnavailable("the database is unavailable; try again shortly")):
        caplog.clear()
        try:
            raise error
        except Exception:
            log_failure(logger, "%s: the scan failed; the next one tries again", "P1")
        (record,) = caplog.records
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert record.getMessage() == (
            "P1: the scan failed; the next one tries again: the database is unavailable"
        )
    caplog.clear()
    try:
        raise KeyError("a bug")
    except Exception:
        log_failure(logger, "the scheduled scan failed")
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info[0] is KeyError
