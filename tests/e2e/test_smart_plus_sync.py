"""Upgraded Smart+ end to end: its campaigns, ad groups and ads load beside the manual ones with
``campaign_automation_type``, Smart+ ads whose ``modify_time`` is null load, and the ad-level rows by
``ad_id_v2`` add up to the creatives' rows, ad by ad and day by day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import settings_for, static_token
from tiktok_ads_mart.sync import run_sync
from utils import query, snapshot

STREAMS = (
    "campaigns",
    "ad_groups",
    "ads",
    "smart_plus_campaigns",
    "smart_plus_ad_groups",
    "smart_plus_ads",
    "ad_report_daily",
    "ad_v2_report_daily",
)


def test_smart_plus_objects_and_ad_id_v2_rows_add_up(serve: Any, tmp_path: Path) -> None:
    running = serve(advertisers=2, days=10)
    settings = settings_for(running, tmp_path, streams=STREAMS)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    mart = settings.duckdb_path

    types = dict(query(mart, "select campaign_automation_type, count(*) from tiktok.campaigns group by 1"))
    assert types.get("UPGRADED_SMART_PLUS") and types.get("MANUAL"), types
    assert not query(mart, "select 1 from tiktok.ad_groups where campaign_automation_type is null")
    smart_campaigns = set(query(mart, "select advertiser_id, campaign_id from tiktok.campaigns "
                                "where campaign_automation_type = 'UPGRADED_SMART_PLUS'"))  # fmt: skip
    assert (
        set(query(mart, "select advertiser_id, campaign_id from tiktok.smart_plus_campaigns"))
        == smart_campaigns
    )
    smart_groups = set(query(mart, "select advertiser_id, adgroup_id from tiktok.ad_groups "
                             "where campaign_automation_type = 'UPGRADED_SMART_PLUS'"))  # fmt: skip
    assert (
        set(query(mart, "select advertiser_id, adgroup_id from tiktok.smart_plus_ad_groups")) == smart_groups
    )

    # the creatives of a Smart+ ad are rows of `ads`; the Smart+ ads themselves are their own table
    creatives_of = set(query(mart, "select advertiser_id, smart_plus_ad_id from tiktok.ads "
                             "where campaign_automation_type = 'UPGRADED_SMART_PLUS_CREATIVE'"))  # fmt: skip
    smart_ads = set(query(mart, "select advertiser_id, smart_plus_ad_id from tiktok.smart_plus_ads"))
    assert creatives_of and creatives_of <= smart_ads
    nulls = query(mart, "select count(*) from tiktok.smart_plus_ads where modify_time is null")[0][0]
    assert nulls > 0  # loaded all the same

    # ad_id_v2 rows: a Smart+ ad is the sum of its creatives, a manual ad its own row
    per_creative = query(
        mart,
        "select r.advertiser_id, coalesce(a.smart_plus_ad_id, r.ad_id), r.stat_time_day, sum(r.spend), "
        "sum(r.impressions), sum(r.clicks) from tiktok.ad_report_daily r join tiktok.ads a "
        "on a.advertiser_id = r.advertiser_id and a.ad_id = r.ad_id group by 1, 2, 3",
    )
    per_v2 = query(mart, "select advertiser_id, ad_id_v2, stat_time_day, spend, impressions, clicks "
                   "from tiktok.ad_v2_report_daily")  # fmt: skip
    assert per_creative and {r[:3]: r[3:] for r in per_v2} == {r[:3]: r[3:] for r in per_creative}
    assert {v for _, v in smart_ads} & {r[1] for r in per_v2}

    before = snapshot(mart)
    assert run_sync(settings, token_source=static_token(running)).exit_code == 0
    assert snapshot(mart) == before
