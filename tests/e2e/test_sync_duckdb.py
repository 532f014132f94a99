"""End to end against the emulator into DuckDB: every stream equals the emulator's own answer."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import fast_client_factory, settings_for, static_token
from tiktok_ads_mart.catalog import BUILTIN_STREAMS, ENTITY_STREAMS, REPORT_STREAMS, ReportSpec
from tiktok_ads_mart.errors import TikTokAdsMartError
from tiktok_ads_mart.sync import run_sync
from utils import (
    assert_report_equal,
    mart_report,
    mart_rows,
    query,
    report_span,
    snapshot,
    truth_entities,
    truth_report,
)

DAY = dt.timedelta(days=1)


def _check_reports(world: Any, settings: Any, path: Path, specs: list[ReportSpec], start: Any = None) -> None:
    for spec in specs:
        for advertiser_id in world.advertiser_ids:
            first, last = report_span(settings, world, advertiser_id)
            truth = truth_report(world, spec, advertiser_id, start or first, last)
            assert_report_equal(truth, mart_report(path, spec, advertiser_id), f"{spec.name}/{advertiser_id}")


def _instant(text: str) -> dt.datetime:
    """TikTok's ``YYYY-MM-DD HH:MM:SS`` (UTC), or the asset endpoints' ``2020-06-10T07:39:14Z``."""
    return dt.datetime.fromisoformat(text.replace(" ", "T").removesuffix("Z")).replace(tzinfo=dt.UTC)


def test_every_stream_equals_the_emulator_and_a_rerun_adds_nothing(serve: Any, tmp_path: Path) -> None:
    running = serve()
    world = running.emulator.world
    settings = settings_for(running, tmp_path)
    result = run_sync(settings, token_source=static_token(running))
    assert result.exit_code == 0, result.failures
    assert set(result.rows) == set(BUILTIN_STREAMS)
    assert result.rows["ad_report_hourly"] > 0

    # GMV Max reports have their own truth and test (test_shop_and_creatives.py)
    _check_reports(world, settings, settings.duckdb_path, [s for s in REPORT_STREAMS if s.integrated])

    deleted_seen = 0
    for spec in ENTITY_STREAMS[1:]:
        rows = mart_rows(settings.duckdb_path, spec.name)
        for advertiser_id in world.advertiser_ids:
            truth = truth_entities(world, spec, advertiser_id)
            mine = {r[spec.id_field]: r for r in rows if r["advertiser_id"] == advertiser_id}
            assert set(mine) == {str(t[spec.id_field]) for t in truth}, spec.name
            for item in truth:
                status = str(item.get("secondary_status") or "")
                expected = status.endswith("_DELETE")
                deleted_seen += expected
                row = mine[str(item[spec.id_field])]
                assert row["is_deleted"] is expected, (spec.name, status)
                # every plain text field verbatim; the newer tables keep chosen columns (their own tests
                # check what they hold)
                strict = spec.name in ("campaigns", "ad_groups", "ads", "custom_audiences")
                for name, value in item.items():
                    if isinstance(value, str) and not name.endswith("_time") and (strict or name in row):
                        assert row[name] == value, (spec.name, name)
                if item.get("modify_time"):
                    assert row["modify_time"] == _instant(item["modify_time"]), spec.name
    assert deleted_seen > 0, "the world should hold deleted objects for this test to mean anything"
    advertisers = mart_rows(settings.duckdb_path, "advertisers")
    assert {a["advertiser_id"] for a in advertisers} == set(world.advertiser_ids)

    before = snapshot(settings.duckdb_path)
    again = run_sync(settings, token_source=static_token(running))
    assert again.exit_code == 0
    assert snapshot(settings.duckdb_path) == before


def test_cross_level_and_cross_grain_sums_hold_in_the_mart(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    names = [
        "advertiser_report_daily",
        "campaign_report_daily",
        "ad_report_daily",
        "campaign_report_hourly",
        "ad_audience_report_daily_by_gender_age",
        "ad_report_lifetime",
        "advertiser_report_lifetime",
    ]
    settings = settings_for(running, tmp_path, streams=tuple(names))
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    path = settings.duckdb_path
    mismatches = query(
        path,
        """
        SELECT a.advertiser_id, a.stat_time_day, a.spend, s.spend
        FROM tiktok.advertiser_report_daily a
        JOIN (SELECT advertiser_id, stat_time_day, sum(spend) AS spend, sum(impressions) AS impressions
              FROM tiktok.ad_report_daily GROUP BY ALL) s USING (advertiser_id, stat_time_day)
        WHERE a.spend <> s.spend OR a.impressions <> s.impressions
        """,
    )
    assert mismatches == []
    assert query(path, "SELECT count(*) FROM tiktok.advertiser_report_daily")[0][0] > 0
    hours_vs_days = query(
        path,
        """
        SELECT d.campaign_id, d.stat_time_day
        FROM tiktok.campaign_report_daily d
        JOIN (SELECT campaign_id, CAST(stat_time_hour AS DATE) AS stat_time_day, sum(spend) AS spend,
                     sum(clicks) AS clicks
              FROM tiktok.campaign_report_hourly GROUP BY ALL) h USING (campaign_id, stat_time_day)
        WHERE d.spend <> h.spend OR d.clicks <> h.clicks
        """,
    )
    assert hours_vs_days == []
    audience_vs_basic = query(
        path,
        """
        SELECT b.ad_id, b.stat_time_day
        FROM tiktok.ad_report_daily b
        JOIN (SELECT ad_id, stat_time_day, sum(spend) AS spend FROM tiktok.ad_audience_report_daily_by_gender_age
              GROUP BY ALL) g USING (ad_id, stat_time_day)
        WHERE b.spend <> g.spend
        """,
    )
    assert audience_vs_basic == []
    lifetime = query(
        path,
        """
        SELECT l.advertiser_id FROM tiktok.advertiser_report_lifetime l
        JOIN (SELECT advertiser_id, sum(spend) AS spend FROM tiktok.ad_report_lifetime GROUP BY ALL) a
        USING (advertiser_id) WHERE l.spend <> a.spend
        """,
    )
    assert lifetime == []


def test_lookback_picks_up_restated_conversions(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    world = running.emulator.world
    spec = BUILTIN_STREAMS["campaign_report_daily"]
    assert isinstance(spec, ReportSpec)
    settings = settings_for(running, tmp_path, streams=(spec.name,))
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    first_spans = {a: report_span(settings, world, a) for a in world.advertiser_ids}
    first_load = {a: mart_report(settings.duckdb_path, spec, a) for a in world.advertiser_ids}

    later = settings.now + 2 * DAY
    running.emulator.set_now(later)
    settings = replace(settings, now=later)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0

    changed = 0
    for advertiser_id in world.advertiser_ids:
        start, _ = first_spans[advertiser_id]
        _, today = report_span(settings, world, advertiser_id)
        truth = truth_report(world, spec, advertiser_id, start, today)
        mart = mart_report(settings.duckdb_path, spec, advertiser_id)
        assert_report_equal(truth, mart, spec.name)
        changed += sum(
            1
            for key, row in first_load[advertiser_id].items()
            if truth[key]["conversion"] != row["conversion"]
        )
    assert changed > 0, "moving the clock should restate recent conversions"


def test_hourly_incremental_runs_lose_no_hour(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    world = running.emulator.world
    specs = [BUILTIN_STREAMS["ad_report_hourly"], BUILTIN_STREAMS["advertiser_report_hourly"]]
    settings = settings_for(running, tmp_path, streams=tuple(s.name for s in specs), lookback_days=0)
    starts = {a: report_span(settings, world, a)[0] for a in world.advertiser_ids}
    for step in (dt.timedelta(0), dt.timedelta(hours=7), dt.timedelta(hours=22)):
        moment = settings.now + step
        running.emulator.set_now(moment)
        settings = replace(settings, now=moment)
        assert run_sync(settings, token_source=static_token(running)).exit_code == 0
        for spec in specs:
            assert isinstance(spec, ReportSpec)
            for advertiser_id in world.advertiser_ids:
                _, today = report_span(settings, world, advertiser_id)
                truth = truth_report(world, spec, advertiser_id, starts[advertiser_id], today)
                mart = mart_report(settings.duckdb_path, spec, advertiser_id)
                # lookback 0: conversions of earlier days may be stale by design, delivery never is
                delivery = ("spend", "impressions", "clicks")
                assert_report_equal(
                    {k: {m: v[m] for m in delivery} for k, v in truth.items()},
                    {k: {m: v[m] for m in delivery} for k, v in mart.items()},
                    spec.name,
                )


def test_time_columns_follow_the_advertisers_timezone(serve: Any, tmp_path: Path) -> None:
    running = serve()
    settings = settings_for(
        running, tmp_path, streams=("advertiser_report_hourly", "advertiser_report_daily")
    )
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    rows = mart_rows(settings.duckdb_path, "advertiser_report_hourly")
    zones = {row["timezone"] for row in rows}
    assert {"America/Los_Angeles", "Asia/Tokyo"} <= zones
    offsets: dict[str, set[dt.timedelta]] = {}
    for row in rows:
        local, utc = row["stat_time_hour"], row["stat_time_hour_utc"]
        assert local.tzinfo is None
        expected = local.replace(tzinfo=ZoneInfo(row["timezone"])).astimezone(dt.UTC)
        assert utc == expected, (row["timezone"], local, utc)
        offsets.setdefault(row["timezone"], set()).add(local - utc.replace(tzinfo=None))
    assert offsets["America/Los_Angeles"] == {
        dt.timedelta(hours=-7),
        dt.timedelta(hours=-8),
    }  # DST ends 1 Nov
    assert offsets["Asia/Tokyo"] == {dt.timedelta(hours=9)}
    for row in mart_rows(settings.duckdb_path, "advertiser_report_daily"):
        assert isinstance(row["stat_time_day"], dt.date) and not isinstance(row["stat_time_day"], dt.datetime)
        assert row["currency"] and row["timezone"]


def test_ten_percent_faults_load_the_same_tables_as_a_clean_run(serve: Any, tmp_path: Path) -> None:
    streams = ("campaigns", "ads", "custom_audiences", "ad_report_daily", "campaign_report_hourly")
    clean = serve(advertisers=2)
    clean_settings = settings_for(clean, tmp_path, "clean", streams=streams)
    assert run_sync(clean_settings, token_source=static_token(clean)).exit_code == 0

    faulty = serve(advertisers=2, fault_rate=0.1)
    faulty.emulator.configure(stall_seconds=3.0)
    token = static_token(faulty)
    settings = settings_for(faulty, tmp_path, "faulty", streams=streams)
    result = run_sync(
        settings, token_source=token, client_factory=fast_client_factory(faulty, token, timeout=1.0)
    )
    assert result.exit_code == 0, result.failures
    assert result.retries > 0
    assert snapshot(settings.duckdb_path) == snapshot(clean_settings.duckdb_path)


def test_an_advertiser_without_permission_is_reported_and_the_others_load(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2)
    granted, refused = running.advertiser_ids
    token = running.emulator.issue_token([granted])
    settings = settings_for(
        running, tmp_path, streams=("campaigns", "campaign_report_daily"), advertiser_ids=(granted, refused)
    )
    result = run_sync(settings, token_source=static_token(running, [granted, refused], token=token))
    assert result.exit_code == 1
    assert set(result.failures) == {refused}
    assert "40001" in result.failures[refused]
    loaded = {row["advertiser_id"] for row in mart_rows(settings.duckdb_path, "campaign_report_daily")}
    assert loaded == {granted}


def test_backfill_range_loads_only_that_range_and_keeps_the_state(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    world = running.emulator.world
    spec = BUILTIN_STREAMS["advertiser_report_daily"]
    assert isinstance(spec, ReportSpec)
    advertiser_id = world.advertiser_ids[0]
    _, today = report_span(settings_for(running, tmp_path), world, advertiser_id)
    start, end = today - 6 * DAY, today - 3 * DAY
    settings = settings_for(running, tmp_path, streams=(spec.name,), start_date=start, end_date=end)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    days = sorted(row["stat_time_day"] for row in mart_rows(settings.duckdb_path, spec.name))
    assert days and days[0] >= start and days[-1] <= end
    assert_report_equal(
        truth_report(world, spec, advertiser_id, start, end),
        mart_report(settings.duckdb_path, spec, advertiser_id),
        spec.name,
    )
    # the backfill did not move the cursor: a normal run now reads the default history
    settings = replace(settings, start_date=None, end_date=None)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    first, _ = report_span(settings, world, advertiser_id)
    assert_report_equal(
        truth_report(world, spec, advertiser_id, first, today),
        mart_report(settings.duckdb_path, spec, advertiser_id),
        spec.name,
    )


def test_duckdb_out_of_memory_is_retried_with_a_bigger_cap(serve: Any, tmp_path: Path, caplog: Any) -> None:
    running = serve(advertisers=2)
    streams = ("ad_report_hourly", "ad_audience_report_daily_by_gender_age")
    clean = settings_for(running, tmp_path, "clean", streams=streams)
    assert run_sync(clean, token_source=static_token(running)).exit_code == 0
    tight = settings_for(running, tmp_path, "tight", streams=streams, duckdb_memory_limit="2MB")
    with caplog.at_level("WARNING", logger="tiktok_ads_mart.sync"):
        assert run_sync(tight, token_source=static_token(running)).exit_code == 0
    assert "ran out of memory" in caplog.text
    assert snapshot(tight.duckdb_path) == snapshot(clean.duckdb_path)


def test_a_deleted_mart_is_reloaded_from_scratch_not_from_the_cursor(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=1)
    settings = settings_for(running, tmp_path, streams=("campaign_report_daily",))
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    before = snapshot(settings.duckdb_path)
    settings.duckdb_path.unlink()
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    assert snapshot(settings.duckdb_path) == before


def test_exclude_deleted_leaves_out_deleted_objects_and_their_rows(serve: Any, tmp_path: Path) -> None:
    running = serve()
    world = running.emulator.world
    spec = BUILTIN_STREAMS["ad_report_daily"]
    assert isinstance(spec, ReportSpec)
    settings = settings_for(running, tmp_path, streams=("ads", spec.name), include_deleted=False)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    ads = mart_rows(settings.duckdb_path, "ads")
    assert ads and not any(row["is_deleted"] for row in ads)
    deleted = 0
    for advertiser_id in world.advertiser_ids:
        first, last = report_span(settings, world, advertiser_id)
        truth = truth_report(world, spec, advertiser_id, first, last, include_deleted=False)
        assert_report_equal(truth, mart_report(settings.duckdb_path, spec, advertiser_id), spec.name)
        everything = truth_report(world, spec, advertiser_id, first, last, include_deleted=True)
        deleted += len(set(everything) - set(truth))
        live = {
            str(a["ad_id"]) for a in world.ads(advertiser_id) if not a["secondary_status"].endswith("_DELETE")
        }
        assert {r["ad_id"] for r in ads if r["advertiser_id"] == advertiser_id} == live
    assert deleted > 0, "deleted ads should have had delivery for this test to mean anything"


def test_a_mart_open_in_another_process_is_named_in_one_line(serve: Any, tmp_path: Path) -> None:
    """A SQL client holding the file: DuckDB's own words, not dlt's "check your credentials"."""
    running = serve(advertisers=1)
    settings = settings_for(running, tmp_path, "held", streams=("campaigns",))
    hold = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(settings.duckdb_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        with pytest.raises(TikTokAdsMartError) as caught:
            run_sync(settings, token_source=static_token(running))
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    message = str(caught.value)
    assert message.startswith(f"the DuckDB file {settings.duckdb_path} is open in another process ("), message
    assert message.endswith(
        f", PID {holder.pid}); DuckDB lets one process at a time open a file for writing: "
        "close it there and run sync again"
    ), message

    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    (advertiser_id,) = running.advertiser_ids
    loaded = {row["campaign_id"] for row in mart_rows(settings.duckdb_path, "campaigns")}
    assert loaded == {row["campaign_id"] for row in running.emulator.world.campaigns(advertiser_id)}
