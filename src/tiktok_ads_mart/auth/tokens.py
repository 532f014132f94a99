"""What a login leaves behind: one credential per profile, with its secrets kept in ``Secret`` boxes.

TikTok's Marketing API issues long-lived advertiser tokens (no refresh token, no expiry); the emulator's
``expiring`` mode and older guides have 24-hour tokens with a rotating refresh token. One type covers
both: ``refresh_token`` and the expiry times are simply absent for long-lived tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tiktok_ads_mart.errors import TokenStoreError
from tiktok_ads_mart.secret import Secret

CREDENTIAL_FORMAT = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _expiry(now: datetime, seconds: Any) -> datetime | None:
    try:
        return now + timedelta(seconds=int(seconds)) if seconds not in (None, "", 0) else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Credential:
    """An authorised app + token for one profile; ``repr`` never shows a secret."""

    profile: str
    app_id: str
    app_secret: Secret
    api_base: str
    access_token: Secret
    advertiser_ids: tuple[str, ...] = ()
    #: ``(advertiser_id, advertiser_name)`` pairs from ``oauth2/advertiser/get/``.
    advertiser_names: tuple[tuple[str, str], ...] = ()
    scope: tuple[int, ...] = ()
    obtained_at: datetime | None = None
    refresh_token: Secret | None = None
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None

    @property
    def refreshable(self) -> bool:
        return bool(self.refresh_token)

    def expires_within(self, ahead: timedelta, now: datetime | None = None) -> bool:
        """Whether the access token is gone (or will be) within ``ahead``; never for long-lived tokens."""
        if self.access_expires_at is None:
            return False
        return self.access_expires_at - (now or utc_now()) <= ahead

    @classmethod
    def from_token_response(
        cls,
        data: Mapping[str, Any],
        *,
        profile: str,
        app_id: str,
        app_secret: Secret,
        api_base: str,
        now: datetime | None = None,
    ) -> Credential:
        """Build a credential from ``oauth2/access_token/`` data; tolerates the extra creator-token fields."""
        now = now or utc_now()
        token = data.get("access_token")
        if not token:
            raise TokenStoreError("TikTok's token answer holds no access_token")
        refresh = data.get("refresh_token")
        ids = tuple(str(i) for i in data.get("advertiser_ids") or ())
        scope = tuple(int(s) for s in data.get("scope") or () if str(s).lstrip("-").isdigit())
        return cls(
            profile=profile,
            app_id=app_id,
            app_secret=app_secret,
            api_base=api_base,
            access_token=Secret(str(token)),
            advertiser_ids=ids,
            scope=scope,
            obtained_at=now,
            refresh_token=Secret(str(refresh)) if refresh else None,
            access_expires_at=_expiry(now, data.get("access_token_expire_in") or data.get("expires_in")),
            refresh_expires_at=_expiry(
                now, data.get("refresh_token_expire_in") or data.get("refresh_token_expires_in")
            ),
        )

    def rotated(self, data: Mapping[str, Any], now: datetime | None = None) -> Credential:
        """The credential after ``oauth2/refresh_token/``: new access token and (rotated) refresh token."""
        fresh = Credential.from_token_response(
            data,
            profile=self.profile,
            app_id=self.app_id,
            app_secret=self.app_secret,
            api_base=self.api_base,
            now=now,
        )
        return replace(
            self,
            access_token=fresh.access_token,
            refresh_token=fresh.refresh_token or self.refresh_token,
            obtained_at=fresh.obtained_at,
            access_expires_at=fresh.access_expires_at,
            refresh_expires_at=fresh.refresh_expires_at or self.refresh_expires_at,
            advertiser_ids=fresh.advertiser_ids or self.advertiser_ids,
            scope=fresh.scope or self.scope,
        )

    def advertiser_name(self, advertiser_id: str) -> str | None:
        return dict(self.advertiser_names).get(advertiser_id)

    def to_storage(self) -> dict[str, Any]:
        """The plain form, secrets revealed: for the encrypted store only."""
        return {
            "format": CREDENTIAL_FORMAT,
            "profile": self.profile,
            "app_id": self.app_id,
            "app_secret": self.app_secret.reveal(),
            "api_base": self.api_base,
            "access_token": self.access_token.reveal(),
            "refresh_token": self.refresh_token.reveal() if self.refresh_token else None,
            "advertiser_ids": list(self.advertiser_ids),
            "advertiser_names": [list(pair) for pair in self.advertiser_names],
            "scope": list(self.scope),
            "obtained_at": _time(self.obtained_at),
            "access_expires_at": _time(self.access_expires_at),
            "refresh_expires_at": _time(self.refresh_expires_at),
        }

    @classmethod
    def from_storage(cls, raw: Mapping[str, Any]) -> Credential:
        try:
            refresh = raw.get("refresh_token")
            return cls(
                profile=str(raw["profile"]),
                app_id=str(raw["app_id"]),
                app_secret=Secret(str(raw["app_secret"])),
                api_base=str(raw["api_base"]),
                access_token=Secret(str(raw["access_token"])),
                refresh_token=Secret(str(refresh)) if refresh else None,
                advertiser_ids=tuple(str(i) for i in raw.get("advertiser_ids") or ()),
                advertiser_names=tuple((str(p[0]), str(p[1])) for p in raw.get("advertiser_names") or ()),
                scope=tuple(int(s) for s in raw.get("scope") or ()),
                obtained_at=_parse_time(raw.get("obtained_at")),
                access_expires_at=_parse_time(raw.get("access_expires_at")),
                refresh_expires_at=_parse_time(raw.get("refresh_expires_at")),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise TokenStoreError(
                f"a stored credential is damaged ({type(exc).__name__}); run `auth login` again"
            ) from None
