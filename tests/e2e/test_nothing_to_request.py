"""A stream with nothing to request completes the run and says why, through the CLI (it used to end in
`loading into duckdb failed: AssertionError`)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any


def _sync(running: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOK_", "DESTINATION__"))}
    env.update(
        TIKTOK_ADS_MART_HOME=str(tmp_path / "home"),
        TIKTOK_ACCESS_TOKEN=running.access_token,
        RUNTIME__DLTHUB_TELEMETRY="false",
        COLUMNS="200",
    )
    argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url, "--qps", "0"]
    argv += ["--qpm", "0", "--now", running.emulator.now.isoformat()]
    argv += ["--duckdb-path", str(tmp_path / "mart.duckdb"), "--pipelines-dir", str(tmp_path / "p"), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)


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
