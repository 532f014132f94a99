"""The placement and language audience breakdowns (AUDIENCE report dimensions, doc 1738864928947201):
typed, and per campaign and day they add up exactly to the campaign's BASIC report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from utils import cli_env, query


def test_placement_and_language_breakdowns_add_up_to_the_totals(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    mart = tmp_path / "m.duckdb"
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    streams = "campaign_report_daily,campaign_audience_report_daily_by_placement,campaign_audience_report_daily_by_language"
    argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url, "--qps", "0",
            "--qpm", "0", "--now", running.emulator.now.isoformat(), "--duckdb-path", str(mart),
            "--pipelines-dir", str(tmp_path / "p"), "--advertiser-ids", ",".join(running.advertiser_ids),
            "--streams", streams]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    totals = "select campaign_id, stat_time_day, spend, impressions, clicks from tiktok.campaign_report_daily"
    expected = {(c, d): (s, i, k) for c, d, s, i, k in query(mart, totals)}
    assert expected
    for by in ("placement", "language"):
        summed = query(mart, f"select campaign_id, stat_time_day, sum(spend), sum(impressions), sum(clicks) "
                       f"from tiktok.campaign_audience_report_daily_by_{by} group by 1, 2")  # fmt: skip
        assert {(c, d): (s, i, k) for c, d, s, i, k in summed} == expected, by
    placements = {p for (p,) in query(mart, "select distinct placement "
                  "from tiktok.campaign_audience_report_daily_by_placement")}  # fmt: skip
    assert placements <= {"PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE"}
    languages = {p for (p,) in query(mart, "select distinct language "
                 "from tiktok.campaign_audience_report_daily_by_language")}  # fmt: skip
    assert len(languages) > 1 and all(len(code) == 2 and code.islower() for code in languages)
