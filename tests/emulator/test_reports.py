"""The report engine against ground truth: exact sums across levels and grains, ratios, clock, validation."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from conftest import small_world
from tiktok_ads_mart.emulator.world import World

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ADDITIVE = [
    "spend",
    "impressions",
    "clicks",
    "conversion",
    "result",
    "video_play_actions",
    "likes",
    "real_time_conversion",
    "total_purchase",
    "total_purchase_value",
    "engagements",
]
DECIMAL = re.compile(r"^\d+(\.\d+)?$")


def make_world(**overrides: Any) -> World:
    settings: dict[str, Any] = {
        "seed": 11,
        "advertisers": 3,
        "days": 20,
        "campaigns_per_advertiser": 4,
        "adgroups_per_campaign": 2,
        "ads_per_adgroup": 3,
        "audiences_per_advertiser": 6,
        "now": NOW,
    }
    settings.update(overrides)
    return World(small_world(**settings))


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def rows(world: World, adv: str, **query: Any) -> list[dict[str, Any]]:
    query.setdefault("report_type", "BASIC")
    return world.report(adv, **query).rows()


def number(value: str) -> Decimal:
    assert DECIMAL.match(value), value
    return Decimal(value)


def key_of(row: dict[str, Any], *dims: str) -> tuple[str, ...]:
    return tuple(row["dimensions"][d] for d in dims)


def sums(rows_: list[dict[str, Any]], key: Any, metrics: list[str]) -> dict[Any, dict[str, Decimal]]:
    out: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows_:
        bucket = out[key(row)]
        for metric in metrics:
            bucket[metric] += number(row["metrics"][metric])
    return {k: dict(v) for k, v in out.items()}


def by_key(rows_: list[dict[str, Any]], *dims: str) -> dict[tuple[str, ...], dict[str, str]]:
    return {key_of(row, *dims): row["metrics"] for row in rows_}


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


@pytest.mark.parametrize("index", [0, 1, 2])
def test_ad_rows_sum_to_adgroup_campaign_and_advertiser_rows(world: World, index: int) -> None:
    adv = world.advertiser_ids[index]
    parents = world.ad_parents(adv)
    ad_rows = rows(world, adv, **daily("AD", "ad_id"))
    assert ad_rows
    for level, id_dim, pick in (
        (
            "ADGROUP",
            "adgroup_id",
            lambda r: (parents[r["dimensions"]["ad_id"]][0], r["dimensions"]["stat_time_day"]),
        ),
        (
            "CAMPAIGN",
            "campaign_id",
            lambda r: (parents[r["dimensions"]["ad_id"]][1], r["dimensions"]["stat_time_day"]),
        ),
        ("ADVERTISER", "advertiser_id", lambda r: (adv, r["dimensions"]["stat_time_day"])),
    ):
        expected = sums(ad_rows, pick, ADDITIVE)
        level_rows = rows(world, adv, **daily(level, id_dim))
        actual = sums(level_rows, lambda r, dim=id_dim: key_of(r, dim, "stat_time_day"), ADDITIVE)
        assert actual == expected, level


def test_hours_sum_to_days_and_campaign_hours_to_ad_hours(world: World) -> None:
    adv = world.advertiser_ids[0]
    parents = world.ad_parents(adv)
    day = "2026-11-15"
    hourly = rows(
        world,
        adv,
        data_level="AUCTION_AD",
        dimensions=["ad_id", "stat_time_hour"],
        metrics=ADDITIVE,
        start_date=day,
        end_date=day,
        include_deleted=True,
    )
    assert {r["dimensions"]["stat_time_hour"][:10] for r in hourly} == {day}
    day_rows = rows(world, adv, **daily("AD", "ad_id", day, day))
    assert sums(hourly, lambda r: r["dimensions"]["ad_id"], ADDITIVE) == sums(
        day_rows, lambda r: r["dimensions"]["ad_id"], ADDITIVE
    )
    campaign_hours = rows(
        world,
        adv,
        data_level="AUCTION_CAMPAIGN",
        dimensions=["campaign_id", "stat_time_hour"],
        metrics=ADDITIVE,
        start_date=day,
        end_date=day,
        include_deleted=True,
    )
    expected = sums(
        hourly, lambda r: (parents[r["dimensions"]["ad_id"]][1], r["dimensions"]["stat_time_hour"]), ADDITIVE
    )
    assert sums(campaign_hours, lambda r: key_of(r, "campaign_id", "stat_time_hour"), ADDITIVE) == expected


def test_report_numbers_are_sums_of_the_fine_grain(world: World) -> None:
    adv = world.advertiser_ids[1]
    grain = world.fine_grain(adv)
    day_rows = by_key(
        rows(world, adv, **daily("AD", "ad_id", "2026-11-18", "2026-11-18")), "ad_id", "stat_time_day"
    )
    columns = [i for i, hour in enumerate(grain.hours) if hour.startswith("2026-11-18")]
    for row_index, ad_id in enumerate(grain.ad_ids):
        impressions = int(grain.values["impressions"][row_index, columns].sum())
        metrics = day_rows.get((ad_id, "2026-11-18 00:00:00"))
        if impressions == 0:
            assert metrics is None
            continue
        assert metrics is not None
        assert int(metrics["impressions"]) == impressions
        assert int(metrics["conversion"]) == int(grain.values["conversion"][row_index, columns].sum())
        assert number(metrics["spend"]) * 100 == int(grain.values["spend"][row_index, columns].sum())


def test_lifetime_equals_sum_of_all_days(world: World) -> None:
    adv = world.advertiser_ids[2]
    first = world.fine_grain(adv).hours[0][:10]
    metrics = ["spend", "impressions", "conversion", "total_purchase_value"]
    lifetime = rows(
        world,
        adv,
        data_level="AUCTION_CAMPAIGN",
        dimensions=["campaign_id"],
        metrics=metrics,
        query_lifetime=True,
        include_deleted=True,
    )
    day_rows = rows(
        world,
        adv,
        data_level="AUCTION_CAMPAIGN",
        dimensions=["campaign_id", "stat_time_day"],
        metrics=metrics,
        start_date=first,
        end_date="2026-11-21",
        include_deleted=True,
    )
    assert sums(lifetime, lambda r: r["dimensions"]["campaign_id"], metrics) == sums(
        day_rows, lambda r: r["dimensions"]["campaign_id"], metrics
    )
    no_time = rows(
        world,
        adv,
        data_level="AUCTION_CAMPAIGN",
        dimensions=["campaign_id"],
        metrics=metrics,
        start_date=first,
        end_date="2026-11-21",
        include_deleted=True,
    )
    assert no_time == lifetime


@pytest.mark.parametrize(
    ("report_type", "breakdown"),
    [
        ("AUDIENCE", ["gender", "age"]),
        ("AUDIENCE", ["gender"]),
        ("AUDIENCE", ["age"]),
        ("AUDIENCE", ["country_code"]),
        ("AUDIENCE", ["platform"]),
        ("AUDIENCE", ["province_id"]),
        ("BASIC", ["country_code"]),
    ],
)
def test_audience_buckets_sum_exactly_to_the_unbroken_totals(
    world: World, report_type: str, breakdown: list[str]
) -> None:
    adv = world.advertiser_ids[2]
    metrics = [
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "result",
        "total_purchase",
        "total_purchase_value",
    ]
    query = {
        "data_level": "AUCTION_AD",
        "metrics": metrics,
        "start_date": "2026-11-10",
        "end_date": "2026-11-20",
        "include_deleted": True,
    }
    split = rows(
        world, adv, report_type=report_type, dimensions=["ad_id", "stat_time_day", *breakdown], **query
    )
    whole = rows(world, adv, dimensions=["ad_id", "stat_time_day"], **query)
    labels = {tuple(r["dimensions"][d] for d in breakdown) for r in split}
    assert len(labels) > 1
    assert all(int(r["metrics"]["impressions"]) > 0 for r in split)
    pick = lambda r: key_of(r, "ad_id", "stat_time_day")  # noqa: E731
    assert sums(split, pick, metrics) == sums(whole, pick, metrics)
    ranged = rows(world, adv, report_type=report_type, dimensions=["ad_id", *breakdown], **query)
    assert sums(ranged, lambda r: key_of(r, "ad_id", *breakdown), metrics) == sums(
        split, lambda r: key_of(r, "ad_id", *breakdown), metrics
    )


def test_no_delivery_no_row_and_nothing_after_now(world: World) -> None:
    for adv in world.advertiser_ids:
        local_today = max(
            r["dimensions"]["stat_time_day"] for r in rows(world, adv, **daily("ADVERTISER", "advertiser_id"))
        )
        hours = rows(
            world,
            adv,
            data_level="AUCTION_ADVERTISER",
            dimensions=["advertiser_id", "stat_time_hour"],
            metrics=["impressions"],
            start_date=local_today[:10],
            end_date=local_today[:10],
        )
        last_hour = datetime.strptime(hours[-1]["dimensions"]["stat_time_hour"], "%Y-%m-%d %H:%M:%S")
        zone = world.advertiser(adv).zone
        local_now = NOW.astimezone(zone).replace(tzinfo=None)
        assert last_hour + timedelta(hours=1) <= local_now < last_hour + timedelta(hours=2)
        later = (local_now.date() + timedelta(days=1)).isoformat()
        assert rows(world, adv, **daily("AD", "ad_id", later, later)) == []
        for row in rows(world, adv, **daily("AD", "ad_id")):
            assert int(row["metrics"]["impressions"]) > 0


def test_hours_are_advertiser_local_tokyo_midnight() -> None:
    world = make_world()
    tokyo = world.advertiser_ids[2]
    assert world.advertiser(tokyo).profile.timezone == "Asia/Tokyo"
    query = {
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": ["advertiser_id", "stat_time_hour"],
        "metrics": ["impressions"],
        "start_date": "2026-11-20",
        "end_date": "2026-11-20",
    }
    world.set_now(datetime(2026, 11, 19, 15, 0, tzinfo=UTC))  # 2026-11-20 00:00 in Tokyo: no hour complete
    assert rows(world, tokyo, **query) == []
    world.set_now(datetime(2026, 11, 19, 16, 0, tzinfo=UTC))
    [row] = rows(world, tokyo, **query)
    assert row["dimensions"]["stat_time_hour"] == "2026-11-20 00:00:00"
    grain = world.fine_grain(tokyo)
    slot = grain.hours.index("2026-11-20 00:00:00")
    assert int(grain.hour_start_utc[slot]) == int(datetime(2026, 11, 19, 15, tzinfo=UTC).timestamp())
    assert int(row["metrics"]["impressions"]) == int(grain.values["impressions"][:, slot].sum())


def test_spring_forward_hour_does_not_exist() -> None:
    world = make_world(now=datetime(2026, 3, 10, 12, tzinfo=UTC), days=5, campaigns_per_advertiser=8)
    los_angeles = world.advertiser_ids[0]
    hours = rows(
        world,
        los_angeles,
        data_level="AUCTION_ADVERTISER",
        dimensions=["advertiser_id", "stat_time_hour"],
        metrics=["impressions"],
        start_date="2026-03-08",
        end_date="2026-03-08",
    )
    labels = {r["dimensions"]["stat_time_hour"][11:13] for r in hours}
    assert "02" not in labels and {"01", "03"} <= labels


def test_fall_back_day_has_one_slot_per_wall_hour_and_still_sums(world: World) -> None:
    los_angeles = world.advertiser_ids[0]
    day = "2026-11-01"  # 01:00-02:00 happens twice in Los Angeles: one slot, timed at its first occurrence
    grain = world.fine_grain(los_angeles)
    slots = [i for i, hour in enumerate(grain.hours) if hour.startswith(day)]
    assert len(slots) == 24
    gaps = np.diff(grain.hour_start_utc[slots])
    assert sorted(set(gaps.tolist())) == [3600, 7200]
    query = {
        "data_level": "AUCTION_AD",
        "metrics": ADDITIVE,
        "start_date": day,
        "end_date": day,
        "include_deleted": True,
    }
    hours = rows(world, los_angeles, dimensions=["ad_id", "stat_time_hour"], **query)
    days = rows(world, los_angeles, dimensions=["ad_id", "stat_time_day"], **query)
    assert len({r["dimensions"]["stat_time_hour"] for r in hours}) == 24
    pick = lambda r: r["dimensions"]["ad_id"]  # noqa: E731
    assert sums(hours, pick, ADDITIVE) == sums(days, pick, ADDITIVE)


def test_restated_hours_still_sum_to_restated_days() -> None:
    world = make_world()
    adv = world.advertiser_ids[1]
    world.set_now(NOW + timedelta(hours=30))
    metrics = ["conversion", "result", "app_install", "total_purchase"]
    for day in ("2026-11-16", "2026-11-19", "2026-11-20", "2026-11-21"):
        hours = rows(
            world,
            adv,
            data_level="AUCTION_ADGROUP",
            dimensions=["adgroup_id", "stat_time_hour"],
            metrics=metrics,
            start_date=day,
            end_date=day,
            include_deleted=True,
        )
        days = rows(world, adv, **daily("ADGROUP", "adgroup_id", day, day, metrics=metrics))
        pick = lambda r: r["dimensions"]["adgroup_id"]  # noqa: E731
        assert sums(hours, pick, metrics) == sums(days, pick, metrics)


def test_restatement_grows_recent_conversions_only() -> None:
    world = make_world()
    adv = world.advertiser_ids[0]
    metrics = ["spend", "conversion", "real_time_conversion", "result", "total_purchase"]
    query = daily("ADVERTISER", "advertiser_id", "2026-11-01", "2026-11-19", metrics=metrics)
    before = by_key(rows(world, adv, **query), "stat_time_day")
    world.set_now(NOW + timedelta(days=3))
    after = by_key(rows(world, adv, **query), "stat_time_day")
    assert before.keys() == after.keys()
    grew = 0
    for day, old in before.items():
        new = after[day]
        assert new["spend"] == old["spend"] and new["real_time_conversion"] == old["real_time_conversion"]
        age = NOW.date() - date.fromisoformat(day[0][:10])
        for metric in ("conversion", "result", "total_purchase"):
            if age > timedelta(days=8):
                assert new[metric] == old[metric], (day, metric)
            else:
                assert int(new[metric]) >= int(old[metric])
                grew += int(new[metric]) > int(old[metric])
    assert grew > 0


def test_deleted_objects_rows_need_include_deleted(world: World) -> None:
    big = make_world(campaigns_per_advertiser=16)
    found = False
    for adv in big.advertiser_ids:
        deleted = {
            c["campaign_id"] for c in big.campaigns(adv) if c["secondary_status"] == "CAMPAIGN_STATUS_DELETE"
        }
        full = daily("CAMPAIGN", "campaign_id", "2026-10-31", "2026-11-20", metrics=["spend"])
        with_deleted = {r["dimensions"]["campaign_id"] for r in rows(big, adv, **full)}
        without = {
            r["dimensions"]["campaign_id"] for r in rows(big, adv, **{**full, "include_deleted": False})
        }
        assert not without & deleted
        assert with_deleted - without == with_deleted & deleted
        found = found or bool(with_deleted & deleted)
        status_all = [{"field_name": "campaign_status", "filter_type": "IN", "filter_value": ["STATUS_ALL"]}]
        asked = rows(big, adv, **{**full, "include_deleted": False}, filters=status_all)
        assert asked == rows(big, adv, **full)
        account = daily("ADVERTISER", "advertiser_id", metrics=["spend"])
        assert rows(big, adv, **account) == rows(big, adv, **{**account, "include_deleted": False})
    assert found


def test_id_filters_restrict_the_data(world: World) -> None:
    adv = world.advertiser_ids[0]
    parents = world.ad_parents(adv)
    campaign = next(iter(parents.values()))[1]
    ads = [ad for ad, (_, c) in parents.items() if c == campaign]
    filtered = rows(
        world,
        adv,
        **daily("AD", "ad_id"),
        filters=[{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": [campaign]}],
    )
    assert filtered and {r["dimensions"]["ad_id"] for r in filtered} <= set(ads)
    one_ad = rows(world, adv, **daily("CAMPAIGN", "campaign_id"), filters={"ad_ids": [ads[0]]})
    own = rows(world, adv, **daily("AD", "ad_id"), filters={"ad_ids": [ads[0]]})
    assert sums(one_ad, lambda r: r["dimensions"]["stat_time_day"], ADDITIVE) == sums(
        own, lambda r: r["dimensions"]["stat_time_day"], ADDITIVE
    )
