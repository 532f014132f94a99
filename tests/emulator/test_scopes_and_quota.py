"""The developer app's scopes and its daily quota.

Scopes: the consent page lists them, the token exchange answers them as permission ids, and an endpoint
outside them answers 40001 after the token check (permission scope doc 1753986142651394). The daily
quota answers 40100 once used up and comes back at 00:00 UTC of the emulator clock (rate limits doc
1740029171730433)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from emulator_support import error, get, ok, post

from conftest import ASGI_ROOT, asgi_client_for, small_world
from tiktok_ads_mart.emulator import Emulator
from tiktok_ads_mart.emulator.scopes import APP_SCOPES, parse_scopes

REDIRECT = "http://localhost:8765/callback"
NO_AUDIENCES = ("ad_account", "campaign", "adgroup", "ad", "reporting")


async def test_an_app_without_a_scope_is_refused_on_that_scopes_endpoints_only() -> None:
    emulator = Emulator(small_world(scopes=NO_AUDIENCES))
    adv = emulator.advertiser_ids[0]
    async with asgi_client_for(emulator) as client:
        page = await client.get(f"{ASGI_ROOT}/portal/auth",
                                params={"app_id": emulator.app_id, "state": "s", "redirect_uri": REDIRECT})  # fmt: skip
        listed = re.search(r'<ul id="scopes">(.*?)</ul>', page.text, re.S)
        assert listed is not None
        assert re.findall(r"<li>(.*?)</li>", listed.group(1)) == [APP_SCOPES[n].title for n in NO_AUDIENCES]
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
        moved = await client.post(
            f"{ASGI_ROOT}/portal/auth/decision", data={**hidden, "decision": "authorize"}
        )
        code = parse_qs(urlsplit(moved.headers["location"]).query)["auth_code"][0]
        token = ok(await post(client, "oauth2/access_token/", None,
                              {"app_id": emulator.app_id, "secret": emulator.secret, "auth_code": code}))  # fmt: skip
        assert token["scope"] == [APP_SCOPES[n].permission_id for n in NO_AUDIENCES]
        error(await get(client, "dmp/custom_audience/list/", token["access_token"], advertiser_id=adv),
              40001, "Audience Management: Read Custom Audiences")  # fmt: skip
        error(await get(client, "dmp/custom_audience/list/", "not-a-token", advertiser_id=adv), 40105)
        campaigns = ok(await get(client, "campaign/get/", token["access_token"], advertiser_id=adv))
        assert len(campaigns["list"]) == len(emulator.world.campaigns(adv))
    emulator.close()


def test_scope_names_are_checked() -> None:
    assert parse_scopes("all") == tuple(APP_SCOPES)
    assert parse_scopes("reporting, campaign") == ("campaign", "reporting")
    try:
        parse_scopes("campaign,reports")
    except ValueError as exc:
        assert "unknown scope reports" in str(exc)
    else:
        raise AssertionError("an unknown scope name was accepted")


async def test_the_daily_quota_refuses_with_40100_until_midnight_utc() -> None:
    emulator = Emulator(small_world(qpd=3))
    adv = emulator.advertiser_ids[0]
    token = emulator.access_token
    async with asgi_client_for(emulator) as client:
        for _ in range(3):
            ok(await get(client, "campaign/get/", token, advertiser_id=adv))
        error(await get(client, "campaign/get/", token, advertiser_id=adv), 40100, "QPD", "00:00:00 UTC")
        emulator.set_now((emulator.now + timedelta(days=1)).replace(hour=0, minute=0))
        ok(await get(client, "campaign/get/", token, advertiser_id=adv))
    emulator.close()


def test_the_emulator_and_the_client_agree_on_every_endpoint_s_scope() -> None:
    """Two tables on purpose (the emulator imports nothing from the client): this keeps them one."""
    from tiktok_ads_mart.emulator.scopes import ENDPOINT_SCOPE
    from tiktok_ads_mart.scopes import SCOPE_OF_PATH

    assert {path: ENDPOINT_SCOPE.get(path) for path in SCOPE_OF_PATH} == SCOPE_OF_PATH
