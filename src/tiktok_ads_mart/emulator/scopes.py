"""The developer app's permission scopes (``emulator serve --scopes``) and which endpoint needs which.

TikTok grants scopes per developer app; a token's ``scope`` lists them as permission ids, and an endpoint
outside them answers 40001 "No permission to perform the related operation" (return codes doc
1737172488964097, permission scope doc 1753986142651394; the endpoint-to-scope list is doc
1735713875563521). The OAuth endpoints need none. The ids below are the leaves TikTok documents for
reading: a token of an app with every scope carries all of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppScope:
    """One scope an app can be granted: its flag name, the portal's wording and its permission id."""

    name: str
    title: str
    permission_id: int


APP_SCOPES: dict[str, AppScope] = {
    s.name: s
    for s in (
        AppScope("ad_account", "Ad Account Management: Read Ad Account Information", 100),
        AppScope("campaign", "Ads Management: Read Campaigns", 200),
        AppScope("adgroup", "Ads Management: Read Ad Groups", 210),
        AppScope("ad", "Ads Management: Read Ads", 220),
        AppScope("audience", "Audience Management: Read Custom Audiences", 30),
        AppScope("reporting", "Reporting: Consolidated Report", 44),
        AppScope("creative", "Creative Management: Read Creatives and Identities", 6),
        AppScope("pixel", "Pixel Management: Read Pixels", 8),
    )
}
ALL_SCOPES: tuple[str, ...] = tuple(APP_SCOPES)

ENDPOINT_SCOPE: dict[str, str] = {
    "advertiser/info/": "ad_account",
    "oauth2/advertiser/get/": "ad_account",
    "campaign/get/": "campaign",
    "adgroup/get/": "adgroup",
    "ad/get/": "ad",
    "dmp/custom_audience/list/": "audience",
    "dmp/custom_audience/get/": "audience",
    "report/integrated/get/": "reporting",
    "report/task/create/": "reporting",
    "report/task/check/": "reporting",
    "report/task/download/": "reporting",
    "report/task/cancel/": "reporting",
    "smart_plus/campaign/get/": "campaign",
    "smart_plus/adgroup/get/": "adgroup",
    "smart_plus/ad/get/": "ad",
    "file/video/ad/info/": "creative",
    "file/image/ad/info/": "creative",
    "identity/get/": "creative",
    "pixel/list/": "pixel",
    # TikTok's GMV Max pages name no scope: assumed Ads Management and Reporting (docs/emulator.md)
    "gmv_max/store/list/": "campaign",
    "gmv_max/campaign/get/": "campaign",
    "campaign/gmv_max/info/": "campaign",
    "gmv_max/report/get/": "reporting",
}


def parse_scopes(text: str) -> tuple[str, ...]:
    """``ad_account,campaign,...`` (or ``all``) into scope names; an unknown name is a ValueError."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if names == ["all"]:
        return ALL_SCOPES
    unknown = [name for name in names if name not in APP_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)} (known: {', '.join(ALL_SCOPES)})")
    return tuple(name for name in ALL_SCOPES if name in names)


__all__ = ["ALL_SCOPES", "APP_SCOPES", "ENDPOINT_SCOPE", "AppScope", "parse_scopes"]
