"""Injected faults: each kind as a client sees it, the retry answered correctly, and seeded sequences."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from emulator_support import error, get, ok

from conftest import ASGI_ROOT
from tiktok_ads_mart.emulator import FAULT_KINDS, Emulator, RunningEmulator
from tiktok_ads_mart.emulator.faults import FaultInjector


def _campaigns(running: RunningEmulator, client: httpx.Client) -> httpx.Response:
    return client.get(
        "campaign/get/",
        params={"advertiser_id": running.advertiser_ids[0], "filtering": '{"primary_status":"STATUS_ALL"}'},
        headers={"Access-Token": running.access_token},
    )


@pytest.mark.parametrize("kind", ["http500", "http502", "http504"])
def test_gateway_errors_are_html_and_retry_succeeds(live_emulator: RunningEmulator, kind: str) -> None:
    with httpx.Client(base_url=live_emulator.base_url, timeout=5) as client:
        expected = _campaigns(live_emulator, client).json()["data"]
        live_emulator.emulator.faults.inject_next(kind)
        failed = _campaigns(live_emulator, client)
        assert failed.status_code == int(kind[-3:])
        assert failed.headers["content-type"].startswith("text/html")
        with pytest.raises(ValueError):
            failed.json()
        assert _campaigns(live_emulator, client).json()["data"] == expected


def test_reset_is_a_network_error_for_httpx(live_emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=live_emulator.base_url, timeout=5) as client:
        expected = _campaigns(live_emulator, client).json()["data"]
        live_emulator.emulator.faults.inject_next("reset")
        with pytest.raises(httpx.NetworkError):
            _campaigns(live_emulator, client)
        assert _campaigns(live_emulator, client).json()["data"] == expected


def test_stall_outlasts_a_client_timeout(live_emulator: RunningEmulator) -> None:
    live_emulator.emulator.configure(stall_seconds=1.5)
    with httpx.Client(base_url=live_emulator.base_url, timeout=0.3) as client:
        live_emulator.emulator.faults.inject_next("stall")
        with pytest.raises(httpx.ReadTimeout):
            _campaigns(live_emulator, client)
    with httpx.Client(base_url=live_emulator.base_url, timeout=5) as client:
        assert _campaigns(live_emulator, client).json()["code"] == 0
    assert live_emulator.emulator.stats()["faults"]["stall"] == 1
    deadline = time.monotonic() + 5
    while sum(live_emulator.emulator.stats()["codes"].values()) < live_emulator.emulator.stats()["total"]:
        assert time.monotonic() < deadline, "the stalled request never finished on the server"
        time.sleep(0.05)  # let the stalled answer finish before the next test resets the counters


def test_truncated_json_is_cut_but_well_framed(live_emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=live_emulator.base_url, timeout=5) as client:
        full = _campaigns(live_emulator, client).content
        live_emulator.emulator.faults.inject_next("truncated")
        cut = _campaigns(live_emulator, client)
        assert cut.status_code == 200
        assert 0 < len(cut.content) < len(full)
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(cut.content)
        assert _campaigns(live_emulator, client).json()["data"] == orjson.loads(full)["data"]


@pytest.mark.parametrize(("kind", "code"), [("50000", 50000), ("50002", 50002)])
async def test_error_envelope_faults(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator, kind: str, code: int
) -> None:
    adv = emulator_app.advertiser_ids[0]
    expected = ok(await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv))
    emulator_app.faults.inject_next(kind)
    error(await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv), code, "retry")
    assert ok(await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv)) == expected


async def test_reset_over_asgi_raises_httpx_read_error(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    emulator_app.faults.inject_next("reset")
    with pytest.raises(httpx.ReadError):
        await get(
            asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=emulator_app.advertiser_ids[0]
        )


async def test_auth_and_portal_are_never_faulted(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    emulator_app.configure(fault_rate=1.0, faults=("50000",))
    listed = await get(
        asgi_client,
        "oauth2/advertiser/get/",
        emulator_app.access_token,
        app_id=emulator_app.app_id,
        secret=emulator_app.secret,
    )
    ok(listed)
    page = await asgi_client.get(  # the client's base is the API root: an absolute path would go under it
        f"{ASGI_ROOT}/portal/auth",
        params={"app_id": emulator_app.app_id, "redirect_uri": "http://localhost/cb", "state": "s"},
    )
    assert page.status_code == 200
    assert (await asgi_client.get(f"{ASGI_ROOT}/_emulator/stats")).status_code == 200
    error(
        await get(
            asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=emulator_app.advertiser_ids[0]
        ),
        50000,
    )


def test_fault_draws_are_seeded() -> None:
    def sequence(seed: int) -> list[str | None]:
        injector = FaultInjector(seed, 0.3, FAULT_KINDS)
        return [injector.draw() for _ in range(200)]

    first = sequence(1)
    assert first == sequence(1)
    assert first != sequence(2)
    drawn = [kind for kind in first if kind is not None]
    assert 30 <= len(drawn) <= 90
    assert set(drawn) <= set(FAULT_KINDS)
    only = FaultInjector(1, 1.0, ("50002", "http504"))
    assert {only.draw() for _ in range(50)} == {"50002", "http504"}
    assert FaultInjector(1, 0.0, FAULT_KINDS).draw() is None


async def test_fault_rate_mix_still_serves_right_data(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    """With faults drawn at random, every answer is either a fault or exactly the right data."""
    adv = emulator_app.advertiser_ids[0]
    expected = ok(await get(asgi_client, "ad/get/", emulator_app.access_token, advertiser_id=adv))
    emulator_app.configure(fault_rate=0.5, faults=("50000", "50002", "http500", "truncated"))
    good = faulted = 0
    for _ in range(40):
        response = await asgi_client.get(
            "ad/get/", params={"advertiser_id": adv}, headers={"Access-Token": emulator_app.access_token}
        )
        try:
            body = response.json()
        except ValueError:
            faulted += 1
            continue
        if body["code"] == 0:
            assert body["data"] == expected
            good += 1
        else:
            assert body["code"] in (50000, 50002)
            faulted += 1
    stats = emulator_app.stats()
    assert stats["faults_injected"] == faulted
    assert good > 0 and faulted > 0
