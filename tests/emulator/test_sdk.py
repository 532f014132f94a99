"""TikTok's official Python SDK (``tiktok-business-api-sdk-official``, import name ``business_api_client``)
against the emulator: every endpoint the emulator serves that the SDK has a method for, called the way
the SDK calls it (its models' defaults included), with the answers checked against the emulator's world.

The SDK has no method for ``oauth2/refresh_token/``, ``oauth2/revoke_token/`` or
``report/task/download/``; :func:`test_every_route_is_covered_or_has_no_sdk_method` keeps that list
honest as routes are added. The SDK's host is the server root (its paths carry ``/open_api/v1.3/``).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

sdk = pytest.importorskip("business_api_client")
from business_api_client.tiktok_business.tiktok_exceptions import TiktokSDKError  # noqa: E402

from tiktok_ads_mart.emulator.app import ROUTES  # noqa: E402
from tiktok_ads_mart.emulator.report_endpoints import translated_title  # noqa: E402

SDK_METHODS = {
    "oauth2/access_token/": "AuthenticationApi.oauth2_access_token",
    "oauth2/advertiser/get/": "AuthenticationApi.oauth2_advertiser_get",
    "advertiser/info/": "AccountManagementApi.advertiser_info",
    "campaign/get/": "CampaignCreationApi.campaign_get",
    "adgroup/get/": "AdgroupApi.adgroup_get",
    "ad/get/": "AdApi.ad_get",
    "dmp/custom_audience/list/": "AudienceApi.dmp_custom_audience_list",
    "dmp/custom_audience/get/": "AudienceApi.dmp_custom_audience_get",
    "report/integrated/get/": "ReportingApi.report_integrated_get",
    "report/task/create/": "ReportingApi.report_task_create",
    "report/task/check/": "ReportingApi.report_task_check",
    "report/task/cancel/": "ReportingApi.report_task_cancel",
    "file/video/ad/info/": "FileApi.ad_video_info",
    "file/image/ad/info/": "FileApi.file_image_ad_info",
    "identity/get/": "IdentityApi.identity_get",
    "pixel/list/": "MeasurementApi.pixel_list",
    "smart_plus/campaign/get/": "CampaignCreationApi.smart_plus_campaign_get",
    "smart_plus/adgroup/get/": "AdgroupApi.smart_plus_adgroup_get",
    "smart_plus/ad/get/": "AdApi.smart_plus_ad_get",
    "gmv_max/store/list/": "StoreApi.gmv_max_store_list",
    "campaign/gmv_max/info/": "CampaignCreationApi.campaign_gmv_max_info",
    "gmv_max/report/get/": "ReportingApi.gmv_max_report_get",
}
# The SDK (1.1.3) has no method for gmv_max/campaign/get/.
NO_SDK_METHOD = {
    "oauth2/refresh_token/",
    "oauth2/revoke_token/",
    "report/task/download/",
    "gmv_max/campaign/get/",
}
STATUS_ALL = [{"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}]


def _json(value: Any) -> Any:
    """What the world's objects look like once on the wire."""
    return orjson.loads(orjson.dumps(value))


@pytest.fixture
def api(live_emulator: Any) -> Iterator[Any]:
    """An SDK client configured as its README says, with the emulator's root as the host."""
    configuration = sdk.Configuration()
    configuration.host = live_emulator.root_url.rstrip("/")
    client = sdk.ApiClient(configuration)
    yield client
    client.pool.close()
    client.pool.join()


def test_every_route_is_covered_or_has_no_sdk_method() -> None:
    served = {route.path for route in ROUTES}
    assert served == set(SDK_METHODS) | NO_SDK_METHOD
    sources = "".join(p.read_text() for p in Path(sdk.__file__).parent.joinpath("api").glob("*.py"))
    for path in SDK_METHODS:
        assert f"'/open_api/v1.3/{path}'" in sources, path
    for path in NO_SDK_METHOD:
        assert f"'/open_api/v1.3/{path}'" not in sources, path


def test_oauth_advertisers_and_a_token_from_an_auth_code(api: Any, live_emulator: Any) -> None:
    world = live_emulator.emulator.world
    auth = sdk.AuthenticationApi(api)
    listed = auth.oauth2_advertiser_get(
        live_emulator.app_id, live_emulator.secret, live_emulator.access_token
    )
    assert listed["data"]["list"] == [
        {"advertiser_id": a["advertiser_id"], "advertiser_name": a["name"]} for a in world.advertisers()
    ]
    redirect = "http://localhost:8080/callback"
    form = {"app_id": live_emulator.app_id, "state": "s1", "redirect_uri": redirect, "decision": "authorize"}
    consent = httpx.post(live_emulator.root_url + "portal/auth/decision", data=form)
    assert consent.status_code == 302
    code = parse_qs(urlsplit(consent.headers["location"]).query)["auth_code"][0]
    body = sdk.Oauth2AccessTokenBody(app_id=live_emulator.app_id, auth_code=code, secret=live_emulator.secret)
    granted = auth.oauth2_access_token(body=body)["data"]
    assert granted["advertiser_ids"] == live_emulator.advertiser_ids
    info = sdk.AccountManagementApi(api).advertiser_info(
        live_emulator.advertiser_ids, granted["access_token"], fields=["advertiser_id", "name", "currency"]
    )
    assert info["data"]["list"] == [
        {"advertiser_id": a["advertiser_id"], "name": a["name"], "currency": a["currency"]}
        for a in world.advertisers()
    ]
    with pytest.raises(TiktokSDKError, match="40110"):  # an auth code is single-use
        auth.oauth2_access_token(body=body)


def test_campaigns_ad_groups_and_ads(api: Any, live_emulator: Any) -> None:
    world, token = live_emulator.emulator.world, live_emulator.access_token
    adv = live_emulator.advertiser_ids[0]
    campaigns = sdk.CampaignCreationApi(api).campaign_get(
        adv, token, page_size=1000, filtering=sdk.FilteringCampaignGet(primary_status="STATUS_ALL")
    )["data"]
    assert campaigns["list"] == _json(world.campaigns(adv))
    assert campaigns["page_info"]["total_number"] == len(world.campaigns(adv))
    manual = sdk.CampaignCreationApi(api).campaign_get(
        adv,
        token,
        page_size=1000,
        filtering={"campaign_automation_type": "MANUAL", "primary_status": "STATUS_ALL"},
    )["data"]
    assert manual["list"] == [c for c in campaigns["list"] if c["campaign_automation_type"] == "MANUAL"]
    assert manual["list"] != campaigns["list"]  # the first account has an Upgraded Smart+ campaign
    campaign_id = world.campaigns(adv)[0]["campaign_id"]
    adgroups = sdk.AdgroupApi(api).adgroup_get(  # the model sends primary_status STATUS_NOT_DELETE
        adv, token, page_size=1000, filtering=sdk.FilteringAdgroupGet(campaign_ids=[campaign_id])
    )["data"]["list"]
    expected = [g for g in world.adgroups(adv) if g["campaign_id"] == campaign_id and "DELETE" not in
                f"{g['secondary_status']} {g['operation_status']}"]  # fmt: skip
    assert adgroups == _json(expected) and adgroups
    adgroup_id = adgroups[0]["adgroup_id"]
    fields = ["ad_id", "ad_name", "adgroup_id"]
    ads = sdk.AdApi(api).ad_get(
        adv,
        token,
        fields=fields,
        filtering=sdk.FilteringAdGet(adgroup_ids=[adgroup_id], primary_status="STATUS_ALL"),
    )["data"]["list"]
    assert ads == [{f: a[f] for f in fields} for a in world.ads(adv) if a["adgroup_id"] == adgroup_id] and ads


def test_custom_audiences(api: Any, live_emulator: Any) -> None:
    world, token = live_emulator.emulator.world, live_emulator.access_token
    adv = live_emulator.advertiser_ids[1]
    audiences = sdk.AudienceApi(api)
    listed = audiences.dmp_custom_audience_list(adv, token, page=1, page_size=100)["data"]
    assert listed["list"] == _json(list(world.audiences(adv))) and listed["list"]
    wanted = [a["audience_id"] for a in listed["list"][:2]]
    details = audiences.dmp_custom_audience_get(adv, wanted, token, history_size=3)["data"]["list"]
    assert [d["audience_details"]["audience_id"] for d in details] == wanted
    for audience_id, row in zip(wanted, details, strict=True):
        assert row["audience_history"] == _json(list(world.audience_history(adv, audience_id))[:3])


def test_assets_identities_and_pixels(api: Any, live_emulator: Any) -> None:
    from tiktok_ads_mart.emulator import creatives

    world, token = live_emulator.emulator.world, live_emulator.access_token
    adv = live_emulator.advertiser_ids[0]
    ads = world.ads(adv)
    files = sdk.FileApi(api)
    video_ids = [a["video_id"] for a in ads]
    videos = files.ad_video_info(adv, video_ids, token)["data"]["list"]
    assert {v["video_id"]: v for v in videos} == {i: creatives.videos(world, adv)[i] for i in video_ids}
    image_ids = [i for a in ads for i in a["image_ids"]]
    images = files.file_image_ad_info(adv, image_ids, token)["data"]["list"]
    assert [i["image_id"] for i in images] == image_ids and image_ids
    identities = sdk.IdentityApi(api)
    listed = identities.identity_get(adv, token, page=1, page_size=100)["data"]["identity_list"]
    assert listed == _json(creatives.identities(world, adv))
    bc_id = listed[-1]["identity_authorized_bc_id"]
    bc = identities.identity_get(adv, token, identity_type="BC_AUTH_TT", identity_authorized_bc_id=bc_id)
    assert bc["data"]["identity_list"] == listed[-1:]
    pixels = sdk.MeasurementApi(api).pixel_list(adv, token, page=1, page_size=20)["data"]["pixels"]
    assert pixels == _json(creatives.pixels(world, adv))


def test_upgraded_smart_plus(api: Any, live_emulator: Any) -> None:
    from tiktok_ads_mart.emulator import smart_plus

    world, token = live_emulator.emulator.world, live_emulator.access_token
    adv = live_emulator.advertiser_ids[0]
    campaign_ids = smart_plus.smart_plus_campaign_ids(world, adv)
    campaigns = sdk.CampaignCreationApi(api).smart_plus_campaign_get(
        adv, token, page_size=1000, filtering=sdk.FilteringSmartPlusCampaignGet(primary_status="STATUS_ALL")
    )["data"]["list"]
    assert [c["campaign_id"] for c in campaigns] == campaign_ids and campaigns
    adgroups = sdk.AdgroupApi(api).smart_plus_adgroup_get(
        adv, token, page_size=1000,
        filtering=sdk.FilteringSmartPlusAdgroupGet(campaign_ids=campaign_ids, primary_status="STATUS_ALL"),
    )["data"]["list"]  # fmt: skip
    assert [g["adgroup_id"] for g in adgroups] == smart_plus.smart_plus_adgroup_ids(world, adv) and adgroups
    truth = _json(smart_plus.smart_plus_ads(world, adv))
    ads = sdk.AdApi(api).smart_plus_ad_get(
        adv, token, page_size=100,
        filtering=sdk.FilteringSmartPlusAdGet(smart_plus_ad_ids=[truth[0]["smart_plus_ad_id"]], primary_status="STATUS_ALL"),
    )["data"]["list"]  # fmt: skip
    assert ads == truth[:1]


def test_the_synchronous_report(api: Any, live_emulator: Any) -> None:
    world, token = live_emulator.emulator.world, live_emulator.access_token
    adv = live_emulator.advertiser_ids[0]
    today = live_emulator.emulator.now.date()
    window = {"start_date": (today - timedelta(days=20)).isoformat(), "end_date": today.isoformat()}
    shape = {"data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id", "stat_time_day"],
             "metrics": ["spend", "impressions", "clicks", "ctr"]}  # fmt: skip
    data = sdk.ReportingApi(api).report_integrated_get(
        "BASIC", token, advertiser_id=adv, page=1, page_size=1000, enable_total_metrics=True,
        query_lifetime=False, filtering=STATUS_ALL, **shape, **window,
    )["data"]  # fmt: skip
    truth = world.report(adv, report_type="BASIC", include_deleted=True, **shape, **window)
    assert data["list"] == truth.page(1, 1000) and data["list"]
    assert data["total_metrics"] == truth.totals()
    campaigns = [c["campaign_id"] for c in world.campaigns(adv)]
    not_first = [
        {"field_name": "campaign_ids", "filter_type": "NOT_IN", "filter_value": json.dumps(campaigns[:1])}
    ]
    data = sdk.ReportingApi(api).report_integrated_get(
        "BASIC",
        token,
        advertiser_id=adv,
        page_size=1000,
        filtering=[*STATUS_ALL, *not_first],
        **shape,
        **window,
    )["data"]
    rest = world.report(adv, report_type="BASIC", include_deleted=True, filters={"campaign_ids": campaigns[1:]},
                        **shape, **window)  # fmt: skip
    assert data["list"] == rest.page(1, 1000) and data["list"]


def _download(live_emulator: Any, advertiser_id: str, task_id: str) -> str:
    """No SDK method downloads a task: plain HTTP, reading the CSV from the answer (CSV_STRING, as TikTok
    sends it) or from the link in a JSON answer."""
    root = live_emulator.root_url.rstrip("/")
    where = {"advertiser_id": advertiser_id, "task_id": task_id}
    answer = httpx.get(f"{root}/open_api/v1.3/report/task/download/", params=where,
                       headers={"Access-Token": live_emulator.access_token})  # fmt: skip
    if not answer.headers["content-type"].startswith("application/json"):
        return answer.text
    link = answer.json()["data"]["download_url"]
    return httpx.get(link).text  # the link is the credential: no token


def test_report_tasks_with_the_sdks_defaults(api: Any, live_emulator: Any) -> None:
    world, token = live_emulator.emulator.world, live_emulator.access_token
    adv = live_emulator.advertiser_ids[1]  # it has a deleted ad with rows, which a task reports
    reports = sdk.ReportingApi(api)
    today = live_emulator.emulator.now.date()
    window = {
        "start_date": (today - timedelta(days=59)).isoformat(),
        "end_date": today.isoformat(),
    }  # > 30 days
    shape = {
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        "metrics": ["spend", "clicks"],
    }
    body = sdk.ReportTaskCreateBody(advertiser_id=adv, report_type="BASIC", **shape, **window)
    assert (
        body.file_name == " " and body.output_format == "CSV_STRING" and body.enable_report_title_translation
    )
    task_id = reports.report_task_create(token, body=body)["data"]["task_id"]
    statuses = []
    while not statuses or statuses[-1] in ("QUEUING", "PROCESSING"):
        statuses.append(reports.report_task_check(task_id, adv, token)["data"]["status"])
        assert len(statuses) < 10
        time.sleep(0.01)
    assert statuses == ["QUEUING", "PROCESSING", "SUCCESS"]
    table = list(csv.reader(io.StringIO(_download(live_emulator, adv, task_id))))
    truth = world.report(adv, report_type="BASIC", synchronous=False, include_deleted=True, **shape, **window)
    assert table[0] == [translated_title(c) for c in [*shape["dimensions"], *shape["metrics"]]]
    assert table[0][0] == "AD ID" and table[0][2] == "Cost"
    assert (
        table[1:] == [[*r["dimensions"].values(), *r["metrics"].values()] for r in truth.rows()] and table[1:]
    )
    linked = sdk.ReportTaskCreateBody(advertiser_id=adv, report_type="BASIC", output_format="CSV_DOWNLOAD",
                                      query_lifetime=True, **{**shape, "dimensions": ["ad_id"]})  # fmt: skip
    linked_id = reports.report_task_create(token, body=linked)["data"]["task_id"]
    for _ in range(3):
        reports.report_task_check(linked_id, adv, token)
    answer = httpx.get(f"{live_emulator.root_url}open_api/v1.3/report/task/download/",
                       params={"advertiser_id": adv, "task_id": linked_id}, headers={"Access-Token": token})  # fmt: skip
    assert answer.json()["data"]["file_name"] == f"report_{linked_id}.csv"  # the SDK's " " is no name
    other = reports.report_task_create(token, body=sdk.ReportTaskCreateBody(
        advertiser_id=adv, report_type="BASIC", query_lifetime=True, **{**shape, "dimensions": ["ad_id"]}))  # fmt: skip
    canceled = reports.report_task_cancel(
        token, body=sdk.TaskCancelBody(advertiser_id=adv, task_id=other["data"]["task_id"])
    )
    assert canceled["data"]["status"] == "CANCELED"
    assert reports.report_task_check(other["data"]["task_id"], adv, token)["data"]["status"] == "CANCELED"


def test_errors_reach_the_sdk_as_its_exception(api: Any, live_emulator: Any) -> None:
    adv = live_emulator.advertiser_ids[0]
    with pytest.raises(TiktokSDKError, match="40105"):
        sdk.CampaignCreationApi(api).campaign_get(adv, "not-a-token")
    with pytest.raises(TiktokSDKError, match=r"40002.*no_such_metric"):
        sdk.ReportingApi(api).report_integrated_get(
            "BASIC", live_emulator.access_token, advertiser_id=adv, data_level="AUCTION_AD", dimensions=["ad_id"],
            metrics=["no_such_metric"], query_lifetime=True,
        )  # fmt: skip
