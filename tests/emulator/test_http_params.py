"""Parameter encoding and limits: JSON strings, Python reprs, True/False, page sizes, required params."""

from __future__ import annotations

import httpx
import pytest
from emulator_support import error, get, ok

from tiktok_ads_mart.emulator import Emulator


async def _raw(client: httpx.AsyncClient, path: str, token: str, params: dict[str, str]) -> dict[str, object]:
    response = await client.get(path, params=params, headers={"Access-Token": token})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


async def test_python_repr_lists_and_objects_equal_json(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    as_json = await _raw(
        asgi_client,
        "ad/get/",
        token,
        {
            "advertiser_id": adv,
            "filtering": '{"primary_status": "STATUS_ALL"}',
            "fields": '["ad_id", "ad_name"]',
        },
    )
    as_repr = await _raw(
        asgi_client,
        "ad/get/",
        token,
        {
            "advertiser_id": adv,
            "filtering": "{'primary_status': 'STATUS_ALL'}",
            "fields": "['ad_id', 'ad_name']",
        },
    )
    assert ok(as_json) == ok(as_repr)
    info = await _raw(asgi_client, "advertiser/info/", token, {"advertiser_ids": str([adv])})
    assert [row["advertiser_id"] for row in ok(info)["list"]] == [adv]


@pytest.mark.parametrize(
    ("text", "expected"), [("True", True), ("true", True), ("False", False), ("false", False)]
)
async def test_boolean_spellings(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, text: str, expected: bool
) -> None:
    adv = emulator_app.advertiser_ids[0]
    data = ok(
        await _raw(
            asgi_client,
            "campaign/get/",
            emulator_app.access_token,
            {"advertiser_id": adv, "filtering": f'{{"split_test_enabled": "{text}"}}'},
        )
    )
    assert isinstance(data["list"], list)
    bad = await _raw(
        asgi_client,
        "campaign/get/",
        emulator_app.access_token,
        {"advertiser_id": adv, "filtering": '{"split_test_enabled": "maybe"}'},
    )
    error(bad, 40002, "split_test_enabled")


@pytest.mark.parametrize(
    ("path", "limit", "extra"),
    [
        ("campaign/get/", 1000, {}),
        ("adgroup/get/", 1000, {}),
        ("ad/get/", 1000, {}),
        ("dmp/custom_audience/list/", 100, {}),
    ],
)
async def test_page_size_caps(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, path: str, limit: int, extra: dict[str, str]
) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    at_limit = ok(await get(asgi_client, path, token, advertiser_id=adv, page_size=limit, **extra))
    assert at_limit["page_info"]["page_size"] == limit
    error(await get(asgi_client, path, token, advertiser_id=adv, page_size=limit + 1), 40002, "page_size")
    error(await get(asgi_client, path, token, advertiser_id=adv, page_size=0), 40002, "page_size")
    error(await get(asgi_client, path, token, advertiser_id=adv, page=0), 40002, "page")
    error(await get(asgi_client, path, token, advertiser_id=adv, page="x"), 40002, "page")


async def test_page_defaults(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    data = ok(
        await get(
            asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=emulator_app.advertiser_ids[0]
        )
    )
    assert data["page_info"]["page"] == 1
    assert data["page_info"]["page_size"] == 10


async def test_missing_required_param_is_named(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    for path in (
        "campaign/get/",
        "adgroup/get/",
        "ad/get/",
        "dmp/custom_audience/list/",
        "report/integrated/get/",
    ):
        error(await get(asgi_client, path, token), 40002, "advertiser_id")
    error(await get(asgi_client, "advertiser/info/", token), 40002, "advertiser_ids")


async def test_id_list_caps(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.access_token
    adv = emulator_app.advertiser_ids[0]
    many = [str(10**18 + i) for i in range(101)]
    error(
        await get(asgi_client, "advertiser/info/", token, advertiser_ids=many), 40002, "advertiser_ids", "100"
    )
    error(
        await get(asgi_client, "campaign/get/", token, advertiser_id=adv, filtering={"campaign_ids": many}),
        40002,
        "campaign_ids",
    )
    error(
        await get(
            asgi_client, "dmp/custom_audience/get/", token, advertiser_id=adv, custom_audience_ids=many
        ),
        40002,
        "custom_audience_ids",
    )


async def test_malformed_json_and_unknown_values(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    token = emulator_app.access_token
    adv = emulator_app.advertiser_ids[0]
    bad = await _raw(asgi_client, "campaign/get/", token, {"advertiser_id": adv, "filtering": "{not json"})
    error(bad, 40002, "filtering")
    error(
        await get(
            asgi_client, "campaign/get/", token, advertiser_id=adv, filtering={"primary_status": "NOPE"}
        ),
        40002,
        "primary_status",
    )
    error(
        await get(
            asgi_client,
            "campaign/get/",
            token,
            advertiser_id=adv,
            filtering={"secondary_status": "AD_STATUS_ALL"},
        ),
        40002,
        "secondary_status",
    )
    error(
        await get(asgi_client, "ad/get/", token, advertiser_id=adv, fields=["no_such_field"]),
        40002,
        "no_such_field",
    )
    response = await asgi_client.post(
        "report/task/create/",
        content=b"{broken",
        headers={"Access-Token": token, "Content-Type": "application/json"},
    )
    error(response.json(), 40002, "body")
