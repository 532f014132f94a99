"""GMV Max (TikTok Shop) and the ads' creatives, loaded end to end against the emulator's ground truth:
equal to it, a rerun adds nothing and asks for no asset twice, and the total spend per day adds up."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import settings_for, static_token
from tiktok_ads_mart.emulator import creatives, gmv_max
from tiktok_ads_mart.sync import run_sync
from utils import query, snapshot

GMV_MAX = (
    "gmv_max_stores",
    "gmv_max_campaigns",
    "gmv_max_campaign_details",
    "gmv_max_product_campaign_report_daily",
    "gmv_max_live_campaign_report_daily",
    "gmv_max_product_report_daily",
)
CREATIVES = ("ads", "videos", "images", "identities", "pixels")

TOTAL_SPEND_PER_DAY = """
SELECT advertiser_id, day, sum(spend) AS spend FROM (
    SELECT advertiser_id, stat_time_day AS day, spend FROM tiktok.advertiser_report_daily
    UNION ALL
    SELECT advertiser_id, stat_time_day, cost FROM tiktok.gmv_max_product_campaign_report_daily
    UNION ALL
    SELECT advertiser_id, stat_time_day, cost FROM tiktok.gmv_max_live_campaign_report_daily
) GROUP BY 1, 2
"""
"""docs/sync.md's query: TikTok spend per advertiser and day, auction and GMV Max together."""


def _sync(running: Any, tmp_path: Path, streams: tuple[str, ...], name: str = "mart") -> Any:
    settings = settings_for(running, tmp_path, name, streams=streams)
    result = run_sync(settings, token_source=static_token(running))
    assert result.exit_code == 0, result
    return settings.duckdb_path


def test_gmv_max_loads_as_the_emulator_has_it_and_total_spend_adds_up(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2, days=20)
    world = running.emulator.world
    mart = _sync(running, tmp_path, (*GMV_MAX, "advertiser_report_daily"))
    both_spent = 0
    for adv in running.advertiser_ids:
        stores = {(s["store_id"], s["is_gmv_max_available"]) for s in gmv_max.stores(world, adv)}
        loaded = query(
            mart,
            "select store_id, is_gmv_max_available from tiktok.gmv_max_stores where advertiser_id = ?",
            [adv],
        )
        assert set(loaded) == stores
        truth = {c["campaign_id"]: c for c in gmv_max.campaigns(world, adv)}
        rows = query(
            mart,
            "select campaign_id, is_deleted from tiktok.gmv_max_campaigns where advertiser_id = ?",
            [adv],
        )
        assert {c: d for c, d in rows} == {
            c: t["secondary_status"].endswith("_DELETE") for c, t in truth.items()
        }
        details = query(mart, "select campaign_id, store_id, shopping_ads_type from tiktok.gmv_max_campaign_details "
                        "where advertiser_id = ?", [adv])  # fmt: skip
        assert {c: (s, t) for c, s, t in details} == {
            c: (t["store_id"], t["promotion_type"].removesuffix("_GMV_MAX")) for c, t in truth.items()
        }

        # every campaign-day, deleted campaigns too, exactly as the emulator delivered it
        expected = {
            (campaign, day): (m.cost, m.orders, m.gross_revenue, m.roi)
            for campaign, days in gmv_max.campaign_daily(world, adv).items()
            for day, m in days.items()
        }
        loaded_rows = {}
        for kind in ("product", "live"):
            loaded_rows.update({
                (c, d): (cost, orders, revenue, roi)
                for c, d, cost, orders, revenue, roi in query(
                    mart, f"select campaign_id, stat_time_day, cost, orders, gross_revenue, roi "
                    f"from tiktok.gmv_max_{kind}_campaign_report_daily where advertiser_id = ?", [adv])
            })  # fmt: skip
        assert loaded_rows == {key: value for key, value in expected.items() if key in loaded_rows}
        assert {key for key, value in expected.items() if value[0]} <= set(loaded_rows)  # no spend left out

        # products add up to their campaign, day by day
        products = query(mart, "select campaign_id, stat_time_day, sum(cost), sum(orders), sum(gross_revenue) "
                         "from tiktok.gmv_max_product_report_daily where advertiser_id = ? group by 1, 2", [adv])  # fmt: skip
        for campaign, day, cost, orders, revenue in products:
            assert (cost, orders, revenue) == loaded_rows[(campaign, day)][:3]

        # total TikTok spend per day: the BASIC advertiser report leaves GMV Max out, so the two add up
        basic = dict(
            query(
                mart,
                "select stat_time_day, spend from tiktok.advertiser_report_daily where advertiser_id = ?",
                [adv],
            )
        )
        total = {day: spend for a, day, spend in query(mart, TOTAL_SPEND_PER_DAY) if a == adv}
        shop = {day: cost for day, cost in gmv_max.daily_cost(world, adv).items() if day in total or cost}
        assert set(total) == set(basic) | set(shop)
        for day, spend in total.items():
            assert spend == basic.get(day, Decimal(0)) + shop.get(day, Decimal(0)), day
        both_spent += sum(1 for day in total if basic.get(day) and shop.get(day))
    assert both_spent > 0  # days with auction and GMV Max spend were checked
    assert any(gmv_max.daily_cost(world, adv) for adv in running.advertiser_ids)

    before = snapshot(mart)
    requests = running.emulator.stats()["requests"]
    _sync(running, tmp_path, (*GMV_MAX, "advertiser_report_daily"))
    assert snapshot(mart) == before  # merged on keys: a rerun adds no row
    assert running.emulator.stats()["requests"]["gmv_max/store/list/"] == 2 * requests["gmv_max/store/list/"]
    # a campaign's details change (budget, ROI target): asked for again every run, unlike assets
    assert (
        running.emulator.stats()["requests"]["campaign/gmv_max/info/"]
        == 2 * requests["campaign/gmv_max/info/"]
    )


def test_creatives_load_once_and_match_the_ads(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2, days=30)
    world, today = running.emulator.world, running.emulator.now
    running.emulator.set_now(today - timedelta(days=25))  # fewer ads exist yet
    mart = _sync(running, tmp_path, CREATIVES)
    for adv in running.advertiser_ids:
        used = set(query(mart, "select video_id from tiktok.ads where advertiser_id = ?", [adv]))
        truth = creatives.videos(world, adv)
        rows = query(mart, "select video_id, duration, size, width, height, preview_url, video_cover_url, "
                     "file_name, create_time from tiktok.videos where advertiser_id = ?", [adv])  # fmt: skip
        assert {(r[0],) for r in rows} == used
        for video_id, duration, size, width, height, preview, cover, file_name, created in rows:
            want = truth[video_id]
            assert (Decimal(str(want["duration"])), want["size"], want["width"], want["height"]) == (
                duration, size, width, height)  # fmt: skip
            assert (preview, cover, file_name) == (
                want["preview_url"],
                want["video_cover_url"],
                want["file_name"],
            )
            assert created.strftime("%Y-%m-%dT%H:%M:%SZ") == want["create_time"]
        image_ids = {i for (ids,) in query(mart, "select image_ids from tiktok.ads where advertiser_id = ?", [adv])
                     for i in _json_list(ids)}  # fmt: skip
        images = {
            i for (i,) in query(mart, "select image_id from tiktok.images where advertiser_id = ?", [adv])
        }
        assert images == image_ids and images <= set(creatives.images(world, adv))
        identities = set(
            query(
                mart,
                "select identity_id, identity_type from tiktok.identities where advertiser_id = ?",
                [adv],
            )
        )
        assert identities == {
            (i["identity_id"], i["identity_type"]) for i in creatives.identities(world, adv)
        }
        ad_identities = set(
            query(mart, "select identity_id, identity_type from tiktok.ads where advertiser_id = ?", [adv])
        )
        assert ad_identities <= identities
        pixels = {
            p for (p,) in query(mart, "select pixel_id from tiktok.pixels where advertiser_id = ?", [adv])
        }
        assert pixels == {p["pixel_id"] for p in creatives.pixels(world, adv)}
    assert query(mart, "select count(*) from tiktok.images")[0][0] > 0

    # a rerun lists the ads again and asks for no video or image it loaded before
    before = snapshot(mart)
    asked = dict(running.emulator.stats()["requests"])
    _sync(running, tmp_path, CREATIVES)
    now_asked = running.emulator.stats()["requests"]
    assert now_asked["file/video/ad/info/"] == asked["file/video/ad/info/"]
    assert now_asked["file/image/ad/info/"] == asked["file/image/ad/info/"]
    assert now_asked["ad/get/"] > asked["ad/get/"]
    assert snapshot(mart) == before

    # the ads created since: only their videos are asked for, at most 60 a request
    old = {v for (v,) in query(mart, "select video_id from tiktok.videos")}
    running.emulator.set_now(today)
    _sync(running, tmp_path, CREATIVES)
    new_per_advertiser = []
    for adv in running.advertiser_ids:
        used = {v for (v,) in query(mart, "select video_id from tiktok.ads where advertiser_id = ?", [adv])}
        loaded = {
            v for (v,) in query(mart, "select video_id from tiktok.videos where advertiser_id = ?", [adv])
        }
        assert loaded == used
        new_per_advertiser.append(len(used - old))
    assert sum(new_per_advertiser) > 0
    asked_again = (
        running.emulator.stats()["requests"]["file/video/ad/info/"] - now_asked["file/video/ad/info/"]
    )
    assert asked_again == sum(math.ceil(n / 60) for n in new_per_advertiser)


def test_videos_alone_list_the_ads_themselves(serve: Any, tmp_path: Path) -> None:
    """Without the ads stream in the run, the ids come from a listing of ads' ids, not from nowhere."""
    running = serve(advertisers=1, days=5)
    mart = _sync(running, tmp_path, ("videos",))
    world = running.emulator.world
    adv = running.advertiser_ids[0]
    loaded = {v for (v,) in query(mart, "select video_id from tiktok.videos")}
    assert loaded and loaded <= set(creatives.videos(world, adv))
    assert len(loaded) == len({ad["video_id"] for ad in world.ads(adv)})


def _json_list(text: str | None) -> list[str]:
    import orjson

    return [str(v) for v in orjson.loads(text)] if text else []
