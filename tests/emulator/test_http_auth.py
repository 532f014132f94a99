"""Consent page, OAuth endpoints and the token checks every data call makes."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from emulator_support import error, get, ok, post

from conftest import ASGI_ROOT, CONTRACT_WORLD, asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator

REDIRECT = "http://localhost:8765/callback"


async def _consent(
    client: httpx.AsyncClient, emulator: Emulator, decision: str, **extra: str | list[str]
) -> str:
    """Drive the consent page like a browser: load the form, post its hidden fields and a button."""
    page = await client.get(
        f"{ASGI_ROOT}/portal/auth",
        params={"app_id": emulator.app_id, "state": "s-1", "redirect_uri": REDIRECT},
    )
    assert page.status_code == 200
    assert 'id="authorize"' in page.text and 'id="deny"' in page.text
    assert 'action="/portal/auth/decision"' in page.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    assert hidden == {"app_id": emulator.app_id, "state": "s-1", "redirect_uri": REDIRECT}
    response = await client.post(
        f"{ASGI_ROOT}/portal/auth/decision", data={**hidden, "decision": decision, **extra}
    )
    assert response.status_code == 302
    location: str = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return location


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def _exchange(client: httpx.AsyncClient, emulator: Emulator, code: str) -> dict[str, object]:
    return await post(
        client,
        "oauth2/access_token/",
        None,
        {"app_id": emulator.app_id, "secret": emulator.secret, "auth_code": code},
    )


async def test_consent_page_lists_advertisers(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    page = await asgi_client.get(
        f"{ASGI_ROOT}/portal/auth",
        params={"app_id": emulator_app.app_id, "state": "x", "redirect_uri": REDIRECT},
    )
    for adv in emulator_app.world.advertisers():
        assert adv["advertiser_id"] in page.text
        assert adv["name"] in page.text


async def test_authorize_then_exchange_gives_a_working_token(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    query = _query(await _consent(asgi_client, emulator_app, "authorize"))
    assert query["state"] == "s-1"
    data = ok(await _exchange(asgi_client, emulator_app, query["auth_code"]))
    assert data["advertiser_ids"] == emulator_app.advertiser_ids
    assert isinstance(data["scope"], list) and all(isinstance(s, int) for s in data["scope"])
    assert "refresh_token" not in data
    token = data["access_token"]
    assert token != emulator_app.access_token
    listed = ok(
        await get(
            asgi_client,
            "oauth2/advertiser/get/",
            token,
            app_id=emulator_app.app_id,
            secret=emulator_app.secret,
        )
    )
    assert [row["advertiser_id"] for row in listed["list"]] == emulator_app.advertiser_ids
    assert all(row["advertiser_name"] for row in listed["list"])
    ok(await get(asgi_client, "campaign/get/", token, advertiser_id=emulator_app.advertiser_ids[0]))


async def test_deny_redirects_with_access_denied(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    assert _query(await _consent(asgi_client, emulator_app, "deny")) == {
        "error": "access_denied",
        "state": "s-1",
    }


async def test_partial_consent_grants_only_checked_advertisers(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    first, second = emulator_app.advertiser_ids[:2]
    query = _query(await _consent(asgi_client, emulator_app, "authorize", advertiser_id=[first]))
    token = ok(await _exchange(asgi_client, emulator_app, query["auth_code"]))["access_token"]
    ok(await get(asgi_client, "campaign/get/", token, advertiser_id=first))
    error(await get(asgi_client, "campaign/get/", token, advertiser_id=second), 40001)
    error(await get(asgi_client, "advertiser/info/", token, advertiser_ids=[first, second]), 40001)
    error(await get(asgi_client, "report/integrated/get/", token, advertiser_id=second), 40001)


async def test_consent_error_pages(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    cases = [
        {"app_id": "123", "state": "x", "redirect_uri": REDIRECT},
        {"app_id": emulator_app.app_id, "state": "x"},
        {"app_id": emulator_app.app_id, "state": "x", "redirect_uri": "not-a-url"},
        {"state": "x", "redirect_uri": REDIRECT},
    ]
    for params in cases:
        page = await asgi_client.get(f"{ASGI_ROOT}/portal/auth", params=params)
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert 'id="error"' in page.text
        assert "location" not in page.headers
    forged = await asgi_client.post(
        f"{ASGI_ROOT}/portal/auth/decision",
        data={"app_id": "123", "redirect_uri": REDIRECT, "decision": "authorize"},
    )
    assert forged.status_code == 400


async def test_auth_code_is_single_use_and_expires(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    code = _query(await _consent(asgi_client, emulator_app, "authorize"))["auth_code"]
    ok(await _exchange(asgi_client, emulator_app, code))
    error(await _exchange(asgi_client, emulator_app, code), 40110)
    error(await _exchange(asgi_client, emulator_app, "bogus"), 40110)
    late = _query(await _consent(asgi_client, emulator_app, "authorize"))["auth_code"]
    emulator_app.set_now(emulator_app.now + timedelta(minutes=61))
    error(await _exchange(asgi_client, emulator_app, late), 40110, "expired")


async def test_bad_app_credentials_are_40101(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    code = _query(await _consent(asgi_client, emulator_app, "authorize"))["auth_code"]
    body = {"app_id": emulator_app.app_id, "secret": "wrong", "auth_code": code}
    error(await post(asgi_client, "oauth2/access_token/", None, body), 40101)
    ok(await _exchange(asgi_client, emulator_app, code))  # the failed attempt did not use up the code
    token = emulator_app.access_token
    error(
        await get(asgi_client, "oauth2/advertiser/get/", token, app_id="1", secret=emulator_app.secret), 40101
    )


async def test_access_token_checks(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    adv = emulator_app.advertiser_ids[0]
    error(await get(asgi_client, "campaign/get/", None, advertiser_id=adv), 40104)
    message = error(await get(asgi_client, "campaign/get/", "f" * 40, advertiser_id=adv), 40105)
    assert message == "Access token is incorrect or has been revoked."
    bearer = await asgi_client.get(
        "campaign/get/",
        params={"advertiser_id": adv},
        headers={"Access-Token": f"Bearer {emulator_app.access_token}"},
    )
    error(bearer.json(), 40105)
    limited = emulator_app.issue_token([emulator_app.advertiser_ids[1]])
    error(await get(asgi_client, "campaign/get/", limited, advertiser_id=adv), 40001)
    error(await get(asgi_client, "campaign/get/", emulator_app.access_token, advertiser_id="123"), 40001)


async def test_revoke_kills_the_token(asgi_client: httpx.AsyncClient, emulator_app: Emulator) -> None:
    token = emulator_app.issue_token()
    body = {"app_id": emulator_app.app_id, "secret": emulator_app.secret, "access_token": token}
    data = ok(await post(asgi_client, "oauth2/revoke_token/", None, body))
    assert data == {"app_id": emulator_app.app_id, "advertiser_ids": emulator_app.advertiser_ids}
    error(await get(asgi_client, "campaign/get/", token, advertiser_id=emulator_app.advertiser_ids[0]), 40105)
    error(await post(asgi_client, "oauth2/revoke_token/", None, body), 40105)


async def test_long_lived_tokens_do_not_expire(
    asgi_client: httpx.AsyncClient, emulator_app: Emulator
) -> None:
    emulator_app.set_now(emulator_app.now + timedelta(days=3))
    ok(
        await get(
            asgi_client,
            "campaign/get/",
            emulator_app.access_token,
            advertiser_id=emulator_app.advertiser_ids[0],
        )
    )
    error(
        await post(
            asgi_client,
            "oauth2/refresh_token/",
            None,
            {
                "app_id": emulator_app.app_id,
                "secret": emulator_app.secret,
                "refresh_token": "x",
                "grant_type": "refresh_token",
            },
        ),
        40107,
    )


async def test_expiring_tokens_expire_and_refresh_rotates() -> None:
    emulator = Emulator(small_world(**CONTRACT_WORLD, token_mode="expiring"))
    async with asgi_client_for(emulator) as client:
        adv = emulator.advertiser_ids[0]
        code = _query(await _consent(client, emulator, "authorize"))["auth_code"]
        data = ok(await _exchange(client, emulator, code))
        assert data["access_token_expire_in"] == 86400
        assert data["refresh_token_expire_in"] == 31536000
        token, refresh = data["access_token"], data["refresh_token"]
        emulator.set_now(emulator.now + timedelta(hours=23, minutes=59))
        ok(await get(client, "campaign/get/", token, advertiser_id=adv))
        emulator.set_now(emulator.now + timedelta(minutes=1))
        error(await get(client, "campaign/get/", token, advertiser_id=adv), 40102)
        error(
            await get(client, "campaign/get/", emulator.access_token, advertiser_id=adv), 40102
        )  # ready token too
        body = {
            "app_id": emulator.app_id,
            "secret": emulator.secret,
            "refresh_token": refresh,
            "grant_type": "refresh_token",
        }
        rotated = ok(await post(client, "oauth2/refresh_token/", None, body))
        assert rotated["refresh_token"] != refresh and rotated["access_token"] != token
        assert rotated["advertiser_ids"] == emulator.advertiser_ids
        ok(await get(client, "campaign/get/", rotated["access_token"], advertiser_id=adv))
        error(await post(client, "oauth2/refresh_token/", None, body), 40107)
        again = {**body, "refresh_token": rotated["refresh_token"], "grant_type": "authorization_code"}
        error(await post(client, "oauth2/refresh_token/", None, again), 40108)
        again["grant_type"] = "refresh_token"
        ok(await post(client, "oauth2/refresh_token/", None, again))
