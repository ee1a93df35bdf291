"""Settings: one typed object built from the environment (CONTRACT §2), validated at start-up.

A TOML file named by ``CLEARINGHOUSE_CONFIG`` may supply values too (keys are the variable names
without the ``CLEARINGHOUSE_`` prefix, lower case); the environment wins over the file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from clearinghouse.errors import SettingsError
from clearinghouse.outbound import Allowed, Policy, parse_allow, parse_schemes

PREFIX = "CLEARINGHOUSE_"


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT with a port between 1 and 65535")
    return Address(host.strip("[]"), int(port))


def parse_positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise ValueError(f"{text!r} must be greater than 0")
    return value


def parse_port(text: str) -> int:
    value = parse_positive_int(text)
    if value > 65535:
        raise ValueError(f"{text!r} is not a port between 1 and 65535")
    return value


def parse_database_url(text: str) -> str:
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValueError(
            f"{text!r} is not a database URL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"the clearinghouse needs PostgreSQL with PostGIS, not {url.drivername!r}")
    if not url.database:
        raise ValueError(f"{url.render_as_string(hide_password=True)!r} names no database")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg2")
    return url.render_as_string(hide_password=False)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{text!r} is not true or false (1/0, yes/no, on/off)")


def parse_smtp_url(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if scheme not in ("smtp", "smtps") or not sep or not rest:
        raise ValueError(f"{text!r} is not smtp://HOST:PORT or smtps://HOST:PORT")
    return text


def parse_secret(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text.strip()


def parse_tile_url(text: str) -> str:
    """A map tile server's URL template, as Leaflet takes it."""
    if not text.startswith(("https://", "http://")) or not all(
        part in text for part in ("{z}", "{x}", "{y}")
    ):
        raise ValueError(f"{text!r} is not an http(s) URL with {{z}}, {{x}} and {{y}} in it")
    return text


def parse_path(text: str) -> Path:
    if not text:
        raise ValueError("must not be empty")
    return Path(text).expanduser().absolute()


def _setting(
    parse: Callable[[str], Any], default: Any = None, doc: str = "", *, shown: bool = True
) -> Any:
    return field(default=default, repr=shown, metadata={"parse": parse, "doc": doc})


@dataclass(frozen=True)
class Settings:
    home: Path = _setting(parse_path, Path("var"), "managed database, drop boxes, archive, reports")
    database_url: str | None = _setting(parse_database_url, None, "external PostgreSQL+PostGIS")
    http: Address = _setting(parse_address, Address("127.0.0.1", 8080), "HTTP API address")
    ftp: Address = _setting(parse_address, Address("127.0.0.1", 2121), "FTP server address")
    smtp_url: str | None = _setting(parse_smtp_url, None, "mail server for ingest reports")
    ingest_interval: int = _setting(parse_positive_int, 300, "seconds between drop box scans")
    pg_port: int | None = _setting(parse_port, None, "port of the managed PostgreSQL cluster")
    http_workers: int = _setting(parse_positive_int, 4, "HTTP worker processes")
    session_timeout: int = _setting(parse_positive_int, 3600, "idle seconds before a session ends")
    demo: bool = _setting(parse_bool, True, "load the demo data set once, at the first `up`")
    ftp_max_file_size: int = _setting(
        parse_positive_int, 8 * 1024**3, "largest file a partner may upload, in bytes"
    )
    ftp_max_connections: int = _setting(
        parse_positive_int, 8, "FTP connections one partner account may hold at once"
    )
    option_key: str | None = _setting(
        parse_secret,
        None,
        "Fernet key sealing encrypted option values (default: a key file)",
        shown=False,
    )
    worker_threads: int = _setting(
        parse_positive_int, 4, "batches of partner requests one broker worker sends at once"
    )
    dispatch_batch: int = _setting(
        parse_positive_int, 16, "requests to one partner a broker worker thread sends together"
    )
    dispatch_timeout: int = _setting(
        parse_positive_int, 30, "seconds the broker waits for a partner's answer"
    )
    outbound_schemes: frozenset[str] = _setting(
        parse_schemes,
        frozenset({"http", "https"}),
        "schemes of the URLs the server sends to: partner endpoints, OSEO callbacks",
    )
    outbound_allow: Allowed = _setting(
        parse_allow,
        Allowed(),
        "where those may be: public (any public address), networks, host names (*.x.org)",
    )
    restart_limit: int = _setting(
        parse_positive_int, 5, "crashes of one part within a minute after which `up` stops"
    )
    console_tiles: str | None = _setting(
        parse_tile_url, None, "web console map tiles (default: the shipped coastline map)"
    )

    @property
    def pg_dir(self) -> Path:
        return self.home / "pg"

    @property
    def dropbox_dir(self) -> Path:
        """The partners' FTP homes, one folder each."""
        return self.home / "ftp"

    @property
    def archive_dir(self) -> Path:
        """Every file a partner delivered, once taken from its drop box."""
        return self.home / "archive"

    @property
    def browse_dir(self) -> Path:
        """Browse images, as stored for serving."""
        return self.home / "browse"

    @property
    def outbound(self) -> Policy:
        """Where the server may send requests of its own (``clearinghouse.outbound``)."""
        return Policy(self.outbound_schemes, self.outbound_allow)

    @property
    def managed_database(self) -> bool:
        return self.database_url is None

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def env_name(name: str) -> str:
    return PREFIX + name.upper()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from a config file (optional) and the environment; raise SettingsError."""
    environ = os.environ if environ is None else environ
    raw: dict[str, tuple[str, str]] = {}  # field name -> (where it came from, text)

    config_file = environ.get(env_name("config"))
    if config_file:
        for key, value in _read_config_file(Path(config_file)).items():
            raw[key] = (f"{config_file}: {key}", str(value))

    known = {f.name for f in dataclasses.fields(Settings)}
    for f in dataclasses.fields(Settings):
        text = environ.get(env_name(f.name))
        if text is not None and text != "":
            raw[f.name] = (env_name(f.name), text)
    unknown = sorted(set(raw) - known)
    if unknown:
        where = raw[unknown[0]][0]
        raise SettingsError(f"{where}: unknown setting; known ones are {', '.join(sorted(known))}")

    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name not in raw:
            continue
        where, text = raw[f.name]
        try:
            values[f.name] = f.metadata["parse"](text)
        except ValueError as exc:
            raise SettingsError(f"{where}: {exc}") from None
    settings = Settings(**values)
    if not settings.home.is_absolute():
        settings = settings.replace(home=settings.home.absolute())
    return settings


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{env_name('config')}: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    return {k.lower(): v for k, v in data.items()}
