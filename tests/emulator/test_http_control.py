"""``/_emulator/*``: stats counting, reset, clock and configuration; the request log keeps no secrets."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx
import orjson
from emulator_support import error, get, ok, post

from conftest import ASGI_ROOT, CONTRACT_WORLD, asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator, RunningEmulator
from tiktok_ads_mart.emulator.server import bind_socket


async def test_stats_count_by_endpoint_and_code(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    token = emulator_app.access_token
    for _ in range(3):
        ok(await get(asgi_client, "campaign/get/", token, advertiser_id=adv))
    error(await get(asgi_client, "ad/get/", None, advertiser_id=adv), 40104)
    error(await get(asgi_client, "ad/get/", token, advertiser_id=adv, page_size=5000), 40002)
    assert (await asgi_client.get("nothing/here/", headers={"Access-Token": token})).status_code == 404
    emulator_app.faults.inject_next("50002")
    error(await get(asgi_client, "adgroup/get/", token, advertiser_id=adv), 50002)
    stats = (await asgi_client.get(f"{ASGI_ROOT}/_emulator/stats")).json()
    assert stats == {
        "requests": {"<unknown>": 1, "ad/get/": 2, "adgroup/get/": 1, "campaign/get/": 3},
        "codes": {"0": 3, "40002": 1, "40104": 1, "HTTP 404": 1, "50002": 1},
        "total": 7,
        "throttled": 0,
        "faults": {"50002": 1},
        "faults_injected": 1,
    }
    assert emulator_app.stats() == stats
    reset = await asgi_client.post(f"{ASGI_ROOT}/_emulator/reset-stats")
    assert reset.json() == {"ok": True}
    assert emulator_app.stats()["total"] == 0


async def test_clock_endpoint_moves_emulator_time(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    before = (await asgi_client.get(f"{ASGI_ROOT}/_emulator/clock")).json()["now"]
    assert before == emulator_app.now.isoformat()
    moved = await asgi_client.post(f"{ASGI_ROOT}/_emulator/clock", json={"now": "2026-03-05T06:00:00Z"})
    assert moved.json() == {"now": "2026-03-05T06:00:00+00:00"}
    assert emulator_app.now.isoformat() == "2026-03-05T06:00:00+00:00"
    bad = await asgi_client.post(f"{ASGI_ROOT}/_emulator/clock", json={"now": "tomorrow"})
    assert bad.status_code == 400


async def test_configure_endpoint(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    response = await asgi_client.post(
        f"{ASGI_ROOT}/_emulator/configure", json={"qps": 1, "inject": ["50000"]}
    )
    assert response.json() == {"ok": True}
    adv = emulator_app.advertiser_ids[0]
    error(await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv), 50000)
    error(await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv), 40100)
    refused = await asgi_client.post(f"{ASGI_ROOT}/_emulator/configure", json={"faults": ["meteor"]})
    assert refused.status_code == 400
    refused = await asgi_client.post(f"{ASGI_ROOT}/_emulator/configure", json={"colour": "red"})
    assert refused.status_code == 400


async def test_request_log_masks_secrets(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    emulator = Emulator(small_world(**CONTRACT_WORLD, request_log=log, token_mode="expiring"))
    async with asgi_client_for(emulator) as client:
        adv = emulator.advertiser_ids[0]
        ok(await get(client, "campaign/get/", emulator.access_token, advertiser_id=adv))
        page = await client.post(
            f"{ASGI_ROOT}/portal/auth/decision",
            data={"app_id": emulator.app_id, "redirect_uri": "http://localhost/cb", "decision": "authorize"},
        )
        code = page.headers["location"].split("auth_code=")[1].split("&")[0]
        creds = {"app_id": emulator.app_id, "secret": emulator.secret}
        tokens = ok(await post(client, "oauth2/access_token/", None, {**creds, "auth_code": code}))
        ok(
            await post(
                client,
                "oauth2/refresh_token/",
                None,
                {**creds, "refresh_token": tokens["refresh_token"], "grant_type": "refresh_token"},
            )
        )
        ok(await get(client, "oauth2/advertiser/get/", tokens["access_token"], **creds))
        ok(
            await post(
                client, "oauth2/revoke_token/", None, {**creds, "access_token": tokens["access_token"]}
            )
        )
    emulator.close()
    text = log.read_text()
    for secret in (
        emulator.secret,
        emulator.access_token,
        code,
        tokens["access_token"],
        tokens["refresh_token"],
    ):
        assert secret not in text
    entries = [orjson.loads(line) for line in text.splitlines()]
    assert [e["path"] for e in entries] == [
        "/open_api/v1.3/campaign/get/",
        "/portal/auth/decision",
        "/open_api/v1.3/oauth2/access_token/",
        "/open_api/v1.3/oauth2/refresh_token/",
        "/open_api/v1.3/oauth2/advertiser/get/",
        "/open_api/v1.3/oauth2/revoke_token/",
    ]
    assert entries[0]["params"] == {"advertiser_id": emulator.advertiser_ids[0]}
    assert entries[2]["params"]["secret"] == "***" and entries[2]["params"]["auth_code"] == "***"
    assert all(set(e) >= {"method", "path", "params", "code", "ms"} for e in entries)
    assert [e["code"] for e in entries] == ["0", "302", "0", "0", "0", "0"]


def test_live_server_counts_stats(live_emulator: RunningEmulator) -> None:
    with httpx.Client(
        base_url=live_emulator.base_url, headers={"Access-Token": live_emulator.access_token}
    ) as client:
        for _ in range(3):
            assert (
                client.get("campaign/get/", params={"advertiser_id": live_emulator.advertiser_ids[0]}).json()[
                    "code"
                ]
                == 0
            )
        stats = client.get(live_emulator.root_url + "_emulator/stats").json()
    assert stats["requests"] == {"campaign/get/": 3}
    assert live_emulator.base_url.endswith("/open_api/v1.3/")
    assert live_emulator.portal_url == live_emulator.root_url + "portal/auth"


async def test_latency_delays_answers_without_blocking(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    adv = emulator_app.advertiser_ids[0]
    emulator_app.configure(latency_ms=150)
    started = time.perf_counter()
    bodies = await asyncio.gather(
        *(get(asgi_client, "campaign/get/", emulator_app.access_token, advertiser_id=adv) for _ in range(4))
    )
    elapsed = time.perf_counter() - started
    assert all(body["code"] == 0 for body in bodies)
    assert elapsed >= 0.15  # the delay is applied (an upper bound would be a flaky speed assertion)
    assert emulator_app.stats()["total"] == 4


def test_listening_socket_is_tcp_so_answers_are_not_nagled() -> None:
    """asyncio sets TCP_NODELAY only on sockets created with IPPROTO_TCP; without it every small answer
    waited ~40 ms for the client's delayed ACK (Nagle), which made loopback benchmarks meaningless."""
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
