"""Which requests a run makes: windows in the advertiser's timezone, lookback, state, filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tiktok_ads_mart.catalog import BUILTIN_STREAMS, EntitySpec, ReportSpec
from tiktok_ads_mart.sync.arrow import AdvertiserContext
from tiktok_ads_mart.sync.plan import PlanSettings, date_windows, plan_entity, plan_report

NOW = dt.datetime(2026, 11, 3, 3, 30, tzinfo=dt.UTC)  # still 2 Nov in Los Angeles, already 3 Nov in Tokyo
LA = AdvertiserContext("1", "USD", "America/Los_Angeles")
TOKYO = AdvertiserContext("2", "JPY", "Asia/Tokyo")


def _plan(**overrides: object) -> PlanSettings:
    values: dict[str, object] = {
        "now": NOW,
        "start_date": None,
        "end_date": None,
        "lookback_days": 7,
        "default_history_days": 30,
        "include_deleted": True,
    }
    values.update(overrides)
    return PlanSettings(**values)  # type: ignore[arg-type]


def _report(name: str) -> ReportSpec:
    spec = BUILTIN_STREAMS[name]
    assert isinstance(spec, ReportSpec)
    return spec


def test_windows_are_the_widest_allowed() -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 5)
    windows = date_windows(start, end, 30)
    assert windows[0] == (dt.date(2026, 1, 1), dt.date(2026, 1, 30))
    assert windows[-1][1] == end
    assert all((b - a).days + 1 <= 30 for a, b in windows)
    assert all(windows[i][1] + dt.timedelta(days=1) == windows[i + 1][0] for i in range(len(windows) - 1))
    assert len(date_windows(start, start + dt.timedelta(days=2), 1)) == 3


def test_first_run_reads_default_history_up_to_local_today() -> None:
    spec = _report("campaign_report_daily")
    jobs_la, cursor_la = plan_report(spec, LA, None, _plan())
    jobs_tokyo, cursor_tokyo = plan_report(spec, TOKYO, None, _plan())
    assert jobs_tokyo[-1].params["end_date"] == "2026-11-03"
    assert cursor_la == "2026-11-02" and cursor_tokyo == "2026-11-03"
    assert jobs_la[0].params["start_date"] == "2026-10-03"
    assert jobs_la[-1].params["end_date"] == "2026-11-02"
    assert len(jobs_la) == 2  # 31 days: one 30-day window and one day
    params = jobs_la[0].params
    assert params["report_type"] == "BASIC" and params["data_level"] == "AUCTION_CAMPAIGN"
    assert params["dimensions"] == ["campaign_id", "stat_time_day"]
    assert params["filtering"] == [
        {"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
    ]


def test_later_runs_reread_the_lookback_and_the_last_day() -> None:
    spec = _report("ad_report_hourly")
    jobs, cursor = plan_report(spec, LA, "2026-10-30", _plan())
    assert jobs[0].params["start_date"] == "2026-10-23"
    assert jobs[-1].params["end_date"] == "2026-11-02"
    assert all(j.params["start_date"] == j.params["end_date"] for j in jobs)
    assert cursor == "2026-11-02"
    jobs, _ = plan_report(spec, LA, "2026-10-30", _plan(lookback_days=0))
    assert jobs[0].params["start_date"] == "2026-10-30"


def test_backfill_uses_the_range_and_keeps_the_cursor() -> None:
    spec = _report("campaign_report_daily")
    plan = _plan(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 10))
    jobs, cursor = plan_report(spec, LA, "2026-11-01", plan)
    assert cursor is None
    assert [(j.params["start_date"], j.params["end_date"]) for j in jobs] == [("2026-01-01", "2026-01-10")]


def test_lifetime_is_one_call_without_dates_or_cursor() -> None:
    jobs, cursor = plan_report(_report("ad_report_lifetime"), LA, None, _plan())
    assert len(jobs) == 1 and cursor is None
    assert jobs[0].params["query_lifetime"] is True
    assert "start_date" not in jobs[0].params


def test_advertiser_level_has_no_status_filter_and_exclude_deleted_drops_it() -> None:
    jobs, _ = plan_report(_report("advertiser_report_daily"), LA, None, _plan())
    assert "filtering" not in jobs[0].params
    jobs, _ = plan_report(_report("ad_report_daily"), LA, None, _plan(include_deleted=False))
    assert "filtering" not in jobs[0].params


def test_entity_filters() -> None:
    campaigns = BUILTIN_STREAMS["campaigns"]
    assert isinstance(campaigns, EntitySpec)
    [job] = plan_entity(campaigns, "1", (), _plan())
    assert job.params == {"advertiser_id": "1", "filtering": {"primary_status": "STATUS_ALL"}}
    [job] = plan_entity(campaigns, "1", (), _plan(include_deleted=False))
    assert "filtering" not in job.params
    fixed = replace(campaigns, params=(("filtering", {"objective_type": "SALES"}), ("fields", ["a"])))
    [job] = plan_entity(fixed, "1", (), _plan())
    assert job.params == {
        "advertiser_id": "1",
        "fields": ["a"],
        "filtering": {"objective_type": "SALES", "primary_status": "STATUS_ALL"},
    }


def test_deleted_objects_asked_for_apart_and_a_lookup_knows_its_ids() -> None:
    campaigns = BUILTIN_STREAMS["gmv_max_campaigns"]
    assert isinstance(campaigns, EntitySpec)
    listing, deleted = plan_entity(campaigns, "1", (), _plan())
    assert listing.params["filtering"] == {"gmv_max_promotion_types": ["PRODUCT_GMV_MAX", "LIVE_GMV_MAX"]}
    assert deleted.params["filtering"]["primary_status"] == "STATUS_DELETE"
    assert len(plan_entity(campaigns, "1", (), _plan(include_deleted=False))) == 1
    videos = BUILTIN_STREAMS["videos"]
    assert isinstance(videos, EntitySpec)
    [job] = plan_entity(videos, "1", ["v1", "v2"], _plan())
    assert job.known == {"v1", "v2"}
    details = BUILTIN_STREAMS["gmv_max_campaign_details"]
    assert isinstance(details, EntitySpec)
    [job] = plan_entity(details, "1", ["c1"], _plan())
    assert job.known == frozenset()  # details change: every id asked for every run


def test_a_backfill_longer_than_a_month_reads_like_auto() -> None:
    from datetime import date

    from tiktok_ads_mart.config import SyncSettings
    from tiktok_ads_mart.sync.run import effective_report_mode

    month = SyncSettings(start_date=date(2026, 10, 1), end_date=date(2026, 10, 31))
    assert effective_report_mode(month) == "sync"
    assert effective_report_mode(replace(month, end_date=date(2026, 11, 1))) == "auto"
    assert effective_report_mode(replace(month, start_date=None, end_date=None)) == "sync"
    assert effective_report_mode(replace(month, report_mode="async", start_date=None)) == "async"
    long = replace(month, end_date=date(2026, 11, 1))
    assert effective_report_mode(replace(long, report_mode="sync")) == "sync"  # asked for by name
