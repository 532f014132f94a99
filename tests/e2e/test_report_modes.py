"""`--report-mode async` reads every report window as an asynchronous task (docs 1740302766489602,
1740302781443073, 1740302808815618); its tables equal the synchronous mode's, key for key and value for
value, which are the numbers an Ads Manager download is compared with."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from utils import cli_env, snapshot

STREAMS = ",".join(
    (
        "advertiser_report_daily",
        "campaign_report_daily",
        "ad_report_daily",
        "adgroup_report_hourly",
        "campaign_report_lifetime",
        "ad_report_daily_by_country",
    )
)


def _sync(running: Any, tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A sync of ``STREAMS`` from the first of the month (later ``--streams``/``--start-date`` win)."""
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url, "--qps", "0",
            "--qpm", "0", "--now", running.emulator.now.isoformat(), "--duckdb-path", str(tmp_path / f"{name}.duckdb"),
            "--pipelines-dir", str(tmp_path / f"{name}-p"), "--advertiser-ids", ",".join(running.advertiser_ids),
            "--streams", STREAMS, "--start-date", (running.emulator.now.date().replace(day=1)).isoformat(), *args]  # fmt: skip
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)


def test_async_mode_loads_what_sync_mode_loads(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    synced = _sync(running, tmp_path, "sync")
    assert synced.returncode == 0, synced.stderr[-2000:]
    running.emulator.reset_stats()
    tasks = _sync(running, tmp_path, "async", "--report-mode", "async")
    assert tasks.returncode == 0, tasks.stderr[-2000:]
    requests = running.emulator.stats()["requests"]
    # every window is a task, but ad_report_daily_by_country: a task refuses its reach beside country_code
    assert requests["report/integrated/get/"] == len(running.advertiser_ids)
    assert requests["report/task/create/"] > 0
    expected = snapshot(tmp_path / "sync.duckdb")
    assert all(expected[name] for name in STREAMS.split(","))  # something to compare in every table
    assert snapshot(tmp_path / "async.duckdb") == expected


def test_auto_mode_reads_a_streams_later_windows_as_tasks_once_one_took_many_pages(
    serve: Any, tmp_path: Path
) -> None:
    running = serve(advertisers=1, campaigns_per_advertiser=10, adgroups_per_campaign=5, ads_per_adgroup=12)
    start = (running.emulator.now.date() - timedelta(days=3)).isoformat()
    args = ("--streams", "ad_report_hourly", "--start-date", start)
    synced = _sync(running, tmp_path, "sync", *args)
    assert synced.returncode == 0, synced.stderr[-2000:]
    pages = running.emulator.stats()["requests"]["report/integrated/get/"]
    running.emulator.reset_stats()
    auto = _sync(running, tmp_path, "auto", *args, "--report-mode", "auto")
    assert auto.returncode == 0, auto.stderr[-2000:]
    requests = running.emulator.stats()["requests"]
    # one window (a day of hourly rows) measured the stream on pages; the other three were tasks
    assert requests["report/task/create/"] == 3
    assert requests["report/integrated/get/"] >= 4 and sum(requests.values()) < pages
    assert snapshot(tmp_path / "auto.duckdb") == snapshot(tmp_path / "sync.duckdb")
