"""Creatives and assets over HTTP: file/video/ad/info/, file/image/ad/info/, identity/get/ and pixel/list/.

Ground truth is the world's ads (what each carries) and the ground-truth functions of
:mod:`tiktok_ads_mart.emulator.creatives`; limits and shapes are the ones TikTok's pages give.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from emulator_support import error, get, ok

from conftest import asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator, creatives

WORLD = {"campaigns_per_advertiser": 4, "adgroups_per_campaign": 3, "ads_per_adgroup": 4}
VIDEO_FIELDS = {
    "video_id": str, "material_id": str, "file_name": str, "displayable": bool, "allow_download": bool,
    "allowed_placements": list, "width": int, "height": int, "duration": float, "bit_rate": int, "size": int,
    "format": str, "fps": int, "definition": str, "signature": str, "preview_url": str,
    "preview_url_expire_time": str, "video_cover_url": str, "create_time": str, "modify_time": str,
}  # fmt: skip
IMAGE_FIELDS = {
    "image_id": str, "material_id": str, "is_carousel_usable": bool, "width": int, "height": int,
    "format": str, "image_url": str, "signature": str, "size": int, "file_name": str, "create_time": str,
    "modify_time": str, "displayable": bool,
}  # fmt: skip


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    built = Emulator(small_world(**WORLD))
    yield built
    built.close()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client_for(emulator) as http:
        yield http


def _asset_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def _object_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


# ----------------------------------------------------------------------------------------- videos
async def test_every_video_an_ad_carries_is_answered_with_the_page_fields(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    token = emulator.access_token
    for adv in emulator.advertiser_ids:
        ads = emulator.world.ads(adv)
        video_ids = [ad["video_id"] for ad in ads]
        answered: dict[str, dict[str, Any]] = {}
        for start in range(0, len(video_ids), 60):
            data = ok(await get(client, "file/video/ad/info/", token, advertiser_id=adv,
                                video_ids=video_ids[start : start + 60]))  # fmt: skip
            answered.update({row["video_id"]: row for row in data["list"]})
        assert set(answered) == set(video_ids)
        truth = creatives.videos(emulator.world, adv)  # future ads' videos are uploaded already, too
        assert answered == {video_id: truth[video_id] for video_id in video_ids}
        for ad in ads:
            row = answered[ad["video_id"]]
            assert {name: type(row[name]) for name in VIDEO_FIELDS} == VIDEO_FIELDS
            assert _asset_time(row["create_time"]) < _object_time(ad["create_time"])  # uploaded first
            assert _asset_time(row["modify_time"]) >= _asset_time(row["create_time"])
            assert row["size"] > 0 and 5 <= row["duration"] <= 60 and row["format"] == "mp4"
            expiry = _object_time(row["preview_url_expire_time"])
            assert expiry == emulator.now.replace(tzinfo=None) + timedelta(hours=6)
            assert f"x-expires={int(emulator.now.timestamp()) + 6 * 3600}" in row["video_cover_url"]


async def test_video_ids_are_capped_at_60_and_unknown_ids_are_left_out(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    video_ids = [ad["video_id"] for ad in emulator.world.ads(adv)]
    error(await get(client, "file/video/ad/info/", token, advertiser_id=adv,
                    video_ids=[f"v{n}" for n in range(61)]), 40002, "video_ids", "60")  # fmt: skip
    error(await get(client, "file/video/ad/info/", token, advertiser_id=adv), 40002, "video_ids")
    asked = [video_ids[1], "v10033g50000000000000000", video_ids[0], video_ids[1]]
    data = ok(await get(client, "file/video/ad/info/", token, advertiser_id=adv, video_ids=asked))
    assert [row["video_id"] for row in data["list"]] == [video_ids[1], video_ids[0]]
    other = emulator.advertiser_ids[1]  # another account's video is not this account's
    data = ok(await get(client, "file/video/ad/info/", token, advertiser_id=other, video_ids=video_ids[:3]))
    assert data["list"] == []


# ----------------------------------------------------------------------------------------- images
async def test_a_share_of_ads_carries_images_and_every_one_is_answered(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    token = emulator.access_token
    ads = [ad for adv in emulator.advertiser_ids for ad in emulator.world.ads(adv)]
    with_images = [ad for ad in ads if ad["image_ids"]]
    assert 0.15 < len(with_images) / len(ads) < 0.45
    assert all(1 <= len(ad["image_ids"]) <= 3 for ad in with_images)
    for adv in emulator.advertiser_ids:
        ads = emulator.world.ads(adv)
        image_ids = [i for ad in ads for i in ad["image_ids"]]
        assert len(set(image_ids)) == len(image_ids)
        data = ok(await get(client, "file/image/ad/info/", token, advertiser_id=adv, image_ids=image_ids))
        rows = {row["image_id"]: row for row in data["list"]}
        truth = creatives.images(emulator.world, adv)
        assert set(rows) == set(image_ids) and rows == {image_id: truth[image_id] for image_id in image_ids}
        for ad in ads:
            for image_id in ad["image_ids"]:
                row = rows[image_id]
                assert {name: type(row[name]) for name in IMAGE_FIELDS} == IMAGE_FIELDS
                assert _asset_time(row["create_time"]) < _object_time(ad["create_time"])
    adv = emulator.advertiser_ids[0]
    error(await get(client, "file/image/ad/info/", token, advertiser_id=adv,
                    image_ids=[f"i{n}" for n in range(101)]), 40002, "image_ids", "100")  # fmt: skip
    assert (
        ok(await get(client, "file/image/ad/info/", token, advertiser_id=adv, image_ids=["nope"]))["list"]
        == []
    )


# ------------------------------------------------------------------------------------- identities
async def test_identities_list_what_the_ads_run_as(client: httpx.AsyncClient, emulator: Emulator) -> None:
    token = emulator.access_token
    seen_types: set[str] = set()
    for adv in emulator.advertiser_ids:
        listed = ok(await get(client, "identity/get/", token, advertiser_id=adv))
        identities = {i["identity_id"]: i for i in listed["identity_list"]}
        assert listed["identity_list"] == creatives.identities(emulator.world, adv)
        assert listed["page_info"] == {"page": 1, "page_size": 20, "total_number": 3, "total_page": 1}
        assert [i["identity_type"] for i in listed["identity_list"]] == [
            "CUSTOMIZED_USER",
            "TT_USER",
            "BC_AUTH_TT",
        ]
        for ad in emulator.world.ads(adv):
            identity = identities[ad["identity_id"]]
            assert identity["identity_type"] == ad["identity_type"]
            assert identity["display_name"] == ad["display_name"]
            assert ad.get("identity_authorized_bc_id") == identity["identity_authorized_bc_id"]
            seen_types.add(ad["identity_type"])
    assert seen_types == {"CUSTOMIZED_USER", "TT_USER", "BC_AUTH_TT"}  # every kind is in use somewhere


async def test_identity_type_filter_bc_id_paging_and_keyword(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    bc_id = emulator.world.advertisers()[0]["owner_bc_id"]
    for kind in ("CUSTOMIZED_USER", "TT_USER"):
        one = ok(await get(client, "identity/get/", token, advertiser_id=adv, identity_type=kind))
        assert [i["identity_type"] for i in one["identity_list"]] == [kind]
    assert ok(await get(client, "identity/get/", token, advertiser_id=adv, identity_type="AUTH_CODE"))[
        "identity_list"] == []  # fmt: skip
    error(await get(client, "identity/get/", token, advertiser_id=adv, identity_type="BC_AUTH_TT"),
          40002, "identity_authorized_bc_id")  # fmt: skip
    bc = ok(await get(client, "identity/get/", token, advertiser_id=adv, identity_type="BC_AUTH_TT",
                      identity_authorized_bc_id=bc_id))  # fmt: skip
    assert [i["identity_authorized_bc_id"] for i in bc["identity_list"]] == [bc_id]
    assert ok(await get(client, "identity/get/", token, advertiser_id=adv, identity_type="BC_AUTH_TT",
                        identity_authorized_bc_id="7100000000000000001"))["identity_list"] == []  # fmt: skip
    error(
        await get(client, "identity/get/", token, advertiser_id=adv, identity_type="PAGE"),
        40002,
        "identity_type",
    )
    error(await get(client, "identity/get/", token, advertiser_id=adv, page_size=101), 40002, "page_size")
    pages: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    for page in (1, 2, 3, 4):
        data = ok(await get(client, "identity/get/", token, advertiser_id=adv, page=page, page_size=1))
        pages.extend(data["identity_list"])
        infos.append(data["page_info"])
    assert [i["identity_id"] for i in pages] == [
        i["identity_id"] for i in creatives.identities(emulator.world, adv)
    ]
    assert infos[-1] == {"page": 4, "page_size": 1, "total_number": 3, "total_page": 3}
    brand = pages[0]["display_name"]
    found = ok(await get(client, "identity/get/", token, advertiser_id=adv, identity_type="CUSTOMIZED_USER",
                         filtering={"keyword": brand[:3].lower()}))  # fmt: skip
    assert len(found["identity_list"]) == 1
    none = ok(await get(client, "identity/get/", token, advertiser_id=adv, identity_type="CUSTOMIZED_USER",
                        filtering={"keyword": "zzz"}))  # fmt: skip
    assert none["identity_list"] == [] and none["page_info"]["total_page"] == 0


# ----------------------------------------------------------------------------------------- pixels
async def test_pixels_list_the_ad_groups_pixel_and_a_spare_one(
    client: httpx.AsyncClient, emulator: Emulator
) -> None:
    token = emulator.access_token
    for adv in emulator.advertiser_ids:
        data = ok(await get(client, "pixel/list/", token, advertiser_id=adv))
        assert data["pixels"] == creatives.pixels(emulator.world, adv)
        assert data["page_info"] == {"page": 1, "page_size": 10, "total_number": 2, "total_page": 1}
        listed = {p["pixel_id"]: p for p in data["pixels"]}
        used = {g["pixel_id"] for g in emulator.world.adgroups(adv) if g["pixel_id"] is not None}
        assert used and used < set(listed)
        for group in emulator.world.adgroups(adv):
            if group["pixel_id"] is not None:
                assert listed[group["pixel_id"]]["create_time"] < group["create_time"]
        assert [p["activity_status"] for p in data["pixels"]] == ["ACTIVE", "INACTIVE"]
        assert all(p["pixel_code"].startswith("C") and len(p["pixel_code"]) == 20 for p in data["pixels"])


async def test_pixel_filters_order_and_paging(client: httpx.AsyncClient, emulator: Emulator) -> None:
    adv, token = emulator.advertiser_ids[0], emulator.access_token
    every = creatives.pixels(emulator.world, adv)
    latest = ok(await get(client, "pixel/list/", token, advertiser_id=adv, order_by="LATEST_CREATE"))
    assert latest["pixels"] == every[::-1]
    rows: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    for page in (1, 2):
        data = ok(await get(client, "pixel/list/", token, advertiser_id=adv, page=page, page_size=1))
        rows.extend(data["pixels"])
        infos.append(data["page_info"])
    assert rows == every and infos[-1]["total_page"] == 2
    by_code = ok(await get(client, "pixel/list/", token, advertiser_id=adv, code=every[1]["pixel_code"]))
    assert by_code["pixels"] == [every[1]]
    by_id = ok(await get(client, "pixel/list/", token, advertiser_id=adv, pixel_id=every[0]["pixel_id"]))
    assert by_id["pixels"] == [every[0]]
    by_name = ok(await get(client, "pixel/list/", token, advertiser_id=adv, name="website"))
    assert by_name["pixels"] == [every[0]]
    catalog = ok(await get(client, "pixel/list/", token, advertiser_id=adv,
                           filtering={"available_for_catalog_only": True}))  # fmt: skip
    assert catalog["pixels"] == [every[0]]
    error(await get(client, "pixel/list/", token, advertiser_id=adv, page_size=21), 40002, "page_size")
    error(await get(client, "pixel/list/", token, advertiser_id=adv, order_by="NEWEST"), 40002, "order_by")
    error(
        await get(client, "pixel/list/", token, advertiser_id=adv, filtering={"status": "x"}), 40002, "status"
    )


# ------------------------------------------------------------------------------------ determinism
async def test_assets_are_the_same_in_every_world_built_from_the_seed(emulator: Emulator) -> None:
    again = Emulator(small_world(**WORLD))
    try:
        for adv in emulator.advertiser_ids:
            for name in ("videos", "images", "identities", "pixels"):
                truth = getattr(creatives, name)
                assert truth(again.world, adv) == truth(emulator.world, adv), name
            assert again.world.ads(adv) == emulator.world.ads(adv)
    finally:
        again.close()
