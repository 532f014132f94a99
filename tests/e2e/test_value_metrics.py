"""Purchases, their value and ROAS are in every report by default, typed, and equal to what TikTok (the
emulator) computes; ROAS is value over spend."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from tiktok_ads_mart.catalog import VALUE_METRICS
from utils import cli_env, query


def _number(value: object) -> Decimal | None:
    """TikTok's string (\"-\" where a ratio has no denominator: null in the mart) or the mart's value."""
    return None if value in (None, "-") else Decimal(str(value))


def test_value_metrics_load_by_default_and_match_tiktok(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    adv = running.advertiser_ids[0]
    mart = tmp_path / "m.duckdb"
    env = cli_env(tmp_path / "home", TIKTOK_ACCESS_TOKEN=running.access_token)
    argv = [sys.executable, "-m", "tiktok_ads_mart", "sync", "--api-base", running.base_url, "--qps", "0",
            "--qpm", "0", "--now", running.emulator.now.isoformat(), "--duckdb-path", str(mart),
            "--pipelines-dir", str(tmp_path / "p"), "--advertiser-ids", adv,
            "--streams", "advertiser_report_daily,campaign_report_daily,ad_audience_report_daily_by_gender_age"]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    for table in (
        "advertiser_report_daily",
        "campaign_report_daily",
        "ad_audience_report_daily_by_gender_age",
    ):
        columns = {name for (name,) in query(mart, "select column_name from information_schema.columns "
                   f"where table_schema = 'tiktok' and table_name = '{table}'")}  # fmt: skip
        assert set(VALUE_METRICS) <= columns, table
    names = ", ".join(VALUE_METRICS)
    rows = query(mart, f"select strftime(stat_time_day, '%Y-%m-%d'), spend, {names} "
                 "from tiktok.advertiser_report_daily order by 1")  # fmt: skip
    first, last = rows[0][0], rows[-1][0]
    truth = running.emulator.world.report(
        adv, report_type="BASIC", data_level="AUCTION_ADVERTISER", dimensions=["advertiser_id", "stat_time_day"],
        metrics=["spend", *VALUE_METRICS], start_date=first, end_date=last,
    )  # fmt: skip
    expected = {
        row["dimensions"]["stat_time_day"][:10]: [
            _number(row["metrics"][m]) for m in ["spend", *VALUE_METRICS]
        ]
        for row in truth.page(1, 1000)
    }
    loaded = {day: [_number(v) for v in values] for day, *values in rows}
    assert loaded == expected
    payments = [r for r in rows if r[2]]  # days with purchases
    assert payments
    for _, spend, count, _cost, per_payment, roas, *_ in payments:
        value = Decimal(count) * Decimal(str(per_payment))
        # value_per_complete_payment and ROAS are each shown rounded to cents
        slack = Decimal("0.005") + Decimal("0.005") * count / Decimal(str(spend))
        assert abs(Decimal(str(roas)) - value / Decimal(str(spend))) <= slack
