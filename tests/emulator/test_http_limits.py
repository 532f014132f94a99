"""Throttling: QPS and QPM per app on sliding windows, TikTok's 40100 answer, counted in stats."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

import pytest
from emulator_support import error, get, ok

from conftest import ASGI_ROOT, CONTRACT_WORLD, asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator
from tiktok_ads_mart.emulator import app as app_module
from tiktok_ads_mart.emulator.limits import THROTTLE_MESSAGE, RateLimiter
from tiktok_ads_mart.emulator.params import Call


async def test_third_request_within_a_second_is_throttled() -> None:
    emulator = Emulator(small_world(**CONTRACT_WORLD, qps=2, qpm=600))
    async with asgi_client_for(emulator) as client:
        adv = emulator.advertiser_ids[0]
        ok(await get(client, "campaign/get/", emulator.access_token, advertiser_id=adv))
        ok(await get(client, "adgroup/get/", emulator.access_token, advertiser_id=adv))
        message = error(await get(client, "ad/get/", emulator.access_token, advertiser_id=adv), 40100)
        assert message == THROTTLE_MESSAGE
        # Another token of the same app shares the app's budget.
        error(await get(client, "ad/get/", emulator.issue_token(), advertiser_id=adv), 40100)
        stats = (await client.get(f"{ASGI_ROOT}/_emulator/stats")).json()
    assert stats["throttled"] == 2
    assert stats["codes"] == {"0": 2, "40100": 2}
    assert stats["total"] == 4


def test_sliding_windows_with_a_controlled_clock() -> None:
    now = [100.0]
    limiter = RateLimiter(qps=3, qpm=5, clock=lambda: now[0])
    assert [limiter.admit("app") for _ in range(4)] == [True, True, True, False]
    now[0] += 0.999
    assert not limiter.admit("app")
    now[0] += 0.002  # the first three left the one-second window
    assert limiter.admit("app") and limiter.admit("app")
    assert not limiter.admit("app")  # five in the last minute
    assert limiter.admit("other-app")  # budgets are per app
    now[0] = 159.9
    assert not limiter.admit("app")  # all five still inside the minute
    now[0] = 160.0
    assert limiter.admit("app")  # the first three aged out of the minute


def test_zero_means_unlimited() -> None:
    limiter = RateLimiter(qps=0, qpm=0, clock=lambda: 1.0)
    assert all(limiter.admit("app") for _ in range(5000))
    qpm_only = RateLimiter(qps=0, qpm=3, clock=lambda: 1.0)
    assert [qpm_only.admit("app") for _ in range(4)] == [True, True, True, False]


async def test_throttled_answers_do_not_use_budget() -> None:
    now = [0.0]
    limiter = RateLimiter(qps=1, qpm=2, clock=lambda: now[0])
    assert limiter.admit("a")
    assert not any(limiter.admit("a") for _ in range(10))
    now[0] = 1.5
    assert limiter.admit("a")  # the refused ten did not count towards the minute


async def test_a_request_is_judged_on_arrival_while_another_is_being_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A handler (a report, say) runs off the event loop: requests arriving meanwhile are admitted or
    refused at once, not later in a bunch, which would compress their spacing into a false 40100."""
    emulator = Emulator(small_world(**CONTRACT_WORLD, qps=1, qpm=0))
    emulator.limiter = RateLimiter(qps=1, qpm=0, clock=lambda: 5.0)  # both requests in the same second
    computing, release = threading.Event(), threading.Event()
    route = app_module.ROUTES_BY_PATH["campaign/get/"]

    def slow_campaigns(call: Call) -> dict[str, Any]:
        computing.set()
        if not release.wait(5.0):
            raise AssertionError("the second request was not answered while this one computed")
        return route.handler(call)

    monkeypatch.setitem(
        app_module.ROUTES_BY_PATH, "campaign/get/", dataclasses.replace(route, handler=slow_campaigns)
    )
    adv = emulator.advertiser_ids[0]
    async with asgi_client_for(emulator) as client:
        first = asyncio.create_task(get(client, "campaign/get/", emulator.access_token, advertiser_id=adv))
        assert await asyncio.to_thread(computing.wait, 5.0)
        second = await get(client, "adgroup/get/", emulator.access_token, advertiser_id=adv)
        still_computing = not first.done()
        release.set()
        campaigns = ok(await first)
    error(second, 40100)
    assert still_computing
    assert len(campaigns["list"]) == len(emulator.world.campaigns(adv))
    assert emulator.stats()["codes"] == {"0": 1, "40100": 1}
