"""The emulator's OAuth state: the app's credentials, auth codes, access and refresh tokens.

Every value is derived from the seed and a counter, so the same run issues the same tokens; every
expiry is measured on the emulator clock, so tests move time instead of waiting for it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from tiktok_ads_mart.emulator.params import ApiFailure, Code

AUTH_CODE_TTL = timedelta(hours=1)
ACCESS_TOKEN_TTL = timedelta(seconds=86400)
REFRESH_TOKEN_TTL = timedelta(seconds=31536000)

INVALID_TOKEN_MESSAGE = "Access token is incorrect or has been revoked."


@dataclass
class AccessGrant:
    """One issued access token and what it may reach."""

    token: str
    app_id: str
    advertiser_ids: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime | None
    revoked: bool = False


@dataclass
class RefreshGrant:
    """One refresh token; it dies on first use (rotation)."""

    token: str
    app_id: str
    advertiser_ids: tuple[str, ...]
    expires_at: datetime
    used: bool = False


@dataclass
class AuthCode:
    """One consent result, exchangeable once within an hour."""

    code: str
    app_id: str
    advertiser_ids: tuple[str, ...]
    expires_at: datetime
    used: bool = False


@dataclass
class TokenRegistry:
    """Issues and checks credentials for the one app the emulator knows."""

    seed: int
    app_id: str
    secret: str
    mode: Literal["long-lived", "expiring"]
    clock: Callable[[], datetime]
    _counter: int = 0
    _access: dict[str, AccessGrant] = field(default_factory=dict)
    _refresh: dict[str, RefreshGrant] = field(default_factory=dict)
    _codes: dict[str, AuthCode] = field(default_factory=dict)

    def _derive(self, purpose: str, length: int = 40) -> str:
        """A fresh opaque value, deterministic from the seed and issue order."""
        self._counter += 1
        digest = hashlib.sha256(f"{self.seed}:{purpose}:{self._counter}".encode()).hexdigest()
        return digest[:length]

    @property
    def expiring(self) -> bool:
        return self.mode == "expiring"

    def check_app(self, app_id: str | None, secret: str | None) -> None:
        """40101 unless both app credentials match (compared in constant time)."""
        if app_id is None or secret is None:
            raise ApiFailure(Code.INVALID_PARTNER, "app_id and secret are required.")
        same_app = hmac.compare_digest(app_id.encode(), self.app_id.encode())
        same_secret = hmac.compare_digest(secret.encode(), self.secret.encode())
        if not (same_app and same_secret):
            raise ApiFailure(Code.INVALID_PARTNER, "The app_id and secret do not match.")

    def issue_access(self, advertiser_ids: Sequence[str]) -> AccessGrant:
        """A new access token; in expiring mode it lives 24 hours of emulator time."""
        now = self.clock()
        grant = AccessGrant(
            token=self._derive("access"),
            app_id=self.app_id,
            advertiser_ids=tuple(advertiser_ids),
            issued_at=now,
            expires_at=now + ACCESS_TOKEN_TTL if self.expiring else None,
        )
        self._access[grant.token] = grant
        return grant

    def _issue_refresh(self, advertiser_ids: Sequence[str]) -> RefreshGrant:
        grant = RefreshGrant(
            token=self._derive("refresh"),
            app_id=self.app_id,
            advertiser_ids=tuple(advertiser_ids),
            expires_at=self.clock() + REFRESH_TOKEN_TTL,
        )
        self._refresh[grant.token] = grant
        return grant

    def issue_auth_code(self, advertiser_ids: Sequence[str]) -> str:
        """Record a consent; the code is good for one exchange within an hour."""
        code = AuthCode(
            code=self._derive("auth_code", 32),
            app_id=self.app_id,
            advertiser_ids=tuple(advertiser_ids),
            expires_at=self.clock() + AUTH_CODE_TTL,
        )
        self._codes[code.code] = code
        return code.code

    def exchange_auth_code(self, auth_code: str) -> tuple[AccessGrant, RefreshGrant | None]:
        """40110 for an unknown, used or expired code; otherwise the tokens of that consent."""
        code = self._codes.get(auth_code)
        if code is None:
            raise ApiFailure(Code.AUTH_CODE_ERROR, "Auth code is invalid.")
        if code.used:
            raise ApiFailure(Code.AUTH_CODE_ERROR, "Auth code has already been used.")
        if self.clock() >= code.expires_at:
            raise ApiFailure(Code.AUTH_CODE_ERROR, "Auth code has expired.")
        code.used = True
        access = self.issue_access(code.advertiser_ids)
        refresh = self._issue_refresh(code.advertiser_ids) if self.expiring else None
        return access, refresh

    def rotate(self, refresh_token: str) -> tuple[AccessGrant, RefreshGrant]:
        """A new access token and a NEW refresh token; the presented one is dead from now on."""
        grant = self._refresh.get(refresh_token)
        if grant is None or grant.used:
            raise ApiFailure(Code.INVALID_REFRESH_TOKEN, "Refresh token is invalid or has already been used.")
        if self.clock() >= grant.expires_at:
            raise ApiFailure(Code.REFRESH_TOKEN_EXPIRE, "Refresh token has expired.")
        grant.used = True
        return self.issue_access(grant.advertiser_ids), self._issue_refresh(grant.advertiser_ids)

    def revoke(self, access_token: str) -> AccessGrant:
        """Kill a token at once; 40105 if it was never valid or is already revoked."""
        grant = self._access.get(access_token)
        if grant is None or grant.revoked:
            raise ApiFailure(Code.INVALID_ACCESS_TOKEN, INVALID_TOKEN_MESSAGE)
        grant.revoked = True
        return grant

    def app_of(self, access_token: str | None) -> str | None:
        """The app a token belongs to (even if expired), so throttling can count it."""
        if not access_token:
            return None
        grant = self._access.get(access_token)
        return None if grant is None else grant.app_id

    def authenticate(self, access_token: str | None) -> AccessGrant:
        """The ``Access-Token`` check of every data call: 40104, 40105 or 40102."""
        if not access_token:
            raise ApiFailure(Code.EMPTY_ACCESS_TOKEN, "Access-Token header is missing.")
        grant = self._access.get(access_token)
        if grant is None or grant.revoked:
            raise ApiFailure(Code.INVALID_ACCESS_TOKEN, INVALID_TOKEN_MESSAGE)
        if grant.expires_at is not None and self.clock() >= grant.expires_at:
            raise ApiFailure(Code.ACCESS_TOKEN_EXPIRE, "Access token has expired.")
        return grant


def require_advertiser(grant: AccessGrant, advertiser_id: str) -> None:
    """40001 when the token was not granted this advertiser."""
    if advertiser_id not in grant.advertiser_ids:
        raise ApiFailure(Code.PERMISSION_ERROR, f"No permission to operate advertiser {advertiser_id}.")


def token_payload(
    access: AccessGrant, refresh: RefreshGrant | None, scope: Sequence[int]
) -> dict[str, object]:
    """The ``data`` of a token answer: ``scope`` is the app's permission ids (TikTok answers a list of
    ints); refresh fields only exist in expiring mode."""
    data: dict[str, object] = {
        "access_token": access.token,
        "advertiser_ids": list(access.advertiser_ids),
        "scope": list(scope),
    }
    if refresh is not None:
        data["access_token_expire_in"] = int(ACCESS_TOKEN_TTL.total_seconds())
        data["refresh_token"] = refresh.token
        data["refresh_token_expire_in"] = int(REFRESH_TOKEN_TTL.total_seconds())
    return data


__all__ = [
    "ACCESS_TOKEN_TTL",
    "AUTH_CODE_TTL",
    "INVALID_TOKEN_MESSAGE",
    "REFRESH_TOKEN_TTL",
    "AccessGrant",
    "AuthCode",
    "RefreshGrant",
    "TokenRegistry",
    "require_advertiser",
    "token_payload",
]
