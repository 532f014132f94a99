"""TikTok's permission scopes, as far as this project reads: which scope each endpoint needs, and the
names a developer app's "Select Scope of permissions" step shows for them.

TikTok grants scopes per developer app, and a token answers ``scope`` as permission ids (a list of ints,
``oauth2/access_token/``). The ids form a tree: a first-level id (1 Ad Account Management, 2 Ads
Management, 3 Audience Management, 4 Reporting) grants everything beneath it (permission scope doc
1753986142651394). An endpoint outside the app's scopes answers 40001; which scope each endpoint needs is
TikTok's list of available endpoints (doc 1735713875563521).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """One permission the sync needs: its short name, the portal's wording, the ids that grant it."""

    name: str
    title: str
    ids: frozenset[int]


SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in (
        Scope("ad_account", "Ad Account Management > Read Ad Account Information", frozenset({1, 10, 100})),
        Scope("campaign", "Ads Management > Campaign > Read Campaigns", frozenset({2, 20, 200})),
        Scope("adgroup", "Ads Management > Ad Group > Read Ad Groups", frozenset({2, 21, 210})),
        Scope("ad", "Ads Management > Ad > Read Ads", frozenset({2, 22, 220})),
        Scope("audience", "Audience Management > Read Custom Audiences", frozenset({3, 30})),
        Scope("reporting", "Reporting > Consolidated Report", frozenset({4, 44})),
        Scope(
            "creative", "Creative Management > Read Creatives and Identities", frozenset({6, 600, 610, 693})
        ),
        Scope("pixel", "Pixel Management > Read Pixels", frozenset({8, 800})),
    )
}

SCOPE_OF_PATH: dict[str, str] = {
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
    "smart_plus/campaign/get/": "campaign",
    "smart_plus/adgroup/get/": "adgroup",
    "smart_plus/ad/get/": "ad",
    "file/video/ad/info/": "creative",
    "file/image/ad/info/": "creative",
    "identity/get/": "creative",
    "pixel/list/": "pixel",
    # GMV Max: TikTok's pages name no scope; read as Ads Management and Reporting (docs/emulator.md)
    "gmv_max/store/list/": "campaign",
    "gmv_max/campaign/get/": "campaign",
    "campaign/gmv_max/info/": "campaign",
    "gmv_max/report/get/": "reporting",
}

FIRST_LEVEL: dict[int, str] = {
    1: "Ad Account Management",
    2: "Ads Management",
    3: "Audience Management",
    4: "Reporting",
    5: "Measurement",
    6: "Creative Management",
    7: "App Management",
    8: "Pixel Management",
    9: "DPA Catalog Management",
    15: "Business Center",
}
"""Names of ids a token may carry beyond the ones this project reads (doc 1753986142651394)."""

ENABLE_HINT = "enable it in the developer app (My Apps > App Detail > Select Scope of permissions)"


def scope_titles(ids: Iterable[int]) -> list[str]:
    """What a token's ``scope`` ids grant, in the portal's words (an unknown id as its number)."""
    titles: list[str] = []
    for permission in ids:
        if permission in FIRST_LEVEL:
            titles.append(FIRST_LEVEL[permission])
        else:
            known = [s.title for s in SCOPES.values() if permission in s.ids]
            titles.append(known[0] if known else f"permission {permission}")
    return list(dict.fromkeys(titles))


def scope_for(path: str) -> Scope | None:
    """The scope ``path`` needs, if it is one this project reads."""
    name = SCOPE_OF_PATH.get(path)
    return SCOPES[name] if name else None


__all__ = ["ENABLE_HINT", "SCOPES", "SCOPE_OF_PATH", "Scope", "scope_for", "scope_titles"]
