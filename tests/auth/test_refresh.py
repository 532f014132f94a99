"""Expiring tokens against the emulator: rotation, one refresh for many tasks, crashes, revocation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tiktok_ads_mart.api import RateLimits, StaticTokenSource, TikTokClient
from tiktok_ads_mart.auth import (
    Credential,
    EncryptedFileStore,
    LoginOptions,
    RefreshingTokenSource,
    login,
    logout,
    resolve_token_source,
)
from tiktok_ads_mart.auth.oauth import refresh_access_token
from tiktok_ads_mart.auth.tokens import utc_now
from tiktok_ads_mart.emulator import RunningEmulator
from tiktok_ads_mart.errors import AuthExpired, TokenStoreError
from tiktok_ads_mart.secret import Secret

from .consent_browser import consent_http

UNLIMITED = RateLimits(0, 0)


async def logged_in(running: RunningEmulator, store: EncryptedFileStore, redirect_uri: str) -> Credential:
    options = LoginOptions(
        app_id=running.app_id,
        secret=Secret(running.secret),
        api_base=running.base_url,
        redirect_uri=redirect_uri,
        timeout=10,
        limits=UNLIMITED,
    )
    return await login(options, store=store, open_url=lambda url: consent_http(url))


def advance(running: RunningEmulator, hours: float) -> None:
    running.emulator.set_now(running.emulator.now + timedelta(hours=hours))


async def read_advertisers(
    running: RunningEmulator, source: object, calls: int = 1
) -> list[dict[str, object]]:
    async with TikTokClient(running.base_url, source, limits=UNLIMITED) as client:  # type: ignore[arg-type]
        return await asyncio.gather(
            *(
                client.get("advertiser/info/", {"advertiser_ids": running.advertiser_ids})
                for _ in range(calls)
            )
        )


async def test_expired_token_is_refreshed_with_rotation_and_stored(
    expiring_oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    first = await logged_in(expiring_oauth_emulator, store, redirect_uri)
    assert first.refresh_token is not None and first.access_expires_at is not None
    advance(expiring_oauth_emulator, 25)
    source = resolve_token_source("default", store=store, env={}, limits=UNLIMITED)
    [answer] = await read_advertisers(expiring_oauth_emulator, source)
    assert len(answer["list"]) == 2  # type: ignore[arg-type]
    stored = store.load("default")
    assert stored is not None
    assert stored.access_token != first.access_token and stored.refresh_token != first.refresh_token
    stats = expiring_oauth_emulator.emulator.stats()
    assert stats["codes"].get("40102") == 1
    async with TikTokClient(expiring_oauth_emulator.base_url, None, limits=UNLIMITED) as client:
        with pytest.raises(AuthExpired) as caught:  # the old refresh token died at rotation
            await refresh_access_token(client, first.app_id, first.app_secret, first.refresh_token)
    assert caught.value.code == 40107


async def test_fifty_tasks_on_an_expired_token_cause_one_refresh(
    expiring_oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    await logged_in(expiring_oauth_emulator, store, redirect_uri)
    advance(expiring_oauth_emulator, 25)
    source = resolve_token_source("default", store=store, env={}, limits=UNLIMITED)
    answers = await read_advertisers(expiring_oauth_emulator, source, calls=50)
    assert len(answers) == 50
    stats = expiring_oauth_emulator.emulator.stats()
    assert stats["requests"]["oauth2/refresh_token/"] == 1
    assert isinstance(source, RefreshingTokenSource) and source.refreshes == 1


async def test_token_is_refreshed_ahead_of_expiry(
    expiring_oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    first = await logged_in(expiring_oauth_emulator, store, redirect_uri)
    almost_expired = lambda: utc_now() + timedelta(hours=23, minutes=57)  # noqa: E731
    source = RefreshingTokenSource(first, store, limits=UNLIMITED, clock=almost_expired)
    await read_advertisers(expiring_oauth_emulator, source)
    stats = expiring_oauth_emulator.emulator.stats()
    assert stats["requests"]["oauth2/refresh_token/"] == 1
    assert "40102" not in stats["codes"]  # refreshed before TikTok had to refuse anything


class SimulatedCrash(Exception):
    """The process dies here (an ordinary exception, so the event loop survives to check the store)."""


class CrashingStore:
    """Wraps a store and dies right after (or instead of) persisting the rotated pair."""

    def __init__(self, inner: EncryptedFileStore, *, after_write: bool) -> None:
        self.inner = inner
        self.after_write = after_write
        self.backend = inner.backend

    def load(self, profile: str) -> Credential | None:
        return self.inner.load(profile)

    def save(self, credential: Credential) -> None:
        if self.after_write:
            self.inner.save(credential)
        raise SimulatedCrash("killed")

    def delete(self, profile: str) -> bool:
        return self.inner.delete(profile)

    def profiles(self) -> list[str]:
        return self.inner.profiles()


async def test_crash_after_the_store_write_leaves_a_working_credential(
    expiring_oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    first = await logged_in(expiring_oauth_emulator, store, redirect_uri)
    advance(expiring_oauth_emulator, 25)
    doomed = RefreshingTokenSource(first, CrashingStore(store, after_write=True), limits=UNLIMITED)  # type: ignore[arg-type]
    with pytest.raises(SimulatedCrash):
        await read_advertisers(expiring_oauth_emulator, doomed)
    # a new process starts from the store: the rotated pair is there and works without another refresh
    source = resolve_token_source("default", store=store, env={}, limits=UNLIMITED)
    await read_advertisers(expiring_oauth_emulator, source)
    assert expiring_oauth_emulator.emulator.stats()["requests"]["oauth2/refresh_token/"] == 1
    advance(expiring_oauth_emulator, 25)  # and the stored refresh token is the live one
    await read_advertisers(expiring_oauth_emulator, source)
    assert expiring_oauth_emulator.emulator.stats()["requests"]["oauth2/refresh_token/"] == 2


async def test_crash_before_the_store_write_keeps_the_old_credential_usable(
    expiring_oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    """Refreshing ahead of expiry, a crash before the write leaves the old (still valid) token stored."""
    first = await logged_in(expiring_oauth_emulator, store, redirect_uri)
    almost_expired = lambda: utc_now() + timedelta(hours=23, minutes=57)  # noqa: E731
    doomed = RefreshingTokenSource(
        first,
        CrashingStore(store, after_write=False),
        limits=UNLIMITED,
        clock=almost_expired,  # type: ignore[arg-type]
    )
    with pytest.raises(SimulatedCrash):
        await read_advertisers(expiring_oauth_emulator, doomed)
    stored = store.load("default")
    assert stored == first  # the file is intact and readable
    [answer] = await read_advertisers(expiring_oauth_emulator, StaticTokenSource(stored.access_token))
    assert len(answer["list"]) == 2  # type: ignore[arg-type]


async def test_logout_revokes_then_calls_fail_with_a_login_hint(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    credential = await logged_in(oauth_emulator, store, redirect_uri)
    await read_advertisers(oauth_emulator, StaticTokenSource(credential.access_token))
    await logout("default", store)
    assert store.load("default") is None
    with pytest.raises(AuthExpired) as caught:
        await read_advertisers(oauth_emulator, StaticTokenSource(credential.access_token))
    assert caught.value.code == 40105
    assert "run `tiktok-ads-mart auth login` again" in str(caught.value)


async def test_revoked_long_lived_token_from_the_store_says_log_in_again(
    oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    await logged_in(oauth_emulator, store, redirect_uri)
    source = resolve_token_source("default", store=store, env={}, limits=UNLIMITED)
    stored = store.load("default")
    assert stored is not None
    oauth_emulator.emulator.tokens.revoke(stored.access_token.reveal())
    with pytest.raises(AuthExpired, match="auth login"):
        await read_advertisers(oauth_emulator, source)


def test_token_source_resolution(store: EncryptedFileStore) -> None:
    static = resolve_token_source(env={"TIKTOK_ACCESS_TOKEN": "tok", "TIKTOK_APP_ID": "9"})
    assert isinstance(static, StaticTokenSource) and static.app_id == "9"
    with pytest.raises(TokenStoreError, match="auth login"):
        resolve_token_source("nobody", store=store, env={})


async def test_a_dead_refresh_token_says_log_in_again_once(
    expiring_oauth_emulator: RunningEmulator, store: EncryptedFileStore, redirect_uri: str
) -> None:
    first = await logged_in(expiring_oauth_emulator, store, redirect_uri)
    assert first.refresh_token is not None
    async with TikTokClient(expiring_oauth_emulator.base_url, None, limits=UNLIMITED) as client:
        await refresh_access_token(client, first.app_id, first.app_secret, first.refresh_token)  # rotates
    advance(expiring_oauth_emulator, 25)
    stale = RefreshingTokenSource(first, store, limits=UNLIMITED)
    store.delete("default")  # nothing newer on disk either
    with pytest.raises(AuthExpired) as caught:
        await read_advertisers(expiring_oauth_emulator, stale)
    message = str(caught.value)
    assert message.startswith("TikTok error 40107: refreshing the token failed")
    assert message.count("auth login") == 1
