"""A user's first hour, through the CLI: a stream with nothing to request completes the run and says
why (it used to end in `loading into duckdb failed: AssertionError`); a refused connection says refused;
stored credentials without their passphrase say so."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from utils import cli_env, query


def _sync(running: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url, "--qps", "0"]
    argv += ["--qpm", "0", "--now", running.emulator.now.isoformat()]
    argv += ["--duckdb-path", str(tmp_path / "mart.duckdb"), "--pipelines-dir", str(tmp_path / "p"), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)


def _refused(tmp_path: Path, *args: str) -> str:
    """Run `sync` with ``args`` against a port nothing listens on; it must stop first, exit 2, one line."""
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN="unused")
    argv = [
        sys.executable,
        "-m",
        "tiktok_ads_mart",
        "sync",
        "--api-base",
        "http://127.0.0.1:9/open_api/v1.3/",
    ]
    done = subprocess.run([*argv, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("error: "), line
    return line


def test_an_end_date_before_the_default_start_completes_and_says_why(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    end = (running.emulator.now - timedelta(days=40)).date().isoformat()
    ids = running.advertiser_ids[0]
    done = _sync(running, tmp_path, "--end-date", end, "--streams", "campaigns,campaign_report_daily",
                 "--advertiser-ids", ids)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert f"skipped campaign_report_daily: no days to read: the range ends on {end}" in done.stdout
    assert "--start-date" in done.stdout


def test_an_unreadable_advertiser_is_a_failure_not_a_crash(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    done = _sync(running, tmp_path, "--advertiser-ids", "1234567890123456789", "--streams", "campaigns")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "AssertionError" not in done.stderr
    assert "failed advertiser 1234567890123456789" in done.stdout
    assert "skipped campaigns: no advertiser could be read" in done.stdout


def test_stored_credentials_without_their_passphrase_say_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "credentials.enc").write_bytes(b"saved earlier")
    env = cli_env(home, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run(
        [sys.executable, "-m", "tiktok_ads_mart", "sync", "--streams", "campaigns"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    line = done.stderr.strip().splitlines()[-1]
    assert "are encrypted: set TIKTOK_ADS_MART_PASSPHRASE" in line and "auth login" not in line


async def test_a_refused_connection_says_refused() -> None:
    """The connection layer reports a refusal as httpx's ConnectTimeout; the message must not."""
    import socket

    from tiktok_ads_mart.api import RateLimits, RetryPolicy, TikTokClient
    from tiktok_ads_mart.errors import TransportError

    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        client = TikTokClient(
            f"http://127.0.0.1:{port}/open_api/v1.3/",
            "token",
            limits=RateLimits(qps=0, qpm=0),
            retry=RetryPolicy(max_attempts=1),
            app_key="refused-test",
        )
        async with client:
            with pytest.raises(TransportError) as caught:
                await client.get("advertiser/info/", {"advertiser_ids": ["1"]})
    message = str(caught.value)
    assert f"connection refused by 127.0.0.1:{port}" in message and "timed out" not in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--table-format", "delta"], "table_format delta is for the filesystem destination"),
        (["--start-date", "2099-01-01"], "start_date 2099-01-01 is in the future"),
        (["--report-mode", "async", "--exclude-deleted"], "report_mode async cannot leave deleted objects"),
        (["--report-mode", "pages"], "report_mode: 'pages' must be sync, async or auto"),
    ],
)
def test_settings_that_would_do_nothing_are_refused_before_any_request(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    assert expected in _refused(tmp_path, *args)


def test_version_and_aligned_stream_list(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home")
    base = [sys.executable, "-m", "tiktok_ads_mart"]
    version = subprocess.run([*base, "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.strip() == "0.1.0"
    listed = subprocess.run(
        [*base, "sync", "--list-streams"], env=env, capture_output=True, text=True, timeout=60
    )
    lines = listed.stdout.strip().splitlines()
    assert len(lines) > 20 and len({line.index("advertiser_id") for line in lines}) == 1


@pytest.mark.parametrize("case", ["text-file", "under-a-file", "pipelines-in-proc"])
def test_bad_places_are_one_line_before_any_request(tmp_path: Path, case: str) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    mart, pipelines, expected = {
        "text-file": (text, tmp_path / "p", "is not a DuckDB database"),
        "under-a-file": (text / "mart.duckdb", tmp_path / "p", "is a file, not a folder"),
        "pipelines-in-proc": (tmp_path / "m.duckdb", Path("/proc/tiktok-ads-mart"), "pipelines_dir /proc/"),
    }[case]
    line = _refused(tmp_path, "--duckdb-path", str(mart), "--pipelines-dir", str(pipelines))
    assert expected in line
    assert text.read_text() == "not a database\n"


def test_postgres_without_its_extra_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from tiktok_ads_mart.config import load_settings
    from tiktok_ads_mart.errors import ConfigError
    from tiktok_ads_mart.sync.destination import check_destination

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg2" else real_find_spec(name, *a)
    )
    settings = load_settings(
        {"destination": "postgres", "pipelines_dir": str(tmp_path / "p")},
        environ={"TIKTOK_ADS_MART_DESTINATION_CREDENTIALS": "postgresql://u:p@127.0.0.1:1/db"},
    )
    with pytest.raises(ConfigError, match=r"pip install 'tiktok-ads-mart\[postgres\]'"):
        check_destination(settings)


def test_an_api_that_goes_away_mid_run_stops_it_with_one_line(tmp_path: Path) -> None:
    """It used to retry every window for ten minutes, one log line per attempt."""
    import json
    import time

    env = cli_env(tmp_path / "home")
    serve = [
        sys.executable,
        "-m",
        "tiktok_ads_mart",
        "emulator",
        "serve",
        "--port",
        "0",
        "--advertisers",
        "3",
    ]
    emulator = subprocess.Popen(
        [*serve, "--days", "60", "--latency-ms", "300", "--qps", "0", "--qpm", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        served = json.loads(emulator.stdout.readline())
        argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", served["base_url"]]
        argv += ["--qps", "0", "--qpm", "0", "--give-up-after", "5", "--concurrency", "2"]
        argv += ["--duckdb-path", str(tmp_path / "mart.duckdb"), "--pipelines-dir", str(tmp_path / "p")]
        argv += ["--advertiser-ids", ",".join(served["advertiser_ids"]), "--streams", "ad_report_hourly"]
        sync = subprocess.Popen(
            argv,
            env={**env, "TIKTOK_ACCESS_TOKEN": served["access_token"]},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
    finally:
        emulator.kill()
        emulator.wait()
    gone = time.monotonic()
    out, err = sync.communicate(timeout=120)
    took = time.monotonic() - gone
    assert sync.returncode == 1, err
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1].startswith("error: cannot reach 127.0.0.1:")
    assert took < 60, took  # the give-up time plus the retries in flight, not ten minutes
    retry_lines = [line for line in err.splitlines() if line.startswith("retrying")]
    assert len(retry_lines) <= took / 5 + 3, retry_lines


def test_sync_help_says_where_settings_come_from_and_what_exit_codes_mean(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home", COLUMNS="300")
    shown = subprocess.run(
        [sys.executable, "-m", "tiktok_ads_mart", "sync", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    text = " ".join(shown.split())
    for said in ("TIKTOK_ADS_MART_<NAME>", "tiktok-ads-mart.toml", "Exit codes: 0", "75 another sync"):
        assert said in text, said


def test_a_custom_report_whose_definition_changed_is_named_and_rebuilt_with_reset(
    serve: Any, tmp_path: Path
) -> None:
    """Going from hourly to daily used to break the report for good ('stat_time_hour ... contains nulls')."""
    running = serve(advertisers=1)
    config = tmp_path / "tiktok-ads-mart.toml"
    report = '[[reports]]\nname = "r1"\nlevel = "campaign"\nmetrics = ["spend", "clicks"]\n'
    config.write_text(report + 'granularity = "hourly"\n')
    args = ["--streams", "r1", "--advertiser-ids", running.advertiser_ids[0], "--config", str(config)]
    first = _sync(running, tmp_path, *args)
    assert first.returncode == 0, first.stderr
    config.write_text(report)  # no granularity: daily
    before = running.emulator.stats()["total"]
    refused = _sync(running, tmp_path, *args)
    assert refused.returncode == 2, refused.stderr
    line = refused.stderr.strip().splitlines()[-1]
    assert "custom report 'r1' changed" in line and "granularity 'hourly' -> 'daily'" in line, line
    assert "sync --reset r1" in line
    assert running.emulator.stats()["total"] == before  # found before any request
    rebuilt = _sync(running, tmp_path, *args, "--reset", "r1")
    assert rebuilt.returncode == 0, rebuilt.stderr
    columns = {name for (name,) in query(tmp_path / "mart.duckdb", "select column_name from "
               "information_schema.columns where table_schema = 'tiktok' and table_name = 'r1'")}  # fmt: skip
    assert "stat_time_day" in columns and "stat_time_hour" not in columns
    (days,) = query(tmp_path / "mart.duckdb", "select count(distinct stat_time_day) from tiktok.r1")[0]
    assert days > 1
    again = _sync(running, tmp_path, *args)
    assert again.returncode == 0, again.stderr
    # a table dropped by hand (with the definition changed again) recovers on the next plain run
    with duckdb.connect(str(tmp_path / "mart.duckdb")) as conn:
        conn.execute("drop table tiktok.r1")
    config.write_text(report + 'granularity = "hourly"\n')
    recovered = _sync(running, tmp_path, *args)
    assert recovered.returncode == 0, recovered.stderr
    assert "r1: its table is gone from the mart; read again from the start date" in recovered.stderr
    (hours,) = query(tmp_path / "mart.duckdb", "select count(distinct stat_time_hour) from tiktok.r1")[0]
    assert hours > 24 * (days - 1)


def test_a_rerun_in_a_later_hour_merges_onto_the_same_advertisers(serve: Any, tmp_path: Path) -> None:
    """The emulator's IDs used to carry its start hour, so `make demo` an hour later doubled every advertiser."""
    first = serve(advertisers=2)
    later = serve(advertisers=2, now=first.emulator.now + timedelta(hours=5))
    assert later.advertiser_ids == first.advertiser_ids
    for running in (first, later):
        ids = ",".join(running.advertiser_ids)
        done = _sync(running, tmp_path, "--streams", "advertisers,campaigns", "--advertiser-ids", ids)
        assert done.returncode == 0, done.stderr
    mart = tmp_path / "mart.duckdb"
    assert query(mart, "select count(*), count(distinct advertiser_id) from tiktok.advertisers") == [(2, 2)]
    (campaigns,) = query(mart, "select count(*) from tiktok.campaigns")[0]
    assert campaigns == len(later.emulator.world.campaigns(later.advertiser_ids[0])) + len(
        later.emulator.world.campaigns(later.advertiser_ids[1])
    )
