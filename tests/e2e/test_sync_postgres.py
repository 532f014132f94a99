"""The same sync into a real PostgreSQL server: rows equal the emulator's, a rerun adds none."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import settings_for, static_token
from tiktok_ads_mart.secret import Secret
from tiktok_ads_mart.sync import run_sync
from utils import assert_streams_equal_the_emulator, contains_any, files_under

pytestmark = pytest.mark.postgres

STREAMS = (
    "campaigns",
    "ads",
    "campaign_report_daily",
    "ad_report_hourly",
    "ad_audience_report_daily_by_gender_age",
)


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[tuple[Any, str]]:
    import psycopg2

    schema = f"tiktok_test_{secrets.token_hex(4)}"
    conn = psycopg2.connect(pg_dsn)
    conn.autocommit = True
    try:
        yield conn, schema
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}_staging" CASCADE')
        conn.close()


def _rows(conn: Any, schema: str, table: str) -> list[dict[str, Any]]:
    with conn.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{schema}"."{table}"')
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _postgres_settings(running: Any, tmp_path: Path, dsn: str, schema: str, streams: tuple[str, ...]) -> Any:
    return settings_for(
        running,
        tmp_path,
        destination="postgres",
        destination_credentials=Secret(dsn),
        dataset_name=schema,
        streams=streams,
    )


def test_postgres_mart_equals_the_emulator_and_reruns_add_nothing(
    serve: Any, tmp_path: Path, pg_dsn: str, pg_schema: tuple[Any, str]
) -> None:
    conn, schema = pg_schema
    running = serve(advertisers=2)
    assert urlsplit(pg_dsn).password is None, "the server trusts the test user: the DSN needs no password"
    world = running.emulator.world
    settings = _postgres_settings(running, tmp_path, pg_dsn, schema, STREAMS)
    for _ in range(2):
        result = run_sync(settings, token_source=static_token(running))
        assert result.exit_code == 0, result.failures
        assert_streams_equal_the_emulator(lambda name: _rows(conn, schema, name), STREAMS, world, settings)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "AND column_name = %s",
            (schema, "ad_report_hourly", "stat_time_hour"),
        )
        assert cursor.fetchall() == [("timestamp without time zone",)]


@pytest.mark.parametrize("where", ["dsn", "PGPASSWORD"])
def test_the_database_password_reaches_no_file(
    serve: Any,
    tmp_path: Path,
    pg_dsn: str,
    pg_schema: tuple[Any, str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """The server trusts the test user, so any password is accepted and must then be kept out of every file."""
    conn, schema = pg_schema
    password = f"pw-{secrets.token_hex(8)}"
    parts = urlsplit(pg_dsn)
    if where == "dsn":
        pg_dsn = parts._replace(netloc=f"{parts.username}:{password}@{parts.hostname}:{parts.port}").geturl()
    else:
        monkeypatch.setenv("PGPASSWORD", password)
    running = serve(advertisers=1)
    settings = _postgres_settings(running, tmp_path, pg_dsn, schema, ("campaigns", "campaign_report_daily"))
    result = run_sync(settings, token_source=static_token(running))
    assert result.exit_code == 0, result.failures
    assert _rows(conn, schema, "campaign_report_daily")
    assert files_under([tmp_path]), "the pipeline should have written its working files"
    for path in files_under([tmp_path]):
        assert contains_any(path.read_bytes(), [password]) == [], path
