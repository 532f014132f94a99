"""The report contract: TikTok's value formats and ratios, the metric catalog, paging, ordering, and
every request TikTok refuses (each one a ReportParamError naming the parameter)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import orjson
import pytest

from conftest import small_world
from tiktok_ads_mart.emulator.catalog import ADVERTISER_DAILY_ONLY, catalog_names, metric_specs
from tiktok_ads_mart.emulator.report_validation import ReportParamError
from tiktok_ads_mart.emulator.reports import ReportCache
from tiktok_ads_mart.emulator.world import World

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ADDITIVE = [
    "spend",
    "impressions",
    "clicks",
    "conversion",
    "result",
    "total_purchase",
    "total_purchase_value",
]
DECIMAL = re.compile(r"^\d+(\.\d+)?$")


def make_world(**overrides: Any) -> World:
    settings: dict[str, Any] = {
        "seed": 5,
        "advertisers": 3,
        "days": 20,
        "campaigns_per_advertiser": 4,
        "adgroups_per_campaign": 2,
        "ads_per_adgroup": 3,
        "audiences_per_advertiser": 6,
        "now": NOW,
    }
    return World(small_world(**{**settings, **overrides}))


def rows(world: World, adv: str, **query: Any) -> list[dict[str, Any]]:
    query.setdefault("report_type", "BASIC")
    return world.report(adv, **query).rows()


def number(value: str) -> Decimal:
    assert DECIMAL.match(value), value
    return Decimal(value)


def daily(
    level: str, id_dim: str, start: str = "2026-11-08", end: str = "2026-11-20", **extra: Any
) -> dict[str, Any]:
    return {
        "data_level": f"AUCTION_{level}",
        "dimensions": [id_dim, "stat_time_day"],
        "metrics": ADDITIVE,
        "start_date": start,
        "end_date": end,
        "include_deleted": True,
        **extra,
    }


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def test_ratios_are_derived_from_their_parts(world: World) -> None:
    for adv in world.advertiser_ids:
        decimals = 0 if world.advertiser(adv).profile.currency == "JPY" else 2
        metrics = [
            "spend",
            "impressions",
            "clicks",
            "conversion",
            "result",
            "reach",
            "ctr",
            "cpc",
            "cpm",
            "cost_per_conversion",
            "conversion_rate",
            "result_rate",
            "cost_per_result",
            "frequency",
            "cost_per_1000_reached",
            "total_purchase",
            "cost_per_total_purchase",
            "total_purchase_value",
            "value_per_total_purchase",
            "video_play_actions",
            "average_video_play",
        ]
        checked = dashes = 0
        for row in rows(world, adv, **daily("AD", "ad_id", metrics=metrics)):
            m = {k: v for k, v in row["metrics"].items()}
            spend, imp, clicks = number(m["spend"]), number(m["impressions"]), number(m["clicks"])
            reach = number(m["reach"])
            assert 0 < reach <= imp
            expectations = {
                "ctr": (clicks * 100, imp, 2),
                "cpc": (spend, clicks, decimals),
                "cpm": (spend * 1000, imp, decimals),
                "cost_per_conversion": (spend, number(m["conversion"]), decimals),
                "conversion_rate": (number(m["conversion"]) * 100, clicks, 2),
                "result_rate": (number(m["result"]) * 100, imp, 2),
                "cost_per_result": (spend, number(m["result"]), decimals),
                "frequency": (imp, reach, 2),
                "cost_per_1000_reached": (spend * 1000, reach, decimals),
                "cost_per_total_purchase": (spend, number(m["total_purchase"]), decimals),
                "value_per_total_purchase": (
                    number(m["total_purchase_value"]),
                    number(m["total_purchase"]),
                    decimals,
                ),
            }
            for name, (num, den, places) in expectations.items():
                if den == 0:
                    assert m[name] == "-", name
                    dashes += 1
                else:
                    assert number(m[name]) == half_up(num / den, places), (name, m)
                    assert len(m[name].partition(".")[2]) == places
                    checked += 1
        assert checked > 100 and dashes > 0


def test_money_has_the_currency_decimals(world: World) -> None:
    for adv in world.advertiser_ids:
        currency = world.advertiser(adv).profile.currency
        for row in rows(world, adv, **daily("CAMPAIGN", "campaign_id", metrics=["spend", "cpc", "currency"])):
            assert row["metrics"]["currency"] == currency
            places = len(row["metrics"]["spend"].partition(".")[2])
            assert places == (0 if currency == "JPY" else 2)


def test_every_catalog_metric_is_accepted_with_well_formed_values(world: World) -> None:
    adv = world.advertiser_ids[0]
    assert world.metric_catalog == frozenset(catalog_names())
    metrics = [m for m in catalog_names() if m not in ADVERTISER_DAILY_ONLY]
    result = rows(world, adv, **daily("AD", "ad_id", "2026-11-18", "2026-11-19", metrics=metrics))
    assert result
    for row in result:
        assert list(row["metrics"]) == metrics
        for name, value in row["metrics"].items():
            assert isinstance(value, str)
            if (
                name not in ("ad_text", "ad_name", "adgroup_name", "campaign_name", "tt_app_name")
                and value != "-"
            ):
                assert DECIMAL.match(value) or not value[0].isdigit(), (name, value)


def test_catalog_cost_and_rate_metrics_agree_with_their_counters(world: World) -> None:
    adv = world.advertiser_ids[0]
    names = set(catalog_names())
    counters = {n for n in names if metric_specs()[n].kind == "count" and n != "reach"}
    costs = {f"cost_per_{c}": c for c in counters if f"cost_per_{c}" in names}
    rates = {f"{c}_rate": c for c in counters if f"{c}_rate" in names}
    assert len(costs) > 40 and len(rates) > 20
    metrics = sorted(
        {
            "spend",
            "clicks",
            "impressions",
            *counters & (set(costs.values()) | set(rates.values())),
            *costs,
            *rates,
        }
    )
    checked = 0
    for row in rows(world, adv, **daily("AD", "ad_id", "2026-11-10", "2026-11-19", metrics=metrics)):
        m = row["metrics"]
        for cost, counter in costs.items():
            if number(m[counter]) == 0:
                assert m[cost] == "-"
            else:
                assert number(m[cost]) == half_up(number(m["spend"]) / number(m[counter]), 2), cost
                checked += 1
        for rate, counter in rates.items():
            if m[rate] != "-":
                shares = {
                    half_up(number(m[counter]) * 100 / number(m[d]), 2)
                    for d in ("clicks", "impressions")
                    if number(m[d])
                }
                assert number(m[rate]) in shares, rate
                checked += 1
    assert checked > 1000


def test_same_config_same_report_bytes() -> None:
    query = {
        "report_type": "AUDIENCE",
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day", "gender", "age"],
        "metrics": ["spend", "impressions", "clicks", "ctr", "conversion"],
        "start_date": "2026-11-01",
        "end_date": "2026-11-20",
    }
    first, second = make_world(), make_world()
    for adv in first.advertiser_ids:
        assert orjson.dumps(first.report(adv, **query).rows()) == orjson.dumps(
            second.report(adv, **query).rows()
        )


def test_pages_slice_the_rows_in_time_id_order(world: World) -> None:
    adv = world.advertiser_ids[1]
    result = world.report(adv, report_type="BASIC", **daily("AD", "ad_id", metrics=["spend", "impressions"]))
    everything = result.rows()
    assert len(everything) == result.total > 7
    paged = [row for page in range(1, result.total // 7 + 2) for row in result.page(page, 7)]
    assert paged == everything
    assert result.page(result.total // 7 + 5, 7) == []
    order = [(r["dimensions"]["stat_time_day"], r["dimensions"]["ad_id"]) for r in everything]
    assert order == sorted(order)
    totals = result.totals()
    assert number(totals["spend"]) == sum(number(r["metrics"]["spend"]) for r in everything)


def test_order_field_sorts_rows_and_keeps_dashes_last(world: World) -> None:
    adv = world.advertiser_ids[1]
    query = daily("AD", "ad_id", metrics=["spend", "impressions", "cost_per_conversion"])
    plain = rows(world, adv, **query)
    by_spend = rows(world, adv, **query, order_field="spend")
    assert sorted(map(orjson.dumps, by_spend)) == sorted(map(orjson.dumps, plain))
    spends = [number(r["metrics"]["spend"]) for r in by_spend]
    assert spends == sorted(spends, reverse=True)
    by_cost = rows(world, adv, **query, order_field="cost_per_conversion", order_type="ASC")
    values = [r["metrics"]["cost_per_conversion"] for r in by_cost]
    shown = [number(v) for v in values if v != "-"]
    assert shown == sorted(shown) and "-" in values
    assert values[len(shown) :] == ["-"] * (len(values) - len(shown))


def test_attributes_follow_the_objects(world: World) -> None:
    adv = world.advertiser_ids[0]
    names = {a["ad_id"]: (a["ad_name"], a["adgroup_name"], a["campaign_name"]) for a in world.ads(adv)}
    result = rows(
        world, adv, **daily("AD", "ad_id", metrics=["ad_name", "adgroup_name", "campaign_name", "spend"])
    )
    for row in result:
        m = row["metrics"]
        assert (m["ad_name"], m["adgroup_name"], m["campaign_name"]) == names[row["dimensions"]["ad_id"]]


BASE = {
    "report_type": "BASIC",
    "data_level": "AUCTION_AD",
    "dimensions": ["ad_id", "stat_time_day"],
    "metrics": ["spend"],
    "start_date": "2026-11-01",
    "end_date": "2026-11-20",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"report_type": "PLAYABLE"}, "report_type"),
        ({"data_level": "AUCTION_BOGUS"}, "data_level"),
        ({"data_level": None}, "data_level"),
        ({"dimensions": []}, "dimensions"),
        ({"dimensions": ["campaign_id", "stat_time_day"]}, "dimensions: exactly one ID dimension"),
        ({"dimensions": ["ad_id", "adgroup_id", "stat_time_day"]}, "exactly one ID dimension"),
        ({"dimensions": ["ad_id", "stat_time_day", "stat_time_hour"]}, "at most one of stat_time_day"),
        ({"dimensions": ["ad_id", "nonsense"]}, "unknown dimension 'nonsense'"),
        ({"dimensions": ["ad_id", "stat_time_day", "gender"]}, "AUDIENCE"),
        (
            {"start_date": "2026-10-01", "end_date": "2026-11-20"},
            "max time span is 30 days when use stat_time_day",
        ),
        (
            {"dimensions": ["ad_id", "stat_time_hour"], "start_date": "2026-11-18", "end_date": "2026-11-19"},
            "max time span is 1 day when use stat_time_hour",
        ),
        ({"dimensions": ["ad_id"], "start_date": "2025-01-01", "end_date": "2026-11-20"}, "365 days"),
        ({"start_date": "2026-11-20", "end_date": "2026-11-01"}, "end_date"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "2026/11/01"}, "start_date"),
        ({"metrics": ["spend", "bogus_metric"]}, "bogus_metric"),
        (
            {
                "data_level": "AUCTION_CAMPAIGN",
                "dimensions": ["campaign_id", "stat_time_day"],
                "metrics": ["ad_name"],
            },
            "ad_name",
        ),
        ({"metrics": ["cash_spend"]}, "cash_spend"),
        ({"query_lifetime": True}, "query_lifetime"),
        ({"query_lifetime": True, "dimensions": ["ad_id", "country_code"]}, "query_lifetime"),
        ({"report_type": "AUDIENCE", "dimensions": ["ad_id", "stat_time_day"]}, "audience dimension"),
        (
            {
                "report_type": "AUDIENCE",
                "dimensions": ["ad_id", "stat_time_hour", "gender"],
                "start_date": "2026-11-19",
                "end_date": "2026-11-19",
            },
            "stat_time_hour",
        ),
        (
            {"report_type": "AUDIENCE", "dimensions": ["ad_id", "gender"], "query_lifetime": True},
            "query_lifetime",
        ),
        (
            {
                "report_type": "AUDIENCE",
                "dimensions": ["ad_id", "stat_time_day", "gender"],
                "metrics": ["reach"],
            },
            "reach",
        ),
        (
            {
                "report_type": "AUDIENCE",
                "dimensions": ["ad_id", "stat_time_day", "gender"],
                "metrics": ["video_views_p25"],
            },
            "video_views_p25",
        ),
        (
            {"report_type": "AUDIENCE", "dimensions": ["ad_id", "stat_time_day", "gender", "platform"]},
            "combined",
        ),
        (
            {"filters": [{"field_name": "campaign_name", "filter_type": "MATCH", "filter_value": "x"}]},
            "filtering",
        ),
        ({"order_field": "ad_name"}, "order_field"),
        ({"order_field": "nope"}, "order_field: unknown metric 'nope'"),
        ({"order_field": "spend", "order_type": "UP"}, "order_type"),
    ],
)
def test_invalid_requests_name_the_problem(world: World, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ReportParamError, match=re.escape(message)):
        world.report(world.advertiser_ids[0], **{**BASE, **change})


def test_advertiser_level_daily_cash_and_voucher_spend_add_up(world: World) -> None:
    adv = world.advertiser_ids[0]
    for row in rows(
        world, adv, **daily("ADVERTISER", "advertiser_id", metrics=["spend", "cash_spend", "voucher_spend"])
    ):
        m = row["metrics"]
        assert number(m["cash_spend"]) + number(m["voucher_spend"]) == number(m["spend"])


def test_fine_grain_respects_the_clock(world: World) -> None:
    adv = world.advertiser_ids[0]
    grain = world.fine_grain(adv)
    later = grain.hour_start_utc + 3600 > NOW.timestamp()
    for name in grain.metrics:
        assert not np.any(grain.values[name][:, later])
    assert np.all(grain.values["clicks"] <= grain.values["impressions"])


def test_result_cache_is_bounded_by_entries_and_rows() -> None:
    class Sized:
        def __init__(self, total: int) -> None:
            self.total = total

    cache = ReportCache(size=3, max_rows=100)
    for key, total in (("a", 10), ("b", 10), ("c", 10), ("d", 10)):
        cache.put(key, Sized(total))  # type: ignore[arg-type]
    assert cache.get("a") is None and cache.get("b") is not None
    cache.put("big", Sized(95))  # type: ignore[arg-type]
    assert cache.get("big") is not None
    assert all(cache.get(key) is None for key in ("b", "c", "d"))
