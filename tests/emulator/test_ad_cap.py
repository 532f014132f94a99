"""The 20,000-ad cut-off of synchronous reports (doc 1740302848100353, FAQ doc 1738864850353154): the
newest 20,000 ads of the scope by creation time, the X-Tt-Ads-Throttle header, at most 100 filter ids;
asynchronous tasks are not cut."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_support import error, ok

from conftest import asgi_client_for, small_world

BIG = {"advertisers": 1, "days": 2, "campaigns_per_advertiser": 100, "adgroups_per_campaign": 10,
       "ads_per_adgroup": 30}  # fmt: skip
HEADER = "x-tt-ads-throttle"


@pytest.fixture(scope="module")
def big() -> Iterator[Any]:
    from tiktok_ads_mart.emulator import Emulator

    emulator = Emulator(small_world(**BIG))
    yield emulator
    emulator.close()


def _params(emulator: Any, level: str, dimension: str, **extra: Any) -> dict[str, Any]:
    day = emulator.now.date().isoformat()
    return {"advertiser_id": emulator.advertiser_ids[0], "report_type": "BASIC", "data_level": level,
            "dimensions": json.dumps([dimension]), "metrics": json.dumps(["spend", "impressions"]),
            "start_date": day, "end_date": day, "page_size": 1000, **extra}  # fmt: skip


def _ids_with_rows(emulator: Any, synchronous: bool) -> set[str]:
    result = emulator.world.report(
        emulator.advertiser_ids[0], report_type="BASIC", data_level="AUCTION_AD", dimensions=["ad_id"],
        metrics=["impressions"], start_date=emulator.now.date().isoformat(),
        end_date=emulator.now.date().isoformat(), synchronous=synchronous,
    )  # fmt: skip
    return {row["dimensions"]["ad_id"] for row in result.page(1, max(1, result.total))}


async def test_a_big_account_is_cut_to_its_newest_20000_ads_with_the_header(big: Any) -> None:
    async with asgi_client_for(big) as client:
        answer = await client.get("report/integrated/get/", params=_params(big, "AUCTION_AD", "ad_id"),
                                  headers={"Access-Token": big.access_token})  # fmt: skip
    ok(answer.json())
    assert "only return the top 20k" in answer.headers[HEADER]
    ads = big.world.ads(big.advertiser_ids[0])
    live = [
        a
        for a in ads
        if a["operation_status"] != "DELETE" and a.get("secondary_status") != "AD_STATUS_DELETE"
    ]
    assert len(live) > 20_000
    cut, whole = _ids_with_rows(big, True), _ids_with_rows(big, False)
    assert cut < whole  # the async task reads every ad; the sync report leaves some out
    created = {a["ad_id"]: a["create_time"] for a in ads}
    assert min(created[i] for i in cut) >= max(created[i] for i in whole - cut)  # the newest are kept


async def test_a_filter_under_the_cap_has_no_header_and_more_than_100_ids_is_40002(big: Any) -> None:
    campaigns = [c["campaign_id"] for c in big.world.campaigns(big.advertiser_ids[0])]
    narrow = [{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": json.dumps(campaigns[:10])}]
    wide = [
        {
            "field_name": "campaign_ids",
            "filter_type": "IN",
            "filter_value": json.dumps([str(n) for n in range(101)]),
        }
    ]
    async with asgi_client_for(big) as client:
        token = {"Access-Token": big.access_token}
        fine = await client.get("report/integrated/get/",
                                params=_params(big, "AUCTION_AD", "ad_id", filtering=json.dumps(narrow)), headers=token)  # fmt: skip
        refused = await client.get("report/integrated/get/",
                                   params=_params(big, "AUCTION_AD", "ad_id", filtering=json.dumps(wide)), headers=token)  # fmt: skip
    ok(fine.json())
    assert HEADER not in fine.headers
    error(refused.json(), 40002, "campaign_ids", "at most 100")
