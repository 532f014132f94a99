"""TikTok's advertiser OAuth: the authorization URL, code exchange, advertiser names, refresh, revoke.

``login`` runs the browser flow end to end (local callback server, consent page, exchange, store);
``exchange`` finishes a login from a code or a pasted redirect URL on machines without a browser.
Every HTTP call goes through :class:`~tiktok_ads_mart.api.TikTokClient` like any other request.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tiktok_ads_mart.api import DEFAULT_RATE_LIMITS, PRODUCTION_API_BASE, RateLimits, TikTokClient
from tiktok_ads_mart.auth.callback import CallbackServer
from tiktok_ads_mart.auth.store import TokenStore, open_store
from tiktok_ads_mart.auth.tokens import Credential
from tiktok_ads_mart.errors import ConfigError, LoginError, TikTokAdsMartError, TokenStoreError
from tiktok_ads_mart.secret import Secret

log = logging.getLogger("tiktok_ads_mart.auth")

TIKTOK_PORTAL_URL = "https://business-api.tiktok.com/portal/auth"
DEFAULT_REDIRECT_URI = "http://localhost:8080/callback"
_TIKTOK_HOSTS = ("tiktok.com",)


def portal_url_for(api_base: str) -> str:
    """TikTok's consent page for TikTok's hosts; for any other API base (the emulator) the same origin."""
    parts = urlsplit(api_base)
    host = parts.hostname or ""
    if not host or any(host == h or host.endswith("." + h) for h in _TIKTOK_HOSTS):
        return TIKTOK_PORTAL_URL
    return f"{parts.scheme}://{parts.netloc}/portal/auth"


def authorization_url(portal_url: str, app_id: str, state: str, redirect_uri: str) -> str:
    query = urlencode({"app_id": app_id, "state": state, "redirect_uri": redirect_uri})
    return f"{portal_url}{'&' if '?' in portal_url else '?'}{query}"


@dataclass(frozen=True)
class LoginOptions:
    """Everything a login needs; ``portal_url`` defaults from ``api_base``."""

    app_id: str
    secret: Secret
    api_base: str = PRODUCTION_API_BASE
    portal_url: str | None = None
    redirect_uri: str = DEFAULT_REDIRECT_URI
    profile: str = "default"
    timeout: float = 300.0
    limits: RateLimits = DEFAULT_RATE_LIMITS
    http: httpx.AsyncClient | None = None

    def __post_init__(self) -> None:
        if not self.app_id:
            raise ConfigError("an app_id is needed: pass --app-id or set TIKTOK_APP_ID")
        if not self.secret:
            raise ConfigError("the app secret is needed: pass --secret or set TIKTOK_APP_SECRET")

    def client(self, token: Secret | None = None) -> TikTokClient:
        return TikTokClient(
            self.api_base, token, limits=self.limits, http=self.http, app_key=self.app_id, timeout=30.0
        )


# --- the OAuth endpoints --------------------------------------------------------------------------


async def exchange_code(
    client: TikTokClient, app_id: str, secret: Secret, auth_code: Secret
) -> dict[str, Any]:
    """``POST oauth2/access_token/``: a single-use code for a token (not retried: the code is spent)."""
    body = {"app_id": app_id, "secret": secret, "auth_code": auth_code}
    return await client.post("oauth2/access_token/", body, auth=False, idempotent=False)


async def refresh_access_token(
    client: TikTokClient, app_id: str, secret: Secret, refresh_token: Secret
) -> dict[str, Any]:
    """``POST oauth2/refresh_token/``: a new access token and a NEW refresh token (the old one dies)."""
    body = {"app_id": app_id, "secret": secret, "refresh_token": refresh_token, "grant_type": "refresh_token"}
    return await client.post("oauth2/refresh_token/", body, auth=False, idempotent=False)


async def fetch_advertiser_names(client: TikTokClient, app_id: str, secret: Secret) -> list[tuple[str, str]]:
    """``GET oauth2/advertiser/get/`` (the client's token, plus app_id and secret in the query)."""
    data = await client.get("oauth2/advertiser/get/", {"app_id": app_id, "secret": secret})
    pairs = []
    for item in data.get("list") or ():
        if isinstance(item, dict) and item.get("advertiser_id"):
            pairs.append((str(item["advertiser_id"]), str(item.get("advertiser_name") or "")))
    return pairs


async def revoke_token(
    client: TikTokClient, app_id: str, secret: Secret, access_token: Secret
) -> dict[str, Any]:
    """``POST oauth2/revoke_token/``: the token (and its refresh token) stop working at TikTok."""
    body = {"app_id": app_id, "secret": secret, "access_token": access_token}
    return await client.post("oauth2/revoke_token/", body, auth=False)


# --- login ----------------------------------------------------------------------------------------


async def complete_login(options: LoginOptions, auth_code: Secret, store: TokenStore) -> Credential:
    """Exchange ``auth_code``, name the advertisers, and store the credential; returns it."""
    async with options.client() as client:
        data = await exchange_code(client, options.app_id, options.secret, auth_code)
    credential = Credential.from_token_response(
        data,
        profile=options.profile,
        app_id=options.app_id,
        app_secret=options.secret,
        api_base=options.api_base,
    )
    async with options.client(credential.access_token) as client:
        names = await fetch_advertiser_names(client, options.app_id, options.secret)
    ids = credential.advertiser_ids or tuple(i for i, _ in names)
    credential = replace(credential, advertiser_ids=ids, advertiser_names=tuple(names))
    try:
        store.save(credential)
    except (TokenStoreError, OSError) as exc:
        await revoke_unstored(options, credential)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TokenStoreError(
            f"could not store the credential ({reason}); the new token was revoked at TikTok, so none is "
            "left live: log in again once the store works"
        ) from None
    return credential


async def revoke_unstored(options: LoginOptions, credential: Credential) -> None:
    """A token that cannot be stored is revoked, so no live token is left that nobody holds."""
    try:
        async with options.client() as client:
            await revoke_token(client, options.app_id, options.secret, credential.access_token)
    except TikTokAdsMartError as exc:
        log.warning("could not revoke the token that was not stored: %s", exc)


def check_store(store: TokenStore, profile: str) -> None:
    """Read the store before the consent page, so a wrong passphrase or a corrupted file stops the
    login before an auth code is spent (``load`` decrypts the file, or finds nothing to decrypt)."""
    store.load(profile)


async def login(
    options: LoginOptions,
    *,
    store: TokenStore | None = None,
    open_url: Callable[[str], object] = webbrowser.open,
) -> Credential:
    """The browser login: consent page, redirect caught locally, code exchanged, credential stored.

    The store is opened first, so a machine that cannot store a credential says so before the browser
    opens. ``open_url`` runs in a worker thread (``webbrowser.open`` by default, so ``BROWSER`` works).
    """
    store = store if store is not None else open_store()
    check_store(store, options.profile)
    state = secrets.token_urlsafe(24)
    portal = options.portal_url or portal_url_for(options.api_base)
    async with CallbackServer(options.redirect_uri, state) as server:
        url = authorization_url(portal, options.app_id, state, options.redirect_uri)
        try:
            await asyncio.to_thread(open_url, url)
        except Exception as exc:
            raise LoginError(
                f"could not open a browser ({type(exc).__name__}); run again with --no-browser"
            ) from None
        result = await server.wait(options.timeout)
    return await complete_login(options, result.auth_code, store)


def code_from_pasted(pasted: str, expected_state: str | None = None) -> Secret:
    """An auth code typed in, or pulled out of a whole redirected URL (state checked when given)."""
    text = pasted.strip()
    if not text:
        raise ConfigError("no auth code given")
    looks_like_url = "://" in text or "?" in text or "=" in text
    if not looks_like_url:
        if any(ch.isspace() for ch in text) or len(text) > 512:
            raise ConfigError("that does not look like an auth code or a redirected URL")
        return Secret(text)
    query_text = urlsplit(text).query if "://" in text or text.startswith("/") else text.split("?", 1)[-1]
    query = {k: v[0] for k, v in parse_qs(query_text, keep_blank_values=True).items()}
    if query.get("error"):
        raise LoginError(
            f"authorization was not granted at TikTok: {query.get('error_description') or query['error']}"
        )
    code = query.get("auth_code") or query.get("code")
    if not code:
        raise ConfigError("malformed redirect URL: it carries no auth_code parameter")
    if expected_state is not None and not hmac.compare_digest(
        (query.get("state") or "").encode(), expected_state.encode()
    ):
        raise LoginError("the redirected URL carries a missing or wrong state; login aborted")
    return Secret(code)


async def exchange(
    options: LoginOptions, pasted: str, *, store: TokenStore | None = None, expected_state: str | None = None
) -> Credential:
    """Finish a login without the local server: from a code or the redirected URL the user copied."""
    store = store if store is not None else open_store()
    check_store(store, options.profile)
    return await complete_login(options, code_from_pasted(pasted, expected_state), store)
