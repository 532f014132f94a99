"""The report filter types on id filters (doc 1740302848100353): IN (exact), NOT_IN (exact, none of) and
CONTAIN_ANY_OF (fuzzy: the id contains one of the values). Ground truth is the world's report computed
with plain IN lists of the ids each filter should keep."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_support import error, get, ok

from tiktok_ads_mart.emulator import Emulator

PATH = "report/integrated/get/"
WINDOW = {"start_date": "2026-02-10", "end_date": "2026-02-25"}


def _report(
    emulator: Emulator, level: str, dimension: str, filtering: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "advertiser_id": emulator.advertiser_ids[0],
        "report_type": "BASIC",
        "data_level": level,
        "dimensions": [dimension, "stat_time_day"],
        "metrics": ["spend", "impressions", "clicks"],
        "filtering": filtering,
        "page_size": 1000,
        **WINDOW,
    }


def _truth(
    emulator: Emulator, level: str, dimension: str, kept: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The world's report with plain IN lists (``{field: ids}``), the path NOT_IN must agree with."""
    result = emulator.world.report(
        emulator.advertiser_ids[0], report_type="BASIC", data_level=level,
        dimensions=[dimension, "stat_time_day"], metrics=["spend", "impressions", "clicks"],
        filters=kept, **WINDOW,
    )  # fmt: skip
    rows: list[dict[str, Any]] = result.rows()
    return rows


def _filter(field: str, kind: str, values: list[str]) -> dict[str, str]:
    return {"field_name": field, "filter_type": kind, "filter_value": json.dumps(values)}


async def test_not_in_keeps_every_other_campaign(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    campaigns = [c["campaign_id"] for c in emulator_app.world.campaigns(adv)]
    left_out, others = campaigns[:1], campaigns[1:]
    filtering = [_filter("campaign_ids", "NOT_IN", left_out)]
    answer = ok(await get(asgi_client, PATH, emulator_app.access_token,
                          **_report(emulator_app, "AUCTION_AD", "ad_id", filtering)))  # fmt: skip
    assert answer["list"] == _truth(emulator_app, "AUCTION_AD", "ad_id", {"campaign_ids": others})
    left_out_ads = {a["ad_id"] for a in emulator_app.world.ads(adv) if a["campaign_id"] in left_out}
    assert left_out_ads and not left_out_ads & {r["dimensions"]["ad_id"] for r in answer["list"]}
    assert answer["list"]  # the other campaigns have rows


async def test_not_in_across_levels_and_with_in_on_the_same_field(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    adgroups = [g["adgroup_id"] for g in emulator_app.world.adgroups(adv)]
    filtering = [_filter("adgroup_ids", "NOT_IN", adgroups[:2]), _filter("adgroup_ids", "IN", adgroups[1:4])]
    answer = ok(await get(asgi_client, PATH, emulator_app.access_token,
                          **_report(emulator_app, "AUCTION_CAMPAIGN", "campaign_id", filtering)))  # fmt: skip
    both = adgroups[2:4]  # in the IN list and not in the NOT_IN list
    assert answer["list"] == _truth(emulator_app, "AUCTION_CAMPAIGN", "campaign_id", {"adgroup_ids": both})


async def test_contain_any_of_keeps_ids_containing_a_fragment(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    ads = [a["ad_id"] for a in emulator_app.world.ads(adv)]
    fragments = [ads[0][-6:], ads[5][3:9]]
    expected = [i for i in ads if any(f in i for f in fragments)]
    assert 2 <= len(expected) < len(ads)
    filtering = [_filter("ad_ids", "CONTAIN_ANY_OF", fragments)]
    answer = ok(await get(asgi_client, PATH, emulator_app.access_token,
                          **_report(emulator_app, "AUCTION_AD", "ad_id", filtering)))  # fmt: skip
    assert answer["list"] == _truth(emulator_app, "AUCTION_AD", "ad_id", {"ad_ids": expected})
    assert {r["dimensions"]["ad_id"] for r in answer["list"]} <= set(expected)


async def test_a_filter_that_keeps_nothing_is_an_empty_report(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    every = [c["campaign_id"] for c in emulator_app.world.campaigns(adv)]
    for filtering in (
        [_filter("campaign_ids", "NOT_IN", every)],
        [_filter("ad_ids", "CONTAIN_ANY_OF", ["x"])],
    ):
        answer = ok(await get(asgi_client, PATH, emulator_app.access_token,
                              **_report(emulator_app, "AUCTION_AD", "ad_id", filtering)))  # fmt: skip
        assert answer["list"] == [] and answer["page_info"]["total_number"] == 0


@pytest.mark.parametrize(
    ("filtering", "words"),
    [
        ([_filter("campaign_ids", "NOT_IN", [str(n) for n in range(101)])], ["campaign_ids", "at most 100"]),
        ([_filter("ad_ids", "CONTAIN_ANY_OF", [])], ["ad_ids", "non-empty"]),
        ([_filter("ad_ids", "CONTAIN_ANY_OF", [" "])], ["ad_ids", "non-blank"]),
        ([{"field_name": "ad_ids", "filter_type": "NOT_IN", "filter_value": "1"}], ["JSON-array"]),
        ([{"field_name": "ad_ids", "filter_type": "MATCH", "filter_value": "1"}], ["ad_ids", "NOT_IN"]),
        (
            [{"field_name": "ad_ids", "filter_type": "LIKE", "filter_value": "1"}],
            ["filter_type", "CONTAIN_ANY_OF"],
        ),
    ],
)
async def test_bad_id_filters_are_40002(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, filtering: list[dict[str, Any]], words: list[str]
) -> None:
    answer = await get(asgi_client, PATH, emulator_app.access_token,
                       **_report(emulator_app, "AUCTION_AD", "ad_id", filtering))  # fmt: skip
    error(answer, 40002, *words)
