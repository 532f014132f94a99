"""The token source a sync uses: the stored credential, refreshed ahead of expiry and once on 40102.

TikTok rotates refresh tokens: after ``oauth2/refresh_token/`` the old refresh token is dead. So the new
pair is written to the store in one atomic write right after the answer arrives and before the new
access token is handed to anyone; a crash after that point leaves a working credential on disk. Many
tasks that fail with the same expired token together cause one refresh: they queue on a lock and the
ones behind the first see that the token they failed with is no longer current.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import httpx

from tiktok_ads_mart.api import (
    DEFAULT_RATE_LIMITS,
    RateLimits,
    StaticTokenSource,
    TikTokClient,
    TokenCredential,
)
from tiktok_ads_mart.api.client import LOGIN_AGAIN
from tiktok_ads_mart.api.hosts import ApiBase, choose_api_base, url_for_bare_token, url_for_stored_token
from tiktok_ads_mart.auth.oauth import refresh_access_token, revoke_token
from tiktok_ads_mart.auth.store import CREDENTIALS_FILE, TokenStore, open_store
from tiktok_ads_mart.auth.tokens import Credential, utc_now
from tiktok_ads_mart.config import home_dir
from tiktok_ads_mart.errors import ApiCode, ApiError, AuthExpired, TokenStoreError
from tiktok_ads_mart.secret import Secret

log = logging.getLogger("tiktok_ads_mart.auth")

ACCESS_TOKEN_ENV = "TIKTOK_ACCESS_TOKEN"
APP_ID_ENV = "TIKTOK_APP_ID"
APP_SECRET_ENV = "TIKTOK_APP_SECRET"
REFRESH_AHEAD = timedelta(minutes=5)


class RefreshingTokenSource:
    """A :class:`~tiktok_ads_mart.api.TokenCredential` backed by a stored credential."""

    def __init__(
        self,
        credential: Credential,
        store: TokenStore,
        *,
        api_base: str | None = None,
        limits: RateLimits = DEFAULT_RATE_LIMITS,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._credential = credential
        self._store = store
        self.api_base = api_base or credential.api_base
        self._limits = limits
        self._http = http
        self._clock = clock
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"RefreshingTokenSource(profile={self._credential.profile!r}, app_id={self.app_id!r})"

    @property
    def credential(self) -> Credential:
        return self._credential

    @property
    def app_id(self) -> str:
        return self._credential.app_id

    @property
    def advertiser_ids(self) -> tuple[str, ...]:
        return self._credential.advertiser_ids

    async def access_token(self) -> Secret:
        current = self._credential
        if current.refreshable and current.expires_within(REFRESH_AHEAD, self._clock()):
            return await self._refresh(current.access_token)
        return current.access_token

    async def on_auth_expired(self, failed: Secret) -> Secret | None:
        if not self._credential.refreshable:
            return None
        return await self._refresh(failed)

    async def refresh(self) -> Credential:
        """Refresh now (``auth refresh``), whatever the expiry says."""
        await self._refresh(self._credential.access_token)
        return self._credential

    async def _refresh(self, failed: Secret) -> Secret:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            # one lock per event loop: the same source may serve a login run and then a sync run
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:
            if self._credential.access_token != failed:
                return self._credential.access_token  # another task refreshed while we waited
            stored = self._store.load(self._credential.profile)
            if stored is not None and stored.access_token != failed and stored.app_id == self.app_id:
                # Another process rotated the pair already; our refresh token is dead, theirs is not.
                self._credential = stored
                return stored.access_token
            current = self._credential
            if current.refresh_token is None:
                raise AuthExpired(
                    ApiCode.ACCESS_TOKEN_EXPIRE,
                    f"the access token expired and there is no refresh token; {LOGIN_AGAIN}",
                )
            async with TikTokClient(
                self.api_base, None, limits=self._limits, http=self._http, app_key=self.app_id
            ) as client:
                try:
                    data = await refresh_access_token(
                        client, current.app_id, current.app_secret, current.refresh_token
                    )
                except ApiError as exc:
                    if exc.retryable:
                        raise  # TikTok had a bad moment; the refresh token is still good
                    reason = exc.message.replace(f"; {LOGIN_AGAIN}", "")
                    raise AuthExpired(
                        exc.code, f"refreshing the token failed: {reason}; {LOGIN_AGAIN}", exc.request_id
                    ) from None
            rotated = current.rotated(data, self._clock())
            self._store.save(rotated)  # persist BEFORE use: the old refresh token is already dead
            self._credential = rotated
            self.refreshes += 1
            log.info("access token of profile %r refreshed", current.profile)
            return rotated.access_token


def app_from_env(env: Mapping[str, str] | None = None) -> tuple[str | None, Secret | None]:
    """The developer app's id and secret from ``TIKTOK_APP_ID`` / ``TIKTOK_APP_SECRET`` (empty: unset)."""
    env = os.environ if env is None else env
    secret = env.get(APP_SECRET_ENV)
    return env.get(APP_ID_ENV) or None, Secret(secret) if secret else None


def resolve_api_base(
    api_base: str | None = None, *, sandbox: bool = False, env: Mapping[str, str] | None = None
) -> str:
    """``--api-base`` / ``--sandbox`` / ``TIKTOK_API_BASE`` / production, in that order (checked)."""
    return url_for_bare_token(choose_api_base(api_base, sandbox=sandbox, env=env))


def resolve_token_source(
    profile: str = "default",
    store: TokenStore | None = None,
    api_base: str | ApiBase | None = None,
    env: Mapping[str, str] | None = None,
    *,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
    http: httpx.AsyncClient | None = None,
) -> TokenCredential:
    """The token source for a run: ``TIKTOK_ACCESS_TOKEN`` if set (static), else the stored profile.

    A stored profile's token is bound to the host that issued it (:func:`url_for_stored_token`);
    ``api_base`` given as a string is one the caller named, as ``--api-base`` on the command line is.
    """
    env = os.environ if env is None else env
    token = env.get(ACCESS_TOKEN_ENV)
    if token:
        return StaticTokenSource(Secret(token), app_id=app_from_env(env)[0])
    if store is None:
        try:
            store = open_store(env)
        except TokenStoreError as exc:
            if (home_dir(env) / CREDENTIALS_FILE).exists():  # it is there, only locked: say what unlocks it
                raise
            # nowhere a login could have put it: say how to get a token at all
            raise TokenStoreError(
                f"no credential for profile {profile!r}: {exc}; then run `tiktok-ads-mart auth login` "
                f"(or set {ACCESS_TOKEN_ENV})"
            ) from None
    credential = store.load(profile)
    if credential is None:
        raise TokenStoreError(
            f"no credential stored for profile {profile!r}; run `tiktok-ads-mart auth login` "
            f"(or set {ACCESS_TOKEN_ENV})"
        )
    chosen = choose_api_base(api_base, env={}) if isinstance(api_base, str) else api_base
    url = url_for_stored_token(credential.api_base, chosen, profile)
    return RefreshingTokenSource(credential, store, api_base=url, limits=limits, http=http)


async def logout(
    profile: str,
    store: TokenStore,
    *,
    api_base: str | None = None,
    http: httpx.AsyncClient | None = None,
) -> Credential:
    """Revoke the profile's token at TikTok, then delete it locally (also if TikTok already forgot it)."""
    credential = store.load(profile)
    if credential is None:
        raise TokenStoreError(f"no credential stored for profile {profile!r}")
    url = url_for_stored_token(credential.api_base, choose_api_base(api_base, env={}), profile)
    async with TikTokClient(url, None, http=http, app_key=credential.app_id) as client:
        try:
            await revoke_token(client, credential.app_id, credential.app_secret, credential.access_token)
        except AuthExpired:
            log.info("the token of profile %r was already invalid at TikTok", profile)
    store.delete(profile)
    return credential
