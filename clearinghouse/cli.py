"""The `clearinghouse` command (CONTRACT §3).

Every failure an operator can cause (bad setting, database missing or unreachable, port taken,
duplicate provider) ends in one line on standard error and a non-zero exit status.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
import psycopg2
from sqlalchemy.engine import make_url

from clearinghouse.config import Settings, load_settings
from clearinghouse.errors import ClearinghouseError, DatabaseSetupError

EXIT_FAILURE = 1
EXIT_NOT_RUNNING = 3  # as pg_ctl status


def _settings() -> Settings:
    ctx = click.get_current_context()
    root = ctx.find_root()
    if "settings" not in root.meta:
        root.meta["settings"] = load_settings()
    return root.meta["settings"]


def operator_errors(command: Callable) -> Callable:
    """Turn the project's errors into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ClearinghouseError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clearinghouse")
def main() -> None:
    """Earth-science metadata clearinghouse and order broker."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from clearinghouse import lifeline

    lifeline.adopt()


# -- running -------------------------------------------------------------------------------------


@main.command()
@operator_errors
def up() -> None:
    """Start everything in the foreground: database (managed), HTTP API and the other parts."""
    from clearinghouse.components import up as run_up

    sys.exit(run_up(_settings()))


@main.command()
@operator_errors
def serve() -> None:
    """Run the HTTP API alone."""
    from clearinghouse.server import serve as run_serve

    run_serve(_settings())


@main.command()
@operator_errors
def ftp() -> None:
    """Run the partners' FTP drop boxes alone."""
    from clearinghouse.server import check_bindable
    from ingest.ftp import run

    settings = _settings()
    check_bindable(settings.ftp, "CLEARINGHOUSE_FTP")
    run(_database(), settings)


@main.command()
@operator_errors
def scheduler() -> None:
    """Run the ingest scheduler alone: scans drop boxes on a schedule and on each upload."""
    from clearinghouse.components import scheduler_jobs
    from ingest.scheduler import run

    db = _database()
    run(db, _settings(), scheduler_jobs(db, _settings()))


@main.command()
@operator_errors
def worker() -> None:
    """Run one broker worker: sends quotes, submits and cancels to the partners."""
    from broker.dispatch import run
    from clearinghouse import doors

    doors.assemble()
    run(_settings())


# -- database ------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The database: the managed cluster's lifecycle, or checks of an external one."""


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check_connection(url: str) -> str:
    """Connect once; return the server version or raise one clear line."""
    parsed = make_url(url)
    try:
        conn = psycopg2.connect(
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
            connect_timeout=5,
        )
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseSetupError(
            f"cannot connect to the database at {_safe(url)}: {reason} "
            "(check CLEARINGHOUSE_DATABASE_URL)"
        ) from None
    try:
        return conn.get_parameter_status("server_version")
    finally:
        conn.close()


@db.command("start")
@operator_errors
def db_start() -> None:
    """Create (first time) and start the managed cluster; wait until it accepts connections."""
    from clearinghouse.db import managed_cluster

    settings = _settings()
    if not settings.managed_database:
        version = check_connection(settings.database_url)
        click.echo(
            f"using the external database {_safe(settings.database_url)} (PostgreSQL {version})"
        )
        return
    cluster = managed_cluster(settings)
    cluster.start()
    click.echo(
        f"managed database running on 127.0.0.1:{cluster.port()} (data in {cluster.data_dir})"
    )


@db.command("stop")
@operator_errors
def db_stop() -> None:
    """Stop the managed cluster."""
    from clearinghouse.db import managed_cluster

    settings = _settings()
    if not settings.managed_database:
        raise DatabaseSetupError(
            "CLEARINGHOUSE_DATABASE_URL is set: the external database is not ours to stop"
        )
    stopped = managed_cluster(settings).stop()
    click.echo("managed database stopped" if stopped else "managed database was not running")


@db.command("status")
@operator_errors
def db_status() -> None:
    """Say whether the database runs (exit status 0) or not (3)."""
    from clearinghouse.db import managed_cluster, migrate

    settings = _settings()
    if not settings.managed_database:
        version = check_connection(settings.database_url)
        revision = migrate.current(settings.database_url)
        click.echo(
            f"external database {_safe(settings.database_url)}: reachable, PostgreSQL {version},"
            f" schema {revision or 'empty'}"
        )
        return
    cluster = managed_cluster(settings)
    status = cluster.status()
    if not status.initialized:
        click.echo(
            f"managed database not created yet in {cluster.root} (run: clearinghouse db start)"
        )
        sys.exit(EXIT_NOT_RUNNING)
    if not status.running:
        click.echo(f"managed database stopped (data in {status.data_dir})")
        sys.exit(EXIT_NOT_RUNNING)
    revision = migrate.current(cluster.url())
    click.echo(
        f"managed database running on 127.0.0.1:{status.port} (pid {status.pid}),"
        f" schema {revision or 'empty'}, data in {status.data_dir}"
    )


@db.command("upgrade")
@operator_errors
def db_upgrade() -> None:
    """Migrate the schema to the newest revision (starting the managed cluster if needed)."""
    from clearinghouse.db import database_url, managed_cluster, migrate

    settings = _settings()
    if settings.managed_database:
        managed_cluster(settings).start()
    else:
        check_connection(settings.database_url)
    url = database_url(settings)
    migrate.upgrade(url)
    click.echo(f"schema at revision {migrate.current(url)} (head)")


@db.command("url")
@operator_errors
def db_url() -> None:
    """Print the SQLAlchemy URL of the database."""
    from clearinghouse.db import database_url

    click.echo(database_url(_settings()))


# -- partners and users --------------------------------------------------------------------------


def _database():
    from clearinghouse.db import Database, database_url, make_engine

    return Database(make_engine(database_url(_settings())))


def _session():
    return _database().session()


@main.group()
def provider() -> None:
    """Data partners."""


@provider.command("add")
@click.argument("provider_id")
@click.option("--email", required=True, help="Where ingest reports are mailed.")
@click.option(
    "--ftp-password-file", required=True, help="File holding the FTP password ('-': stdin)."
)
@click.option("--name", help="The partner's full name.")
@click.option("--endpoint", help="URL the broker POSTs quote/submit/cancel requests to.")
@click.option("--mode", type=click.Choice(["sync", "async"]), default="sync", show_default=True)
@click.option("--retry-attempts", type=click.IntRange(min=0), default=3, show_default=True)
@click.option(
    "--retry-wait", type=click.IntRange(min=0), default=60, show_default=True, help="Seconds."
)
@click.option("--transactions", default="QUOTE,SUBMIT,CANCEL", show_default=True)
@operator_errors
def provider_add(
    provider_id,
    email,
    ftp_password_file,
    name,
    endpoint,
    mode,
    retry_attempts,
    retry_wait,
    transactions,
) -> None:
    """Register a data partner, its FTP account and its order policy."""
    from clearinghouse.accounts.passwords import read_password_file
    from clearinghouse.accounts.services import add_provider

    password = read_password_file(ftp_password_file)
    with _session() as session:
        add_provider(
            session,
            provider_id,
            email=email,
            ftp_password=password,
            endpoint=endpoint,
            mode=mode,
            retry_attempts=retry_attempts,
            retry_wait=retry_wait,
            transactions=[t.strip().upper() for t in transactions.split(",") if t.strip()],
            name=name,
            outbound=_settings().outbound,
        )
    from ingest import dropbox

    home = dropbox.ensure(_settings().dropbox_dir, provider_id)
    click.echo(f"provider {provider_id} added; its FTP home is {home}")


def _pause(provider_id: str, paused: bool) -> None:
    from clearinghouse.accounts.models import Provider
    from clearinghouse.errors import NotFound
    from ingest import signals

    with _session() as session:
        found = session.get(Provider, provider_id)
        if found is None:
            raise NotFound(f"no provider {provider_id}")
        found.ingest_paused = paused
        if not paused:
            signals.request_scan(session, provider_id)


@provider.command("pause")
@click.argument("provider_id")
@operator_errors
def provider_pause(provider_id) -> None:
    """Halt the ingest of a partner's drop box (files wait there; a running file finishes)."""
    _pause(provider_id, True)
    click.echo(f"ingest of {provider_id} paused")


@provider.command("resume")
@click.argument("provider_id")
@operator_errors
def provider_resume(provider_id) -> None:
    """Resume the ingest of a partner's drop box (a scan starts at once)."""
    _pause(provider_id, False)
    click.echo(f"ingest of {provider_id} resumed")


@main.group()
def user() -> None:
    """Users."""


@user.command("add")
@click.argument("username")
@click.option("--password-file", required=True, help="File holding the password ('-': stdin).")
@click.option("--email")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option("--provider", "providers", multiple=True, help="Let the user act for this partner.")
@operator_errors
def user_add(username, password_file, email, admin, providers) -> None:
    """Register a user."""
    from clearinghouse.accounts.passwords import read_password_file
    from clearinghouse.accounts.services import add_user

    password = read_password_file(password_file)
    with _session() as session:
        add_user(
            session, username, password=password, email=email, admin=admin, providers=providers
        )
    click.echo(f"user {username} added")


# -- ingest --------------------------------------------------------------------------------------


@main.group()
def ingest() -> None:
    """Metadata ingest."""


@ingest.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--provider", "provider_id", required=True, help="The partner the file is from.")
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="Records per transaction.",
)
@operator_errors
def ingest_file(path: Path, provider_id: str, batch_size: int) -> None:
    """Ingest one metadata file and print its summary report.

    Exit status 0 when the file was processed (even with record-level errors), 1 when it was
    rejected as a whole.
    """
    from ingest.pipeline import ingest_file as run
    from ingest.scan import provider_lock

    db = _database()
    # The partner's lock, as a scan takes it: never two runs on one partner's files at once.
    with provider_lock(db, provider_id, wait=True):
        report = run(
            db, path, provider_id, browse_root=_settings().browse_dir, batch_size=batch_size
        )
    click.echo(report.text, nl=False)
    if report.file_errors:
        sys.exit(EXIT_FAILURE)


@ingest.command("scan")
@click.option("--provider", "provider_id", help="Only this partner's drop box.")
@operator_errors
def ingest_scan(provider_id: str | None) -> None:
    """One pass over the drop boxes, as the scheduler does; prints each file's summary report."""
    from ingest.scan import scan

    taken = scan(_database(), _settings(), provider_id)
    for item in taken:
        click.echo(item.report.text, nl=False)
        click.echo()
    if not taken:
        click.echo("nothing to ingest")


if __name__ == "__main__":
    main()
