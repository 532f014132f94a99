"""Authentication: the browser login, encrypted credential storage, and refreshing token sources."""

from __future__ import annotations

from tiktok_ads_mart.auth.callback import CallbackServer
from tiktok_ads_mart.auth.oauth import (
    DEFAULT_REDIRECT_URI,
    LoginOptions,
    authorization_url,
    code_from_pasted,
    exchange,
    login,
    portal_url_for,
)
from tiktok_ads_mart.auth.refresh import (
    RefreshingTokenSource,
    logout,
    resolve_api_base,
    resolve_token_source,
)
from tiktok_ads_mart.auth.store import (
    EncryptedFileStore,
    KeyringStore,
    TokenStore,
    open_store,
    usable_keyring,
)
from tiktok_ads_mart.auth.tokens import Credential
from tiktok_ads_mart.config import home_dir
from tiktok_ads_mart.errors import LoginError

__all__ = [
    "DEFAULT_REDIRECT_URI",
    "CallbackServer",
    "Credential",
    "EncryptedFileStore",
    "KeyringStore",
    "LoginError",
    "LoginOptions",
    "RefreshingTokenSource",
    "TokenStore",
    "authorization_url",
    "code_from_pasted",
    "exchange",
    "home_dir",
    "login",
    "logout",
    "open_store",
    "portal_url_for",
    "resolve_api_base",
    "resolve_token_source",
    "usable_keyring",
]
