"""The fake account tree: determinism, TikTok shapes, the clock's visibility and edit schedule."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from conftest import small_world
from tiktok_ads_mart.emulator.world import FUTURE_DAYS, World

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def make_world(**overrides: Any) -> World:
    settings: dict[str, Any] = {
        "seed": 7,
        "advertisers": 4,
        "days": 20,
        "campaigns_per_advertiser": 6,
        "adgroups_per_campaign": 3,
        "ads_per_adgroup": 3,
        "audiences_per_advertiser": 6,
        "now": NOW,
    }
    settings.update(overrides)
    return World(small_world(**settings))


def snapshot(world: World) -> bytes:
    """Every object listing of the world at its clock, as bytes."""
    listing: dict[str, Any] = {"advertisers": world.advertisers(), "app": [world.app_id, world.secret]}
    for adv in world.advertiser_ids:
        listing[adv] = [world.campaigns(adv), world.adgroups(adv), world.ads(adv), world.audiences(adv)]
    return orjson.dumps(listing)


def entity_id(obj: dict[str, Any]) -> str:
    for key in ("ad_id", "adgroup_id", "campaign_id"):
        if key in obj:
            return str(obj[key])
    raise AssertionError(obj)


def test_same_config_gives_identical_objects() -> None:
    assert snapshot(make_world()) == snapshot(make_world())


def test_other_seed_gives_other_objects() -> None:
    assert snapshot(make_world()) != snapshot(make_world(seed=8))


def test_ids_are_unique_19_digit_numeric_strings() -> None:
    world = make_world()
    ids = [world.app_id, *world.advertiser_ids]
    for adv in world.advertiser_ids:
        ids += [c["campaign_id"] for c in world.campaigns(adv)]
        ids += [g["adgroup_id"] for g in world.adgroups(adv)]
        ids += [a["ad_id"] for a in world.ads(adv)]
        ids += [a["audience_id"] for a in world.audiences(adv)]
    assert all(isinstance(i, str) and i.isdigit() and len(i) == 19 for i in ids)
    assert len(set(ids)) == len(ids)


def test_advertisers_span_timezones_and_currencies() -> None:
    advertisers = make_world().advertisers()
    assert [a["timezone"] for a in advertisers] == [
        "America/Los_Angeles",
        "Europe/Berlin",
        "Asia/Tokyo",
        "Etc/GMT",
    ]
    assert {a["currency"] for a in advertisers} >= {"USD", "EUR", "JPY"}
    for adv in advertisers:
        assert isinstance(adv["create_time"], int) and adv["create_time"] < NOW.timestamp()
        assert adv["status"] == "STATUS_ENABLE" and adv["role"] == "ROLE_ADVERTISER"
        assert adv["display_timezone"] == adv["timezone"]


def test_objects_have_tiktok_fields_and_utc_timestamps() -> None:
    world = make_world()
    adv = world.advertiser_ids[0]
    campaign = world.campaigns(adv)[0]
    for field in (
        "campaign_id",
        "campaign_name",
        "objective_type",
        "budget",
        "budget_mode",
        "operation_status",
        "secondary_status",
        "create_time",
        "modify_time",
        "advertiser_id",
    ):
        assert field in campaign
    ad = world.ads(adv)[0]
    for field in (
        "ad_id",
        "ad_name",
        "adgroup_id",
        "adgroup_name",
        "campaign_id",
        "campaign_name",
        "ad_text",
        "call_to_action",
        "operation_status",
        "secondary_status",
        "create_time",
        "modify_time",
    ):
        assert field in ad
    for obj in [*world.campaigns(adv), *world.adgroups(adv), *world.ads(adv)]:
        created = datetime.strptime(obj["create_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        modified = datetime.strptime(obj["modify_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        assert created <= modified <= NOW


def test_children_name_their_parents_as_they_are_now() -> None:
    world = make_world()
    adv = world.advertiser_ids[1]
    names = {c["campaign_id"]: c["campaign_name"] for c in world.campaigns(adv)}
    for adgroup in world.adgroups(adv):
        assert adgroup["campaign_name"] == names[adgroup["campaign_id"]]


def test_deletion_cascades_to_children() -> None:
    world = make_world(campaigns_per_advertiser=20)
    seen_cascade = False
    for adv in world.advertiser_ids:
        deleted_campaigns = {
            c["campaign_id"]
            for c in world.campaigns(adv)
            if c["secondary_status"] == "CAMPAIGN_STATUS_DELETE"
        }
        for ad in world.ads(adv):
            if ad["campaign_id"] in deleted_campaigns and ad["secondary_status"] != "AD_STATUS_DELETE":
                assert ad["secondary_status"] == "AD_STATUS_CAMPAIGN_DELETE"
                seen_cascade = True
        for adgroup in world.adgroups(adv):
            if (
                adgroup["campaign_id"] in deleted_campaigns
                and adgroup["secondary_status"] != "ADGROUP_STATUS_DELETE"
            ):
                assert adgroup["secondary_status"] == "ADGROUP_STATUS_CAMPAIGN_DELETE"
    assert seen_cascade


def test_some_objects_are_deleted_and_some_recently_modified() -> None:
    world = make_world(campaigns_per_advertiser=20)
    statuses: Counter[str] = Counter()
    recent = 0
    for adv in world.advertiser_ids:
        for ad in world.ads(adv):
            statuses[ad["secondary_status"]] += 1
            modified = datetime.strptime(ad["modify_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            recent += ad["modify_time"] != ad["create_time"] and NOW - modified < timedelta(days=3)
    assert statuses["AD_STATUS_DELETE"] > 0
    assert statuses["AD_STATUS_DELIVERY_OK"] > sum(statuses.values()) / 3
    assert recent > 0


def test_objects_created_later_appear_when_the_clock_reaches_them() -> None:
    world = make_world(campaigns_per_advertiser=20)
    before = {adv: {entity_id(a) for a in world.ads(adv)} for adv in world.advertiser_ids}
    world.set_now(NOW + timedelta(days=FUTURE_DAYS))
    later = datetime.strftime(NOW, "%Y-%m-%d %H:%M:%S")
    appeared = 0
    for adv in world.advertiser_ids:
        after = world.ads(adv)
        assert before[adv] <= {entity_id(a) for a in after}
        for ad in after:
            if entity_id(ad) not in before[adv]:
                assert ad["create_time"] > later
                appeared += 1
    assert appeared > 0


def test_moving_the_clock_applies_scheduled_edits_and_back_undoes_them() -> None:
    world = make_world(campaigns_per_advertiser=20)
    adv = world.advertiser_ids[0]
    first = {entity_id(a): a for a in world.ads(adv)}
    world.set_now(NOW + timedelta(days=5))
    moved = [
        a
        for a in world.ads(adv)
        if entity_id(a) in first and a["modify_time"] != first[entity_id(a)]["modify_time"]
    ]
    assert moved, "some ads must have a scheduled edit within 5 days"
    for ad in moved:
        assert ad["modify_time"] > first[entity_id(ad)]["modify_time"]
        assert ad["modify_time"] > NOW.strftime("%Y-%m-%d %H:%M:%S")
    world.set_now(NOW)
    assert {entity_id(a): a for a in world.ads(adv)} == first


def test_audiences_have_several_types_and_history() -> None:
    world = make_world()
    adv = world.advertiser_ids[0]
    audiences = world.audiences(adv)
    assert len({a["audience_type"] for a in audiences}) >= 3
    for audience in audiences:
        assert audience["create_time"] <= NOW.strftime("%Y-%m-%d %H:%M:%S")
        history = world.audience_history(adv, audience["audience_id"])
        assert history and history[-1]["action"] == "CREATE"


def test_ad_parents_match_the_listings() -> None:
    world = make_world()
    adv = world.advertiser_ids[2]
    parents = world.ad_parents(adv)
    for ad in world.ads(adv):
        assert parents[ad["ad_id"]] == (ad["adgroup_id"], ad["campaign_id"])


def test_unknown_advertiser_is_named() -> None:
    with pytest.raises(KeyError, match="123"):
        make_world().campaigns("123")
