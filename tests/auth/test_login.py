"""The OAuth login against the emulator: browser and plain-HTTP consent, denial, state, reused codes."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from tiktok_ads_mart.api import TikTokClient
from tiktok_ads_mart.auth import (
    EncryptedFileStore,
    LoginError,
    LoginOptions,
    authorization_url,
    code_from_pasted,
    exchange,
    login,
    portal_url_for,
)
from tiktok_ads_mart.auth.callback import CallbackServer
from tiktok_ads_mart.emulator import RunningEmulator
from tiktok_ads_mart.errors import ConfigError, InvalidRequest
from tiktok_ads_mart.secret import Secret

from .conftest import skip_without_browser
from .consent_browser import consent_chromium, consent_http


def options_for(running: RunningEmulator, redirect_uri: str, **extra: object) -> LoginOptions:
    return LoginOptions(
        app_id=running.app_id,
        secret=Secret(running.secret),
        api_base=running.base_url,
        redirect_uri=redirect_uri,
        timeout=20.0,
        **extra,  # type: ignore[arg-type]
    )


def test_portal_url_follows_the_api_base() -> None:
    assert portal_url_for("https://business-api.tiktok.com/open_api/v1.3/") == (
        "https://business-api.tiktok.com/portal/auth"
    )
    assert portal_url_for("https://sandbox-ads.tiktok.com/open_api/v1.3/").startswith("https://business-api")
    assert portal_url_for("http://127.0.0.1:9000/open_api/v1.3/") == "http://127.0.0.1:9000/portal/auth"
    url = authorization_url("https://x/portal/auth", "123", "st", "http://localhost:8080/callback")
    assert (
        url
        == "https://x/portal/auth?app_id=123&state=st&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback"
    )


@pytest.mark.browser
async def test_login_with_a_real_browser_clicking_authorize(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    skip_without_browser()
    pages: list[str] = []

    def browser(url: str) -> None:
        pages.append(consent_chromium(url, "authorize"))

    credential = await login(options_for(oauth_emulator, redirect_uri), store=store, open_url=browser)
    assert "authorized" in pages[0].lower()
    assert set(credential.advertiser_ids) == set(oauth_emulator.advertiser_ids)
    names = dict(credential.advertiser_names)
    world_names = {a["advertiser_id"]: a["name"] for a in oauth_emulator.emulator.world.advertisers()}
    assert names == world_names
    assert store.load("default") == credential
    async with TikTokClient(oauth_emulator.base_url, credential.access_token) as client:
        info = await client.get("advertiser/info/", {"advertiser_ids": list(credential.advertiser_ids)})
    assert {a["advertiser_id"] for a in info["list"]} == set(credential.advertiser_ids)


@pytest.mark.browser
async def test_deny_in_the_browser_fails_the_login_and_stores_nothing(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    skip_without_browser()
    pages: list[str] = []

    def browser(url: str) -> None:
        pages.append(consent_chromium(url, "deny"))

    with pytest.raises(LoginError, match="access_denied"):
        await login(options_for(oauth_emulator, redirect_uri), store=store, open_url=browser)
    assert "access_denied" in pages[0]
    assert store.profiles() == []


async def test_login_over_plain_http_stores_several_profiles(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    for profile in ("first", "second"):
        await login(
            options_for(oauth_emulator, redirect_uri, profile=profile),
            store=store,
            open_url=lambda url: consent_http(url, "authorize"),
        )
    assert store.profiles() == ["first", "second"]
    first, second = store.load("first"), store.load("second")
    assert first is not None and second is not None
    assert first.access_token != second.access_token
    assert first.refresh_token is None and first.access_expires_at is None  # long-lived


async def test_wrong_state_is_refused(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    def forged(url: str) -> None:
        forged_url = url.split("state=")[0] + "state=forged&" + url.split("&", 2)[2]
        consent_http(forged_url, "authorize")

    with pytest.raises(LoginError, match="wrong state"):
        await login(options_for(oauth_emulator, redirect_uri), store=store, open_url=forged)
    assert store.profiles() == []


async def test_missing_state_is_refused(redirect_uri: str) -> None:
    async with CallbackServer(redirect_uri, "expected") as server:
        async with httpx.AsyncClient() as client:
            answer = await client.get(redirect_uri, params={"auth_code": "abc"})
        assert answer.status_code == 400
        with pytest.raises(LoginError, match="missing or wrong state"):
            await server.wait(1.0)


async def test_callback_ignores_other_paths_and_times_out(redirect_uri: str) -> None:
    async with CallbackServer(redirect_uri, "s") as server:
        async with httpx.AsyncClient() as client:
            assert (await client.get(redirect_uri.replace("/callback", "/favicon.ico"))).status_code == 404
        with pytest.raises(LoginError, match=r"no answer from the browser within 0\.2s"):
            await server.wait(0.2)


async def test_port_in_use_is_one_clear_error(redirect_uri: str) -> None:
    port = int(redirect_uri.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        with pytest.raises(LoginError, match=f"port {port} is in use"):
            async with CallbackServer(redirect_uri, "s"):
                pass


async def test_a_reused_code_is_refused(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    codes: list[str] = []

    async def catch_code() -> None:
        async with CallbackServer(redirect_uri, "st") as server:
            url = authorization_url(oauth_emulator.portal_url, oauth_emulator.app_id, "st", redirect_uri)
            await asyncio.to_thread(consent_http, url, "authorize")
            codes.append((await server.wait(5)).auth_code.reveal())

    await catch_code()
    options = options_for(oauth_emulator, redirect_uri)
    first = await exchange(options, codes[0], store=store)
    assert first.advertiser_ids
    with pytest.raises(InvalidRequest) as caught:
        await exchange(options, codes[0], store=store)
    assert caught.value.code == 40110


def test_pasted_redirect_urls() -> None:
    url = "http://localhost:8080/callback?auth_code=abc123&state=xyz"
    assert code_from_pasted(url).reveal() == "abc123"
    assert code_from_pasted(url, expected_state="xyz").reveal() == "abc123"
    assert code_from_pasted("  abc123\n").reveal() == "abc123"
    with pytest.raises(LoginError, match="wrong state"):
        code_from_pasted(url, expected_state="other")
    with pytest.raises(ConfigError, match="malformed redirect URL"):
        code_from_pasted("http://localhost:8080/callback?state=xyz")
    with pytest.raises(LoginError, match="access_denied"):
        code_from_pasted("http://localhost:8080/callback?error=access_denied&state=xyz")
    with pytest.raises(ConfigError):
        code_from_pasted("not a code")


async def test_wrong_secret_is_refused(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    options = LoginOptions(
        app_id=oauth_emulator.app_id, secret=Secret("wrong"), api_base=oauth_emulator.base_url, timeout=5
    )
    with pytest.raises(InvalidRequest) as caught:
        await exchange(options, "whatever-code", store=store)
    assert caught.value.code == 40101
    assert caught.value.request_id and caught.value.request_id in str(caught.value)


def test_redirect_uri_must_be_local_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="redirect URI"):
        CallbackServer("https://example.com/callback", "s")


def test_api_base_resolution() -> None:
    from tiktok_ads_mart.api import PRODUCTION_API_BASE, SANDBOX_API_BASE
    from tiktok_ads_mart.auth import resolve_api_base

    assert resolve_api_base(env={}) == PRODUCTION_API_BASE
    assert resolve_api_base(sandbox=True, env={}) == SANDBOX_API_BASE
    assert resolve_api_base(env={"TIKTOK_API_BASE": "http://127.0.0.1:9000/open_api/v1.3"}) == (
        "http://127.0.0.1:9000/open_api/v1.3/"
    )
    assert resolve_api_base("https://x/open_api/v1.3/", sandbox=True, env={}) == "https://x/open_api/v1.3/"
