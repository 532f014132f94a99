"""Entity endpoints over HTTP: normal answers, paging to the last page, TikTok's filters and fields."""

from __future__ import annotations

import httpx
from emulator_support import all_pages, error, get, ok

from tiktok_ads_mart.emulator import Emulator


def _deleted(obj: dict[str, object]) -> bool:
    return "DELETE" in str(obj["secondary_status"])


async def test_advertiser_info_lists_requested_advertisers(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    data = ok(
        await get(
            asgi_client,
            "advertiser/info/",
            emulator_app.access_token,
            advertiser_ids=emulator_app.advertiser_ids,
        )
    )
    assert [row["advertiser_id"] for row in data["list"]] == emulator_app.advertiser_ids
    expected = {adv["advertiser_id"]: adv for adv in emulator_app.world.advertisers()}
    for row in data["list"]:
        assert row["name"] == expected[row["advertiser_id"]]["name"]
        assert isinstance(row["create_time"], int)
        assert "company_name_editable" not in row


async def test_advertiser_info_fields_projection(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    data = ok(
        await get(
            asgi_client,
            "advertiser/info/",
            emulator_app.access_token,
            advertiser_ids=emulator_app.advertiser_ids[:1],
            fields=["name", "currency", "timezone"],
        )
    )
    assert list(data["list"][0]) == ["name", "currency", "timezone"]
    editable = ok(
        await get(
            asgi_client,
            "advertiser/info/",
            emulator_app.access_token,
            advertiser_ids=emulator_app.advertiser_ids,
            fields=["name", "company_name_editable"],
        )
    )
    assert [list(row) for row in editable["list"]] == [["advertiser_id", "company_name_editable"]] * 2
    assert all(isinstance(row["company_name_editable"], bool) for row in editable["list"])
    unknown = await get(
        asgi_client,
        "advertiser/info/",
        emulator_app.access_token,
        advertiser_ids=emulator_app.advertiser_ids,
        fields=["x"],
    )
    error(unknown, 40002, "x")


async def test_campaigns_default_excludes_deleted_and_status_all_includes_them(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    for adv in emulator_app.advertiser_ids:
        everything = emulator_app.world.ads(adv)
        default = ok(await get(asgi_client, "ad/get/", token, advertiser_id=adv, page_size=1000))
        assert [r["ad_id"] for r in default["list"]] == [o["ad_id"] for o in everything if not _deleted(o)]
        for filtering in ({"primary_status": "STATUS_ALL"}, {"secondary_status": "AD_STATUS_ALL"}):
            full = ok(
                await get(
                    asgi_client, "ad/get/", token, advertiser_id=adv, page_size=1000, filtering=filtering
                )
            )
            assert [r["ad_id"] for r in full["list"]] == [o["ad_id"] for o in everything]
    assert any(_deleted(o) for adv in emulator_app.advertiser_ids for o in emulator_app.world.ads(adv)), (
        "world has deletions"
    )


async def test_pagination_reaches_the_last_page(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    expected = [o["ad_id"] for o in emulator_app.world.ads(adv)]
    rows, infos = await all_pages(
        asgi_client,
        "ad/get/",
        emulator_app.access_token,
        4,
        advertiser_id=adv,
        filtering={"primary_status": "STATUS_ALL"},
    )
    assert [r["ad_id"] for r in rows] == expected
    assert infos[-1]["page"] == infos[-1]["total_page"] == -(-len(expected) // 4)
    assert all(info["total_number"] == len(expected) and info["page_size"] == 4 for info in infos)
    beyond = ok(
        await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv, page=99, page_size=4)
    )
    assert beyond["list"] == []


async def test_empty_result_has_zero_pages(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    data = ok(
        await get(
            asgi_client,
            "campaign/get/",
            emulator_app.access_token,
            advertiser_id=emulator_app.advertiser_ids[0],
            filtering={"campaign_ids": ["1"]},
        )
    )
    assert data == {"list": [], "page_info": {"page": 1, "page_size": 10, "total_number": 0, "total_page": 0}}


async def test_id_filters_and_fields(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    adv = emulator_app.advertiser_ids[0]
    adgroups = emulator_app.world.adgroups(adv)
    campaign_id = adgroups[0]["campaign_id"]
    data = ok(
        await get(
            asgi_client,
            "adgroup/get/",
            emulator_app.access_token,
            advertiser_id=adv,
            filtering={"campaign_ids": [campaign_id], "primary_status": "STATUS_ALL"},
            fields=["adgroup_id", "campaign_id"],
        )
    )
    assert data["list"] == [
        {"adgroup_id": g["adgroup_id"], "campaign_id": campaign_id}
        for g in adgroups
        if g["campaign_id"] == campaign_id
    ]


async def test_creation_window_and_modified_after_on_ads(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    ads = emulator_app.world.ads(adv)
    times = sorted(a["modify_time"] for a in ads)
    cut = times[len(times) // 2]
    data = ok(
        await get(
            asgi_client,
            "ad/get/",
            emulator_app.access_token,
            advertiser_id=adv,
            page_size=1000,
            filtering={"modified_after": cut, "primary_status": "STATUS_ALL"},
        )
    )
    assert {r["ad_id"] for r in data["list"]} == {a["ad_id"] for a in ads if a["modify_time"] >= cut}
    created = sorted(a["create_time"] for a in ads)
    start, end = created[1], created[-2]
    window = ok(
        await get(
            asgi_client,
            "ad/get/",
            emulator_app.access_token,
            advertiser_id=adv,
            page_size=1000,
            filtering={
                "creation_filter_start_time": start,
                "creation_filter_end_time": end,
                "primary_status": "STATUS_ALL",
            },
        )
    )
    assert {r["ad_id"] for r in window["list"]} == {
        a["ad_id"] for a in ads if start <= a["create_time"] <= end
    }


async def test_modified_after_is_refused_on_campaigns_and_adgroups(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    for path in ("campaign/get/", "adgroup/get/"):
        envelope = await get(
            asgi_client,
            path,
            emulator_app.access_token,
            advertiser_id=emulator_app.advertiser_ids[0],
            filtering={"modified_after": "2026-01-01 00:00:00"},
        )
        error(envelope, 40002, "modified_after")


async def test_custom_audiences_list_and_get(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    expected = emulator_app.world.audiences(adv)
    rows, _ = await all_pages(asgi_client, "dmp/custom_audience/list/", token, 3, advertiser_id=adv)
    assert [r["audience_id"] for r in rows] == [a["audience_id"] for a in expected]
    wanted = [expected[0]["audience_id"]]
    data = ok(
        await get(
            asgi_client, "dmp/custom_audience/get/", token, advertiser_id=adv, custom_audience_ids=wanted
        )
    )
    (item,) = data["list"]
    assert item["audience_details"]["audience_id"] == wanted[0]
    assert item["audience_history"] == emulator_app.world.audience_history(adv, wanted[0])[:10]
    missing = await get(asgi_client, "dmp/custom_audience/get/", token, advertiser_id=adv)
    error(missing, 40002, "custom_audience_ids")


async def test_status_and_name_filters(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    adv = next(a for a in emulator_app.advertiser_ids if any(_deleted(o) for o in emulator_app.world.ads(a)))
    ads = emulator_app.world.ads(adv)

    async def ad_ids(filtering: dict[str, str]) -> list[str]:
        data = ok(
            await get(asgi_client, "ad/get/", token, advertiser_id=adv, page_size=1000, filtering=filtering)
        )
        return [row["ad_id"] for row in data["list"]]

    assert await ad_ids({"primary_status": "STATUS_DELETE"}) == [o["ad_id"] for o in ads if _deleted(o)]
    some_status = next(o["secondary_status"] for o in ads if _deleted(o))
    assert await ad_ids({"secondary_status": some_status}) == [
        o["ad_id"] for o in ads if o["secondary_status"] == some_status
    ]
    word = ads[0]["ad_name"].split()[0].upper()
    assert await ad_ids({"ad_name": word, "primary_status": "STATUS_ALL"}) == [
        o["ad_id"] for o in ads if word.lower() in o["ad_name"].lower()
    ]


async def test_audience_list_filtered_by_ids(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    adv = emulator_app.advertiser_ids[0]
    audiences = emulator_app.world.audiences(adv)
    wanted = [audiences[-1]["audience_id"], audiences[0]["audience_id"]]
    data = ok(
        await get(
            asgi_client,
            "dmp/custom_audience/list/",
            emulator_app.access_token,
            advertiser_id=adv,
            custom_audience_ids=wanted,
        )
    )
    assert {row["audience_id"] for row in data["list"]} == set(wanted)
    assert data["page_info"]["total_number"] == 2
