"""What TikTok documents and its official SDK sends to the entity endpoints and any endpoint's
parameters: ``campaign_automation_type`` on campaign/get and adgroup/get (docs 1739315828649986,
1739314558673922), blank optional strings (the SDK's ``file_name=' '``) and lists sent as JSON strings.
Ground truth is the world's objects."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_support import error, get, ok, post

from tiktok_ads_mart.emulator import Emulator


def _filter(field: str, kind: str, values: list[str]) -> dict[str, Any]:
    return {"field_name": field, "filter_type": kind, "filter_value": json.dumps(values)}


# ------------------------------------------------------------------------------ campaign_automation_type
@pytest.mark.parametrize(("endpoint", "kind"), [("campaign/get/", "campaigns"), ("adgroup/get/", "adgroups")])
async def test_campaign_automation_type_splits_manual_and_upgraded_smart_plus(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, endpoint: str, kind: str
) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    every = getattr(emulator_app.world, kind)(adv)
    live = [
        o
        for o in every
        if "DELETE" not in str(o.get("secondary_status")) and o["operation_status"] != "DELETE"
    ]
    assert {o["campaign_automation_type"] for o in live} == {"MANUAL", "UPGRADED_SMART_PLUS"}
    for automation in ("MANUAL", "UPGRADED_SMART_PLUS"):
        some = ok(await get(asgi_client, endpoint, token, advertiser_id=adv, page_size=1000,
                            filtering={"campaign_automation_type": automation}))  # fmt: skip
        expected = [o for o in live if o["campaign_automation_type"] == automation]
        assert some["list"] == json.loads(json.dumps(expected)) and expected
    none = ok(await get(asgi_client, endpoint, token, advertiser_id=adv,
                        filtering={"campaign_automation_type": "SMART_PLUS"}))  # fmt: skip
    assert none["list"] == [] and none["page_info"]["total_number"] == 0  # no legacy Smart+ campaigns
    for bad in ("AUTOMATIC", ["MANUAL"]):
        error(await get(asgi_client, endpoint, token, advertiser_id=adv,
                        filtering={"campaign_automation_type": bad}), 40002, "campaign_automation_type")  # fmt: skip


async def test_ad_get_has_no_campaign_automation_type_filter(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    answer = await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=emulator_app.advertiser_ids[0],
                       filtering={"campaign_automation_type": "MANUAL"})  # fmt: skip
    error(answer, 40002, "campaign_automation_type", "ad/get/")


# ------------------------------------------------------------------------- blanks and lists as strings
async def test_blank_optional_strings_count_as_not_sent(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    plain = ok(await get(asgi_client, "campaign/get/", token, advertiser_id=adv))
    blank = ok(await get(asgi_client, "campaign/get/", token, advertiser_id=adv, page=" ", page_size=" ",
                         filtering={"campaign_name": " ", "primary_status": ""}))  # fmt: skip
    assert blank == plain and plain["page_info"]["page_size"] == 10
    error(await get(asgi_client, "campaign/get/", token, advertiser_id="  "), 40002, "advertiser_id")


async def test_lists_sent_as_json_strings(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    campaigns = [c["campaign_id"] for c in emulator_app.world.campaigns(adv)][:2]
    as_list = ok(await get(asgi_client, "campaign/get/", token, advertiser_id=adv,
                           filtering={"campaign_ids": campaigns, "buying_types": ["AUCTION"]}))  # fmt: skip
    as_text = ok(await get(asgi_client, "campaign/get/", token, advertiser_id=adv,
                           filtering={"campaign_ids": json.dumps(campaigns),
                                      "buying_types": json.dumps(["AUCTION"])}))  # fmt: skip
    assert as_text == as_list and [c["campaign_id"] for c in as_list["list"]] == campaigns
    body = {"advertiser_id": adv, "report_type": "BASIC", "data_level": "AUCTION_CAMPAIGN",
            "dimensions": json.dumps(["campaign_id"]), "metrics": json.dumps(["spend"]),
            "query_lifetime": "True", "filtering": json.dumps([_filter("campaign_ids", "IN", campaigns)]),
            "output_format": "CSV_DOWNLOAD", "enable_report_title_translation": "false"}  # fmt: skip
    task_id = ok(await post(asgi_client, "report/task/create/", token, body))["task_id"]
    task = emulator_app.report_tasks[task_id]
    assert task.columns == ["campaign_id", "spend"]
    assert {row["dimensions"]["campaign_id"] for row in task.rows} <= set(campaigns)
