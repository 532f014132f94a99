"""The `sync` command as a user runs it: killed with SIGKILL and resumed, bad config, secrets, custom reports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import settings_for, static_token
from tiktok_ads_mart.config import load_settings
from tiktok_ads_mart.sync import run_sync
from tiktok_ads_mart.sync.lock import pipeline_lock
from utils import (
    assert_report_equal,
    contains_any,
    files_under,
    mart_report,
    report_span,
    snapshot,
    truth_report,
)

KILL_STREAMS = "campaigns,ads,campaign_report_daily,ad_report_hourly,adgroup_report_daily_by_country"


def _env(tmp_path: Path, running: Any, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOK_", "DESTINATION__"))}
    env.update(
        {
            "TIKTOK_ADS_MART_HOME": str(tmp_path / "home"),
            "TIKTOK_ACCESS_TOKEN": running.access_token,
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "COLUMNS": "160",
        }
    )
    env.update(extra)
    return env


def _sync_args(running: Any, tmp_path: Path, name: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tiktok_ads_mart",
        "sync",
        "--api-base",
        running.base_url,
        "--duckdb-path",
        str(tmp_path / f"{name}.duckdb"),
        "--pipelines-dir",
        str(tmp_path / f"{name}-pipelines"),
        "--qps",
        "0",
        "--qpm",
        "0",
        "--now",
        running.emulator.now.isoformat(),
        *extra,
    ]


def _a_clean_run_and_a_slow_one(
    serve: Any, tmp_path: Path, name: str
) -> tuple[Path, Any, dict[str, str], list[str]]:
    """The mart of an uninterrupted run, and a slow emulator with the CLI arguments to stop runs against it."""
    clean = serve(advertisers=2)
    clean_settings = settings_for(clean, tmp_path, "clean", streams=tuple(KILL_STREAMS.split(",")))
    assert run_sync(clean_settings, token_source=static_token(clean)).exit_code == 0
    running = serve(advertisers=2, latency_ms=25)
    env = _env(tmp_path, running, TIKTOK_ADS_MART_ADVERTISER_IDS=",".join(running.advertiser_ids))
    args = _sync_args(running, tmp_path, name, "--streams", KILL_STREAMS, "--concurrency", "2", "--quiet")
    return clean_settings.duckdb_path, running, env, args


def _resume_equals(clean_mart: Path, running: Any, env: dict[str, str], args: list[str], mart: Path) -> None:
    running.emulator.configure(latency_ms=0)
    finished = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    assert snapshot(mart) == snapshot(clean_mart)


def _signal_after_requests(
    running: Any, args: list[str], env: dict[str, str], threshold: int, number: int
) -> tuple[int, str]:
    """Run the CLI and send it ``number`` once the emulator has answered ``threshold`` more requests."""
    start = running.emulator.stats()["total"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if running.emulator.stats()["total"] - start >= threshold:
            process.send_signal(number)
            break
        time.sleep(0.01)
    stderr = process.communicate(timeout=30)[1].decode()
    return process.returncode, stderr


def test_sigkill_mid_run_then_resume_loads_exactly_a_clean_runs_rows(serve: Any, tmp_path: Path) -> None:
    clean_mart, running, env, args = _a_clean_run_and_a_slow_one(serve, tmp_path, "killed")
    kills = 0
    for threshold in (20, 25):
        returncode, _ = _signal_after_requests(running, args, env, threshold, signal.SIGKILL)
        kills += returncode == -signal.SIGKILL
    assert kills >= 1, "the run finished before it could be killed; make it slower"
    _resume_equals(clean_mart, running, env, args, tmp_path / "killed.duckdb")


def test_ctrl_c_or_sigterm_stops_with_one_line_and_the_next_run_goes_on(serve: Any, tmp_path: Path) -> None:
    clean_mart, running, env, args = _a_clean_run_and_a_slow_one(serve, tmp_path, "stopped")
    expected = {
        signal.SIGINT: (130, "error: interrupted: "),
        signal.SIGTERM: (143, "error: stopped by SIGTERM: "),
    }
    stopped = 0
    for threshold, number in ((1, signal.SIGINT), (15, signal.SIGTERM), (30, signal.SIGINT)):
        returncode, stderr = _signal_after_requests(running, args, env, threshold, number)
        if returncode == 0:
            continue
        stopped += 1
        code, prefix = expected[number]
        assert returncode == code, stderr
        # one line: no traceback, and no warning about connections the stop left open
        assert stderr.strip().splitlines() == [
            f"{prefix}what was loaded stays, and the next sync goes on from there"
        ]
    assert stopped >= 2, "the runs finished before they could be stopped; make them slower"
    _resume_equals(clean_mart, running, env, args, tmp_path / "stopped.duckdb")


def test_cli_sync_keeps_every_secret_out_of_output_files_and_tables(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    env = _env(tmp_path, running, TIKTOK_APP_ID=running.app_id, TIKTOK_APP_SECRET=running.secret)
    args = _sync_args(
        running, tmp_path, "mart", "--streams", "advertisers,campaigns,ads,campaign_report_daily"
    )
    done = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    output = done.stdout + done.stderr
    assert b"campaign_report_daily" in done.stdout  # the summary table
    secrets = [running.access_token, running.secret]
    assert contains_any(output, secrets) == []
    for path in files_under([tmp_path]):
        assert contains_any(path.read_bytes(), secrets) == [], path
    with duckdb.connect(str(tmp_path / "mart.duckdb"), read_only=True) as conn:
        columns = conn.sql(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            for secret in secrets:
                hits = conn.sql(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)',
                    params=[secret],
                ).fetchall()[0]
                assert hits == (0,), (table, column)


def test_quiet_prints_nothing_even_while_requests_are_retried(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2, fault_rate=0.3, faults=("50000", "http502", "truncated"))
    env = _env(tmp_path, running, TIKTOK_ADS_MART_ADVERTISER_IDS=",".join(running.advertiser_ids))
    args = _sync_args(running, tmp_path, "quiet", "--streams", "campaigns,ad_report_hourly", "--quiet")
    done = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert sum(running.emulator.stats()["faults"].values()) > 0, "the run should have met faults to retry"
    assert (done.stdout, done.stderr) == (b"", b"")


def test_a_bare_token_without_the_apps_secret_says_how_to_name_the_advertisers(
    serve: Any, tmp_path: Path
) -> None:
    running = serve(advertisers=1)
    args = _sync_args(running, tmp_path, "bare", "--streams", "campaigns")
    done = subprocess.run(args, env=_env(tmp_path, running), capture_output=True, timeout=120)
    last = done.stderr.decode().strip().splitlines()[-1]
    assert done.returncode == 2, done.stderr.decode()
    assert last.startswith(
        "error: cannot tell which advertisers this token reads: name them with --advertiser-ids"
    )
    assert running.emulator.stats()["total"] == 0

    named = subprocess.run(
        [*args, "--advertiser-ids", running.advertiser_ids[0]],
        env=_env(tmp_path, running),
        capture_output=True,
        timeout=120,
    )
    assert named.returncode == 0, named.stderr.decode()


def test_a_second_sync_of_the_same_pipeline_stops_before_any_request(serve: Any, tmp_path: Path) -> None:
    """A scheduled run that outlasts its interval: the next one must not share dlt's working directory."""
    running = serve(advertisers=1)
    env = _env(tmp_path, running, TIKTOK_ADS_MART_ADVERTISER_IDS=running.advertiser_ids[0])
    args = _sync_args(running, tmp_path, "locked", "--streams", "campaigns,campaign_report_daily")
    with pipeline_lock(tmp_path / "locked-pipelines", "tiktok_ads_mart"):
        busy = subprocess.run(args, env=env, capture_output=True, timeout=120)
    stderr = busy.stderr.decode().strip()
    assert busy.returncode == 75, stderr
    assert stderr.splitlines()[-1].startswith(
        f"error: another sync of pipeline 'tiktok_ads_mart' is running (pid {os.getpid()} since "
    ), stderr
    assert "Traceback" not in stderr
    assert running.emulator.stats()["total"] == 0

    free = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert free.returncode == 0, free.stderr.decode()
    with duckdb.connect(str(tmp_path / "locked.duckdb"), read_only=True) as conn:
        campaigns = conn.sql("SELECT count(*) FROM tiktok.campaigns").fetchall()[0][0]
    assert campaigns == len(running.emulator.world.campaigns(running.advertiser_ids[0]))


BAD_CONFIGS = [
    (["--streams", "campaigns,not_a_stream"], "not_a_stream"),
    (["--destination", "filesystem"], "table-format"),
    (["--start-date", "2026-13-01"], "start_date"),
    (["--start-date", "2026-11-03", "--end-date", "2026-11-01"], "after"),
    (["--lookback-days", "29"], "lookback_days"),
    (["--destination", "postgres"], "credentials"),
    (["--config", "{custom}"], "not_a_metric"),
]


@pytest.mark.parametrize(("flags", "named"), BAD_CONFIGS, ids=[case[1] for case in BAD_CONFIGS])
def test_bad_config_is_one_line_exit_2_and_no_request(
    serve: Any, tmp_path: Path, flags: list[str], named: str
) -> None:
    running = serve(advertisers=1)
    custom = tmp_path / "custom.toml"
    custom.write_text(
        '[[reports]]\nname = "my_report"\nlevel = "ad"\nmetrics = ["spend", "not_a_metric"]\n',
        encoding="utf-8",
    )
    flags = [flag.replace("{custom}", str(custom)) for flag in flags]
    args = _sync_args(running, tmp_path, "mart", *flags)
    done = subprocess.run(args, env=_env(tmp_path, running), capture_output=True, timeout=120, cwd=tmp_path)
    stderr = done.stderr.decode().strip()
    assert done.returncode == 2, stderr
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error:"), stderr
    assert named in stderr
    assert "Traceback" not in stderr
    assert running.emulator.stats()["total"] == 0


def test_custom_report_from_the_config_file_equals_the_emulator(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    config = tmp_path / "tiktok-ads-mart.toml"
    config.write_text(
        "\n".join(
            [
                'streams = ["ad_spend_by_platform", "campaign_spend_hourly"]',
                "lookback_days = 3",
                "[[reports]]",
                'name = "ad_spend_by_platform"',
                'report_type = "AUDIENCE"',
                'level = "ad"',
                'dimensions = ["platform"]',
                'metrics = ["spend", "impressions", "clicks", "conversion"]',
                'granularity = "daily"',
                "[[reports]]",
                'name = "campaign_spend_hourly"',
                'level = "campaign"',
                'metrics = ["spend", "cpc"]',
                'granularity = "hourly"',
            ]
        ),
        encoding="utf-8",
    )
    flags = {
        "api_base": running.base_url,
        "duckdb_path": str(tmp_path / "mart.duckdb"),
        "pipelines_dir": str(tmp_path / "pipelines"),
        "qps": 0,
        "qpm": 0,
        "now": running.emulator.now.isoformat(),
    }
    settings = load_settings(flags, config_path=config, environ={})
    assert settings.lookback_days == 3
    result = run_sync(settings, token_source=static_token(running))
    assert result.exit_code == 0, result.failures
    world = running.emulator.world
    for spec in settings.custom_reports:
        assert result.rows[spec.name] > 0
        for advertiser_id in world.advertiser_ids:
            first, last = report_span(settings, world, advertiser_id)
            truth = truth_report(world, spec, advertiser_id, first, last)
            assert_report_equal(truth, mart_report(settings.duckdb_path, spec, advertiser_id), spec.name)
