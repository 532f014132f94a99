"""Upgraded Smart+ over HTTP: which objects are Smart+, the smart_plus/*/get/ endpoints, ad/get/ at the
creative and ad levels, and the ``ad_id_v2`` report dimension (docs 1854103649826817, 1843312818332930,
1843314879617026, 1843317378982914, 1740302848100353).

Ground truth is the world's objects, :mod:`tiktok_ads_mart.emulator.smart_plus`'s ground-truth functions
and the ``ad_id`` report (creatives), which ``ad_id_v2`` rows must add up to.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from emulator_support import all_pages, error, get, ok, post

from conftest import asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator, smart_plus

WORLD = {"advertisers": 2, "campaigns_per_advertiser": 8, "adgroups_per_campaign": 3, "ads_per_adgroup": 4,
         "days": 20}  # fmt: skip
REPORT = "report/integrated/get/"
ALL_ADS = {"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
STATUS_ALL = {"primary_status": "STATUS_ALL"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    built = Emulator(small_world(**WORLD))
    yield built
    built.close()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client_for(emulator) as http:
        yield http


def _deleted(obj: dict[str, Any]) -> bool:
    return "DELETE" in str(obj["secondary_status"])


def _window(emulator: Emulator) -> dict[str, str]:
    today = emulator.now.date()
    return {"start_date": (today - timedelta(days=12)).isoformat(), "end_date": today.isoformat()}


# ------------------------------------------------------------------------------------ the world
def test_a_share_of_campaigns_is_upgraded_smart_plus_and_small_worlds_have_one() -> None:
    from tiktok_ads_mart.emulator.world import World

    small = World(small_world())
    assert smart_plus.smart_plus_campaign_ids(small, small.advertiser_ids[0])
    wide = World(small_world(advertisers=4, campaigns_per_advertiser=14, adgroups_per_campaign=1,
                             ads_per_adgroup=1))  # fmt: skip
    campaigns = [c for adv in wide.advertiser_ids for c in wide.advertiser(adv).campaigns]
    chosen = {i for adv in wide.advertiser_ids for i in smart_plus.smart_plus_campaign_ids(wide, adv)}
    assert 0.05 < len(chosen) / len(campaigns) < 0.3
    assert {c.static["objective_type"] for c in campaigns if c.entity_id in chosen} <= smart_plus.OBJECTIVES


def test_the_world_is_the_same_from_the_same_seed(emulator: Emulator) -> None:
    again = Emulator(small_world(**WORLD))
    try:
        for adv in emulator.advertiser_ids:
            assert smart_plus.smart_plus_ads(again.world, adv) == smart_plus.smart_plus_ads(
                emulator.world, adv
            )
            assert again.world.ads(adv) == emulator.world.ads(adv)
    finally:
        again.close()


async def test_objects_carry_their_automation_type(client: httpx.AsyncClient, emulator: Emulator) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    campaigns = set(smart_plus.smart_plus_campaign_ids(emulator.world, adv))
    groups = set(smart_plus.smart_plus_adgroup_ids(emulator.world, adv))
    creatives = smart_plus.smart_plus_creatives(emulator.world, adv)
    of_creative = {ad_id: smart_id for smart_id, ads in creatives.items() for ad_id in ads}
    assert campaigns and groups and creatives
    for row in ok(await get(client, "campaign/get/", token, advertiser_id=adv, page_size=1000,
                            filtering=STATUS_ALL))["list"]:  # fmt: skip
        upgraded = row["campaign_id"] in campaigns
        assert row["campaign_automation_type"] == ("UPGRADED_SMART_PLUS" if upgraded else "MANUAL")
    for row in ok(await get(client, "adgroup/get/", token, advertiser_id=adv, page_size=1000,
                            filtering=STATUS_ALL))["list"]:  # fmt: skip
        assert (row["adgroup_id"] in groups) == (row["campaign_id"] in campaigns)
        assert row["campaign_automation_type"] == (
            "UPGRADED_SMART_PLUS" if row["adgroup_id"] in groups else "MANUAL"
        )
    ads = ok(await get(client, "ad/get/", token, advertiser_id=adv, page_size=1000, filtering=STATUS_ALL))[
        "list"
    ]
    for row in ads:
        if row["adgroup_id"] in groups:
            assert row["campaign_automation_type"] == "UPGRADED_SMART_PLUS_CREATIVE"
            assert row["smart_plus_ad_id"] == row["ad_id_v2"] == of_creative[row["ad_id"]]
        else:
            assert row["campaign_automation_type"] == "MANUAL"
            assert row["ad_id_v2"] == row["ad_id"] and "smart_plus_ad_id" not in row


async def test_ad_get_with_ad_ids_v2_answers_at_the_ad_level(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    smart = [a for a in smart_plus.smart_plus_ads(emulator.world, adv) if not _deleted(a)]
    manual = [
        a for a in emulator.world.ads(adv) if a["campaign_automation_type"] == "MANUAL" and not _deleted(a)
    ]
    wanted = [smart[0]["smart_plus_ad_id"], manual[0]["ad_id"], smart[1]["smart_plus_ad_id"]]
    rows = ok(await get(client, "ad/get/", token, advertiser_id=adv, filtering={"ad_ids_v2": wanted}))["list"]
    assert {r["ad_id_v2"] for r in rows} == set(wanted) and len(rows) == 3
    for row in rows:
        if row["ad_id_v2"] == manual[0]["ad_id"]:
            assert row == json.loads(json.dumps(manual[0]))
            continue
        source = next(a for a in smart if a["smart_plus_ad_id"] == row["ad_id_v2"])
        assert row["campaign_automation_type"] == "UPGRADED_SMART_PLUS" and "ad_id" not in row
        for name in ("campaign_id", "adgroup_id", "ad_name", "operation_status", "secondary_status", "create_time",
                     "modify_time"):  # fmt: skip
            assert row[name] == source[name], name
    a_creative = smart[0]["creative_list"][0]["ad_material_id"]  # a creative is no ad at the ad level
    assert ok(await get(client, "ad/get/", token, advertiser_id=adv, filtering={"ad_ids_v2": [a_creative]}))[
        "list"] == []  # fmt: skip
    error(await get(client, "ad/get/", token, advertiser_id=adv, filtering={"ad_ids_v2": [str(n) for n in range(101)]}),
          40002, "ad_ids_v2")  # fmt: skip
    error(await get(client, "campaign/get/", token, advertiser_id=adv, filtering={"ad_ids_v2": wanted}),
          40002, "ad_ids_v2")  # fmt: skip


# ------------------------------------------------------------------------------ smart_plus/*/get/
async def test_smart_plus_campaigns_and_ad_groups(client: httpx.AsyncClient, emulator: Emulator) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    world = emulator.world
    campaigns = [c for c in world.campaigns(adv) if c["campaign_automation_type"] == "UPGRADED_SMART_PLUS"]
    listed = ok(await get(client, "smart_plus/campaign/get/", token, advertiser_id=adv, page_size=1000))
    assert [c["campaign_id"] for c in listed["list"]] == [
        c["campaign_id"] for c in campaigns if not _deleted(c)
    ]
    for row in listed["list"]:
        assert "campaign_automation_type" not in row  # the page's fields, not campaign/get/'s
        assert row["smart_plus_adgroup_mode"] == "MULTIPLE" and row["budget_mode"] != "BUDGET_MODE_DAY"
        assert {"campaign_name", "objective_type", "budget", "operation_status", "secondary_status", "create_time",
                "modify_time"} <= set(row)  # fmt: skip
    objective = campaigns[0]["objective_type"]
    same = ok(await get(client, "smart_plus/campaign/get/", token, advertiser_id=adv,
                        filtering={"objective_type": objective}))["list"]  # fmt: skip
    assert same and all(c["objective_type"] == objective for c in same)
    web = ok(await get(client, "smart_plus/campaign/get/", token, advertiser_id=adv,
                       filtering={"sales_destination": "WEBSITE"}))["list"]  # fmt: skip
    assert all(c["objective_type"] == "WEB_CONVERSIONS" for c in web)
    one = ok(await get(client, "smart_plus/campaign/get/", token, advertiser_id=adv, fields=["campaign_name"],
                       filtering={"campaign_ids": [campaigns[0]["campaign_id"]]}))["list"]  # fmt: skip
    assert one == [{"campaign_name": campaigns[0]["campaign_name"]}]
    error(
        await get(client, "smart_plus/campaign/get/", token, advertiser_id=adv, page_size=1001),
        40002,
        "page_size",
    )
    error(await get(client, "smart_plus/campaign/get/", token, advertiser_id=adv, filtering={"ad_ids": ["1"]}),
          40002, "ad_ids")  # fmt: skip
    groups = ok(await get(client, "smart_plus/adgroup/get/", token, advertiser_id=adv, page_size=1000,
                          filtering=STATUS_ALL))["list"]  # fmt: skip
    upgraded = set(smart_plus.smart_plus_adgroup_ids(emulator.world, adv))
    assert [g["adgroup_id"] for g in groups] == [
        g["adgroup_id"] for g in world.adgroups(adv) if g["adgroup_id"] in upgraded
    ]
    source = {g["adgroup_id"]: g for g in world.adgroups(adv)}
    for row in groups:
        original = source[row["adgroup_id"]]
        assert row["promotion_type"] in ("APP_ANDROID", "WEBSITE", "LEAD_GENERATION")
        assert row["targeting_spec"]["location_ids"] == original["location_ids"]
        assert row["budget"] == original["budget"] and row["modify_time"] == original["modify_time"]
    apps = ok(await get(client, "smart_plus/adgroup/get/", token, advertiser_id=adv,
                        filtering={"promotion_type": "APP_ANDROID", **STATUS_ALL}))["list"]  # fmt: skip
    assert [g["adgroup_id"] for g in apps] == [
        g["adgroup_id"] for g in groups if g["promotion_type"] == "APP_ANDROID"
    ]


async def test_smart_plus_ads_carry_their_creatives(client: httpx.AsyncClient, emulator: Emulator) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    truth = smart_plus.smart_plus_ads(emulator.world, adv)
    ads = {a["ad_id"]: a for a in emulator.world.ads(adv)}
    rows, infos = await all_pages(
        client, "smart_plus/ad/get/", token, 2, advertiser_id=adv, filtering=STATUS_ALL
    )
    assert rows == json.loads(json.dumps(truth)) and infos[-1]["total_page"] == -(-len(truth) // 2)
    assert any(_deleted(r) for r in rows) and any(not _deleted(r) for r in rows)
    assert any(r["modify_time"] is None for r in rows) and any(r["modify_time"] is not None for r in rows)
    members = smart_plus.smart_plus_creatives(emulator.world, adv)
    for row in rows:
        creatives = [ads[i] for i in members[row["smart_plus_ad_id"]] if i in ads]
        assert row["create_time"] == min(c["create_time"] for c in creatives)
        listed = [c for c in creatives if c["secondary_status"] != "AD_STATUS_DELETE"]
        assert [c["ad_material_id"] for c in row["creative_list"]] == [c["ad_id"] for c in listed]
        for item, ad in zip(row["creative_list"], listed, strict=True):
            info = item["creative_info"]
            assert info["video_info"]["video_id"] == ad["video_id"] and info["material_name"] == ad["ad_name"]
            assert [i["web_uri"] for i in info["image_info"]] == ad["image_ids"]
            assert (info["identity_type"], info["identity_id"]) == (ad["identity_type"], ad["identity_id"])
            assert item["material_operation_status"] == (
                "ENABLE" if ad["operation_status"] == "ENABLE" else "DISABLE"
            )
        assert [t["ad_text"] for t in row["ad_text_list"]] == list(
            dict.fromkeys(c["ad_text"] for c in listed)
        )
    default = ok(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv, page_size=100))["list"]
    assert default == [r for r in rows if not _deleted(r)]


async def test_smart_plus_ad_filters_limits_and_fields(client: httpx.AsyncClient, emulator: Emulator) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    truth = json.loads(json.dumps(smart_plus.smart_plus_ads(emulator.world, adv)))
    live = [r for r in truth if not _deleted(r)]
    assert ok(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv, page_size=100))
    error(
        await get(client, "smart_plus/ad/get/", token, advertiser_id=adv, page_size=101), 40002, "page_size"
    )
    wanted = [live[0]["smart_plus_ad_id"], live[-1]["smart_plus_ad_id"]]
    some = ok(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv,
                        filtering={"smart_plus_ad_ids": wanted}))["list"]  # fmt: skip
    assert [r["smart_plus_ad_id"] for r in some] == wanted
    error(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv,
                    filtering={"smart_plus_ad_ids": [str(n) for n in range(101)]}), 40002, "smart_plus_ad_ids")  # fmt: skip
    by_group = ok(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv,
                            filtering={"adgroup_ids": [live[0]["adgroup_id"]]}))["list"]  # fmt: skip
    assert [r["smart_plus_ad_id"] for r in by_group] == [live[0]["smart_plus_ad_id"]]
    known = [r for r in live if r["modify_time"] is not None]
    after = min(r["modify_time"] for r in known)
    recent = ok(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv,
                          filtering={"modified_after": after}))["list"]  # fmt: skip
    assert [r["smart_plus_ad_id"] for r in recent] == [
        r["smart_plus_ad_id"] for r in known
    ]  # null never matches
    goal = emulator.world.adgroups(adv)
    goals = {g["adgroup_id"]: g["optimization_goal"] for g in goal}
    first_goal = goals[live[0]["adgroup_id"]]
    by_goal = ok(await get(client, "smart_plus/ad/get/", token, advertiser_id=adv,
                           filtering={"optimization_goal": first_goal}))["list"]  # fmt: skip
    assert [r["smart_plus_ad_id"] for r in by_goal] == [
        r["smart_plus_ad_id"] for r in live if goals[r["adgroup_id"]] == first_goal
    ]
    slim = ok(
        await get(client, "smart_plus/ad/get/", token, advertiser_id=adv, fields=["ad_name", "identity_type"])
    )
    assert slim["list"][0] == {"advertiser_id": adv, "smart_plus_ad_id": live[0]["smart_plus_ad_id"],
                               "ad_name": live[0]["ad_name"], "ad_configuration": {"identity_type": "CUSTOMIZED_USER"}}  # fmt: skip
    error(
        await get(client, "smart_plus/ad/get/", token, advertiser_id=adv, fields=["budget"]), 40002, "budget"
    )
    error(
        await get(client, "smart_plus/ad/get/", token, advertiser_id=adv, filtering={"ad_ids": ["1"]}),
        40002,
        "ad_ids",
    )


async def test_a_manual_only_account_has_no_smart_plus_objects(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    adv, token = emulator.advertiser_ids[1], emulator.access_token
    manual = not smart_plus.smart_plus_campaign_ids(emulator.world, adv)
    for path in ("smart_plus/campaign/get/", "smart_plus/adgroup/get/", "smart_plus/ad/get/"):
        data = ok(await get(client, path, token, advertiser_id=adv, filtering=STATUS_ALL))
        assert (data["page_info"]["total_number"] == 0) == manual


# ------------------------------------------------------------------------------------------ reports
def _report(emulator: Emulator, dimension: str, *metrics: str, filters: list[dict[str, Any]] | None = None,
            **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"advertiser_id": emulator.advertiser_ids[0], "report_type": "BASIC", "data_level": "AUCTION_AD",
            "dimensions": [dimension, "stat_time_day"], "metrics": list(metrics or ("spend", "impressions")),
            "filtering": [ALL_ADS, *(filters or [])], "page_size": 1000, **_window(emulator), **extra}  # fmt: skip


async def test_ad_id_v2_rows_sum_the_creatives_of_a_smart_plus_ad(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    token = emulator.access_token
    adv = emulator.advertiser_ids[0]
    metrics = (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "campaign_automation_type",
        "ad_id_v2",
        "ad_name",
    )
    creatives = ok(await get(client, REPORT, token, **_report(emulator, "ad_id", *metrics[:-1])))["list"]
    ad_level = ok(await get(client, REPORT, token, **_report(emulator, "ad_id_v2", *metrics)))["list"]
    members = smart_plus.smart_plus_creatives(emulator.world, adv)
    names = {a["smart_plus_ad_id"]: a["ad_name"] for a in smart_plus.smart_plus_ads(emulator.world, adv)}
    expected: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in creatives:
        m = row["metrics"]
        assert m["campaign_automation_type"] in ("MANUAL", "UPGRADED_SMART_PLUS_CREATIVE")
        assert (m["campaign_automation_type"] == "MANUAL") == (m["ad_id_v2"] == row["dimensions"]["ad_id"])
        key = (m["ad_id_v2"], row["dimensions"]["stat_time_day"])
        for name in ("spend", "impressions", "clicks", "conversion"):
            expected[key][name] += Decimal(m[name])
    got = {(r["dimensions"]["ad_id_v2"], r["dimensions"]["stat_time_day"]): r["metrics"] for r in ad_level}
    assert set(got) == set(expected)
    for key, sums in expected.items():
        row = got[key]
        assert {name: Decimal(row[name]) for name in sums} == sums, key
        assert row["ad_id_v2"] == key[0]
        smart = key[0] in members
        assert row["campaign_automation_type"] == ("UPGRADED_SMART_PLUS" if smart else "MANUAL")
        if smart:
            assert row["ad_name"] == names[key[0]]
    assert any(key[0] in members for key in got) and any(key[0] not in members for key in got)
    totals: dict[str, dict[str, Decimal]] = {}
    for dimension in ("ad_id", "ad_id_v2"):  # per day, every level adds up to the same spend
        rows = ok(await get(client, REPORT, token, **_report(emulator, dimension)))["list"]
        per_day: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            per_day[row["dimensions"]["stat_time_day"]] += Decimal(row["metrics"]["spend"])
        totals[dimension] = dict(per_day)
    assert totals["ad_id"] == totals["ad_id_v2"]


async def test_ad_id_v2_rules(client: httpx.AsyncClient, emulator: Emulator) -> None:
    token, adv = emulator.access_token, emulator.advertiser_ids[0]
    both = _report(emulator, "ad_id")
    both["dimensions"] = ["ad_id", "ad_id_v2"]
    error(await get(client, REPORT, token, **both), 40002, "ad_id_v2")
    error(await get(client, REPORT, token, **_report(emulator, "ad_id_v2", data_level="AUCTION_ADGROUP")), 40002,
          "adgroup_id")  # fmt: skip
    error(
        await get(client, REPORT, token, **_report(emulator, "ad_id_v2", "spend", "ad_text")),
        40002,
        "ad_text",
    )
    smart = [a["smart_plus_ad_id"] for a in smart_plus.smart_plus_ads(emulator.world, adv)]
    only = [{"field_name": "ad_ids_v2", "filter_type": "IN", "filter_value": json.dumps(smart[:2])}]
    rows = ok(await get(client, REPORT, token, **_report(emulator, "ad_id_v2", filters=only)))["list"]
    assert rows and {r["dimensions"]["ad_id_v2"] for r in rows} <= set(smart[:2])
    creatives = ok(await get(client, REPORT, token, **_report(emulator, "ad_id", "ad_id_v2", filters=only)))[
        "list"
    ]
    assert creatives and {r["metrics"]["ad_id_v2"] for r in creatives} <= set(smart[:2])
    wide = [
        {
            "field_name": "ad_ids_v2",
            "filter_type": "IN",
            "filter_value": json.dumps([str(n) for n in range(101)]),
        }
    ]
    error(
        await get(client, REPORT, token, **_report(emulator, "ad_id_v2", filters=wide)),
        40002,
        "ad_ids_v2",
        "100",
    )
    not_in = [{"field_name": "ad_ids_v2", "filter_type": "NOT_IN", "filter_value": json.dumps(smart[:1])}]
    error(
        await get(client, REPORT, token, **_report(emulator, "ad_id_v2", filters=not_in)), 40002, "ad_ids_v2"
    )
    upgraded = [{"field_name": "campaign_automation_type", "filter_type": "IN",
                 "filter_value": '["UPGRADED_SMART_PLUS"]'}]  # fmt: skip
    rows = ok(await get(client, REPORT, token, **_report(emulator, "ad_id_v2", "campaign_automation_type",
                                                         filters=upgraded)))["list"]  # fmt: skip
    assert rows and {r["metrics"]["campaign_automation_type"] for r in rows} == {"UPGRADED_SMART_PLUS"}
    bad = [{"field_name": "campaign_automation_type", "filter_type": "IN", "filter_value": '["AUTO"]'}]
    error(await get(client, REPORT, token, **_report(emulator, "ad_id_v2", filters=bad)), 40002,
          "campaign_automation_type")  # fmt: skip


async def test_campaign_and_ad_group_levels_keep_every_creative(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    token = emulator.access_token
    sums: dict[str, Decimal] = {}
    for level, dimension in (("AUCTION_CAMPAIGN", "campaign_id"), ("AUCTION_ADGROUP", "adgroup_id"),
                             ("AUCTION_AD", "ad_id_v2"), ("AUCTION_AD", "ad_id")):  # fmt: skip
        status = {"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
        params = {**_report(emulator, dimension, data_level=level), "filtering": [status, ALL_ADS]}
        rows = ok(await get(client, REPORT, token, **params))["list"]
        sums[dimension] = sum((Decimal(r["metrics"]["spend"]) for r in rows), Decimal())
    assert len(set(sums.values())) == 1 and sums["ad_id"] > 0


async def test_a_task_reports_ad_id_v2_and_refuses_its_filter(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    token, adv = emulator.access_token, emulator.advertiser_ids[0]
    body = {"advertiser_id": adv, "report_type": "BASIC", "data_level": "AUCTION_AD",
            "dimensions": ["ad_id_v2", "stat_time_day"], "metrics": ["spend"], **_window(emulator)}  # fmt: skip
    created = ok(await post(client, "report/task/create/", token, body))
    assert created["task_id"]
    truth = emulator.world.report(adv, report_type="BASIC", data_level="AUCTION_AD", include_deleted=True,
                                  dimensions=["ad_id_v2", "stat_time_day"], metrics=["spend"], synchronous=False,
                                  **_window(emulator))  # fmt: skip
    task = emulator.report_tasks[created["task_id"]]
    assert task.rows == truth.rows() and task.rows
    smart = [a["smart_plus_ad_id"] for a in smart_plus.smart_plus_ads(emulator.world, adv)]
    only = [{"field_name": "ad_ids_v2", "filter_type": "IN", "filter_value": json.dumps(smart[:1])}]
    error(await post(client, "report/task/create/", token, {**body, "filtering": only}), 40002, "ad_ids_v2")


def test_the_20000_ad_cut_keeps_ad_id_v2_consistent(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cap the newest creatives are read, and the ad level sums exactly those (a tiny cap here)."""
    import tiktok_ads_mart.emulator.world as world_module

    monkeypatch.setattr(world_module, "AD_CAP", 20)
    world = world_module.World(small_world(**WORLD))  # its own report cache: nothing computed uncut before
    adv = world.advertiser_ids[0]
    shape = {"report_type": "BASIC", "data_level": "AUCTION_AD", "metrics": ["spend"], **_window(emulator)}
    creative = world.report(adv, dimensions=["ad_id"], **shape)
    ad_level = world.report(adv, dimensions=["ad_id_v2"], **shape)
    assert creative.ads_cut == ad_level.ads_cut > 0
    assert creative.totals() == ad_level.totals()
