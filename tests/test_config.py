from pathlib import Path

import pytest

from clearinghouse.config import Address, load_settings
from clearinghouse.errors import SettingsError


def test_defaults_follow_the_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.home == tmp_path / "var"
    assert settings.database_url is None and settings.managed_database
    assert settings.http == Address("127.0.0.1", 8080)
    assert settings.ftp == Address("127.0.0.1", 2121)
    assert settings.smtp_url is None
    assert settings.ingest_interval == 300
    assert settings.pg_dir == tmp_path / "var" / "pg"


def test_environment_values_are_typed():
    settings = load_settings(
        {
            "CLEARINGHOUSE_HOME": "/srv/ch",
            "CLEARINGHOUSE_DATABASE_URL": "postgresql://u:p@db.example:5433/catalog",
            "CLEARINGHOUSE_HTTP": "0.0.0.0:80",
            "CLEARINGHOUSE_FTP": "[::1]:21",
            "CLEARINGHOUSE_SMTP_URL": "smtp://127.0.0.1:8025",
            "CLEARINGHOUSE_INGEST_INTERVAL": "30",
        }
    )
    assert settings.home == Path("/srv/ch")
    assert settings.database_url == "postgresql+psycopg2://u:p@db.example:5433/catalog"
    assert not settings.managed_database
    assert settings.http == Address("0.0.0.0", 80)
    assert settings.ftp == Address("::1", 21)
    assert settings.smtp_url == "smtp://127.0.0.1:8025"
    assert settings.ingest_interval == 30


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CLEARINGHOUSE_HTTP", "localhost", "CLEARINGHOUSE_HTTP: 'localhost' is not HOST:PORT"),
        ("CLEARINGHOUSE_HTTP", "127.0.0.1:99999", "is not HOST:PORT with a port between 1 and"),
        (
            "CLEARINGHOUSE_FTP",
            "127.0.0.1:ftp",
            "CLEARINGHOUSE_FTP: '127.0.0.1:ftp' is not HOST:PORT",
        ),
        ("CLEARINGHOUSE_INGEST_INTERVAL", "five", "CLEARINGHOUSE_INGEST_INTERVAL: 'five' is not a"),
        (
            "CLEARINGHOUSE_INGEST_INTERVAL",
            "0",
            "CLEARINGHOUSE_INGEST_INTERVAL: '0' must be greater",
        ),
        (
            "CLEARINGHOUSE_DATABASE_URL",
            "not a url",
            "CLEARINGHOUSE_DATABASE_URL: 'not a url' is not a",
        ),
        (
            "CLEARINGHOUSE_DATABASE_URL",
            "oracle://u@h/db",
            "needs PostgreSQL with PostGIS, not 'oracle'",
        ),
        ("CLEARINGHOUSE_DATABASE_URL", "postgresql://u@h", "names no database"),
        ("CLEARINGHOUSE_SMTP_URL", "mail.example:25", "is not smtp://HOST:PORT"),
        ("CLEARINGHOUSE_PG_PORT", "70000", "CLEARINGHOUSE_PG_PORT: '70000' is not a port"),
    ],
)
def test_bad_values_name_the_variable_and_the_problem(variable, value, expected):
    with pytest.raises(SettingsError) as info:
        load_settings({variable: value})
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_a_config_file_adds_values_and_the_environment_wins(tmp_path):
    config = tmp_path / "clearinghouse.toml"
    config.write_text('ingest_interval = 60\nhttp = "127.0.0.1:9000"\n')
    settings = load_settings(
        {"CLEARINGHOUSE_CONFIG": str(config), "CLEARINGHOUSE_INGEST_INTERVAL": "10"}
    )
    assert settings.ingest_interval == 10
    assert settings.http == Address("127.0.0.1", 9000)


def test_config_file_errors_are_one_clear_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("ingest_interval = [\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({"CLEARINGHOUSE_CONFIG": str(bad)})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'blue'\n")
    with pytest.raises(SettingsError, match="colour: unknown setting"):
        load_settings({"CLEARINGHOUSE_CONFIG": str(unknown)})
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("ingest_interval = -5\n")
    with pytest.raises(SettingsError, match=r"wrong.toml: ingest_interval: '-5' must be greater"):
        load_settings({"CLEARINGHOUSE_CONFIG": str(wrong)})
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings({"CLEARINGHOUSE_CONFIG": str(tmp_path / "missing.toml")})
