"""A rate-limited run loads package after package while it requests: same tables, same cursors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tiktok_ads_mart.sync.run as sync_module
from conftest import settings_for, static_token
from tiktok_ads_mart.errors import TikTokAdsMartError
from tiktok_ads_mart.sync import run_sync
from utils import cursors, query, snapshot

STREAMS = ("campaigns", "ads", "campaign_report_daily", "ad_report_hourly", "advertiser_report_lifetime")


def _packages(settings: Any) -> int:
    return int(query(settings.duckdb_path, "select count(*) from tiktok._dlt_loads")[0][0])


def test_small_cycles_load_what_one_package_loads(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = serve(advertisers=2)
    one = settings_for(clean, tmp_path, "one", streams=STREAMS)
    assert run_sync(one, token_source=static_token(clean)).exit_code == 0
    assert _packages(one) == 1  # unthrottled: one package

    monkeypatch.setattr(sync_module, "CYCLE_ROWS", 300)
    running = serve(advertisers=2)
    cycled = settings_for(running, tmp_path, "cycled", streams=STREAMS, qps=1000)
    result = run_sync(cycled, token_source=static_token(running))
    assert result.exit_code == 0, result.failures
    assert _packages(cycled) > 3
    assert snapshot(cycled.duckdb_path) == snapshot(one.duckdb_path)
    assert cursors(cycled) == cursors(one)
    assert any(cursors(one)["ad_report_hourly"].values())
    staged = "select table_name from information_schema.tables where table_schema = 'tiktok_staging'"
    assert not [t for (t,) in query(cycled.duckdb_path, staged) if "report" in t]  # no staging copy


def test_a_crash_in_a_later_cycle_then_a_rerun_equals_a_clean_run(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no lookback, a cursor that ran ahead of its rows would leave days out for good."""
    clean = serve(advertisers=2)
    one = settings_for(clean, tmp_path, "one", streams=STREAMS, lookback_days=0)
    assert run_sync(one, token_source=static_token(clean)).exit_code == 0

    running = serve(advertisers=2)
    crashed = settings_for(running, tmp_path, "crashed", streams=STREAMS, qps=1000, lookback_days=0)
    monkeypatch.setattr(sync_module, "CYCLE_ROWS", 300)
    real_load = sync_module.load_with_memory_fallback
    loads = 0

    def load_then_crash(pipeline: Any, settings: Any) -> Any:
        nonlocal loads
        loads += 1
        if loads == 3:
            raise RuntimeError("power cut")
        return real_load(pipeline, settings)

    monkeypatch.setattr(sync_module, "load_with_memory_fallback", load_then_crash)
    with pytest.raises(TikTokAdsMartError, match="power cut"):
        run_sync(crashed, token_source=static_token(running))
    assert _packages(crashed) == 2
    partial = cursors(crashed)

    monkeypatch.setattr(sync_module, "load_with_memory_fallback", real_load)
    assert run_sync(crashed, token_source=static_token(running)).exit_code == 0
    assert snapshot(crashed.duckdb_path) == snapshot(one.duckdb_path)
    assert cursors(crashed) == cursors(one)
    assert partial != cursors(one), "the crash should have come before every cursor moved"
