"""The envelope on every answer, unknown routes, request ids, and byte-identical determinism."""

from __future__ import annotations

import httpx
from emulator_support import error

from conftest import ASGI_ROOT, CONTRACT_WORLD, asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator


async def test_unknown_paths_are_http_404_not_an_envelope(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    """TikTok's gateway answers a path it does not know before the API: HTTP 404, plain text."""
    headers = {"Access-Token": emulator_app.access_token}
    for path in ("campaign/list/", "campaign/get", f"{ASGI_ROOT}/open_api/v1.2/campaign/get/"):
        response = await asgi_client.get(path, headers=headers)
        assert (response.status_code, response.text) == (404, "404 page not found"), path
    wrong_method = await asgi_client.post("campaign/get/", json={}, headers=headers)
    assert wrong_method.status_code == 405


async def test_errors_are_http_200_with_unique_request_ids(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    ids = set()
    for _ in range(5):
        response = await asgi_client.get("campaign/get/")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert list(body) == ["code", "message", "request_id", "data"]
        error(body, 40104)
        ids.add(body["request_id"])
    assert len(ids) == 5


async def _session(emulator: Emulator) -> list[bytes]:
    """A fixed request sequence mixing successes and errors; returns the raw bodies."""
    adv = emulator.advertiser_ids[0]
    token = emulator.access_token
    requests = [
        ("advertiser/info/", {"advertiser_ids": f'["{adv}"]'}),
        ("campaign/get/", {"advertiser_id": adv, "filtering": '{"primary_status":"STATUS_ALL"}'}),
        ("ad/get/", {"advertiser_id": adv, "page_size": "5", "page": "2"}),
        ("dmp/custom_audience/list/", {"advertiser_id": adv}),
        ("campaign/get/", {"advertiser_id": adv, "page_size": "5000"}),
        (
            "report/integrated/get/",
            {
                "advertiser_id": adv,
                "report_type": "BASIC",
                "data_level": "AUCTION_AD",
                "dimensions": '["ad_id","stat_time_day"]',
                "metrics": '["spend","clicks","ctr","conversion"]',
                "start_date": "2026-02-01",
                "end_date": "2026-02-28",
                "page_size": "1000",
            },
        ),
        ("no/such/", {}),
    ]
    bodies = []
    async with asgi_client_for(emulator) as client:
        for path, params in requests:
            response = await client.get(path, params=params, headers={"Access-Token": token})
            bodies.append(response.content)
    return bodies


async def test_same_options_give_byte_identical_responses() -> None:
    first, second = Emulator(small_world(**CONTRACT_WORLD)), Emulator(small_world(**CONTRACT_WORLD))
    assert first.access_token == second.access_token
    assert await _session(first) == await _session(second)
    other = Emulator(small_world(**CONTRACT_WORLD, seed=8))
    assert other.access_token != first.access_token
    assert await _session(other) != await _session(Emulator(small_world(**CONTRACT_WORLD)))
