"""Whom a run reads: the advertisers a credential can see, and their details from ``advertiser/info/``.

Both the sync and the `advertisers` command come here, so ``advertiser/info/`` is batched in one place
(TikTok takes at most 100 ids a call) and the app's id and secret are read from the environment once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from tiktok_ads_mart.api import TikTokClient, TokenCredential
from tiktok_ads_mart.auth.oauth import fetch_advertiser_names
from tiktok_ads_mart.auth.refresh import app_from_env
from tiktok_ads_mart.errors import ApiCode, ApiError, ConfigError, PermissionDenied, TransportError
from tiktok_ads_mart.secret import Secret
from tiktok_ads_mart.sync.arrow import AdvertiserContext, zone_for
from tiktok_ads_mart.sync.stats import RunStats

log = logging.getLogger("tiktok_ads_mart.sync")

INFO_PATH = "advertiser/info/"
IDS_PER_CALL = 100
"""``advertiser/info/`` takes at most 100 ids per call."""
DISPLAY_FIELDS = ("advertiser_id", "name", "timezone", "display_timezone", "currency", "status")

OnDenied = Callable[[str, Exception], None]


async def advertiser_ids_for(
    client: TikTokClient, known: Sequence[str], app_id: str | None, secret: Secret | None
) -> list[str]:
    """The stored ids, or (for a bare ``TIKTOK_ACCESS_TOKEN``) the ones ``oauth2/advertiser/get/`` lists.

    Only the app's secret can list them, so without it the error names every other way: the ids
    themselves, the app's credentials, or a login.
    """
    if known:
        return list(known)
    if not app_id or not secret:
        raise ConfigError(
            "cannot tell which advertisers this token reads: name them with --advertiser-ids, "
            "set TIKTOK_APP_ID and TIKTOK_APP_SECRET, or log in with `tiktok-ads-mart auth login`"
        )
    return [advertiser_id for advertiser_id, _ in await fetch_advertiser_names(client, app_id, secret)]


async def discover_advertiser_ids(client: TikTokClient, token: TokenCredential) -> list[str]:
    """Every advertiser the credential reads: the stored list, else ``oauth2/advertiser/get/``."""
    env_app_id, secret = app_from_env()
    return await advertiser_ids_for(client, token.advertiser_ids, env_app_id or token.app_id, secret)


async def advertiser_info(
    client: TikTokClient,
    advertiser_ids: Sequence[str],
    *,
    fields: Sequence[str] | None = None,
    on_denied: OnDenied | None = None,
) -> list[dict[str, Any]]:
    """``advertiser/info/`` for every id, 100 a call, rows as TikTok sends them.

    Without ``on_denied`` a refusal ends the call (the `advertisers` command shows it); with it, a batch
    refused for permission is asked again id by id, and each id that still fails is handed to it, so one
    unreadable advertiser does not cost the others their run.
    """
    ids = list(dict.fromkeys(advertiser_ids))
    extra = {"fields": list(fields)} if fields else {}
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[start : start + IDS_PER_CALL]
        try:
            rows += await _info(client, chunk, extra)
        except PermissionDenied:
            if on_denied is None:
                raise
            for advertiser_id in chunk:
                try:
                    rows += await _info(client, [advertiser_id], extra)
                except (ApiError, TransportError) as exc:
                    on_denied(advertiser_id, exc)
    return rows


async def _info(client: TikTokClient, ids: list[str], extra: dict[str, Any]) -> list[dict[str, Any]]:
    data = await client.get(INFO_PATH, {"advertiser_ids": ids, **extra})
    return [dict(item) for item in data.get("list") or () if isinstance(item, dict)]


async def fetch_advertisers(
    client: TikTokClient, advertiser_ids: Sequence[str], stats: RunStats
) -> list[dict[str, Any]]:
    """The run's advertisers; one that TikTok refuses or does not return is a failure of its own."""

    def denied(advertiser_id: str, error: Exception) -> None:
        stats.fail("advertisers", advertiser_id, error)

    rows = await advertiser_info(client, advertiser_ids, on_denied=denied)
    returned = {str(row.get("advertiser_id")) for row in rows}
    for advertiser_id in dict.fromkeys(advertiser_ids):
        if advertiser_id not in returned and advertiser_id not in stats.failures:
            denied(
                advertiser_id,
                PermissionDenied(ApiCode.PERMISSION_ERROR, "advertiser not returned by advertiser/info/"),
            )
    return rows


async def advertiser_details(client: TikTokClient, advertiser_ids: Sequence[str]) -> list[dict[str, Any]]:
    """What a person needs to pick an advertiser, one row per id in the order given."""
    rows = await advertiser_info(client, advertiser_ids, fields=DISPLAY_FIELDS)
    by_id = {str(row.get("advertiser_id")): row for row in rows}
    return [
        {field: by_id.get(i, {}).get(field) for field in DISPLAY_FIELDS} | {"advertiser_id": i}
        for i in dict.fromkeys(advertiser_ids)
    ]


async def list_advertisers(
    token: TokenCredential, api_base: str, only: Sequence[str] = (), app_secret: Secret | None = None
) -> list[dict[str, Any]]:
    """What the `advertisers` command shows: the named advertisers, else every one the token reads
    (a bare token needs the app's secret to list them), one row each."""
    async with TikTokClient(api_base, token) as client:
        ids = list(only) or await advertiser_ids_for(client, token.advertiser_ids, token.app_id, app_secret)
        return await advertiser_details(client, ids)


def context_for(row: dict[str, Any]) -> AdvertiserContext:
    """Report times are in ``timezone``; TikTok also gives an IANA ``display_timezone`` to fall back on."""
    candidates = [str(row.get(key)) for key in ("timezone", "display_timezone") if row.get(key)]
    timezone = next((name for name in candidates if zone_for(name) is not None), "UTC")
    if candidates and zone_for(candidates[0]) is None:
        log.warning(
            "advertiser %s: unknown timezone %r, using %s", row.get("advertiser_id"), candidates[0], timezone
        )
    currency = row.get("currency")
    return AdvertiserContext(str(row["advertiser_id"]), str(currency) if currency else None, timezone)


def contexts_of(rows: list[dict[str, Any]], failures: Collection[str]) -> dict[str, AdvertiserContext]:
    """Each readable advertiser's currency and timezone, which every report row carries, by id."""
    contexts = (context_for(row) for row in rows)
    return {ctx.advertiser_id: ctx for ctx in contexts if ctx.advertiser_id not in failures}


def in_shard(advertiser_id: str, index: int, count: int) -> bool:
    """Whether worker ``index`` of ``count`` syncs the advertiser: a hash of its id that every machine and
    Python version computes alike (``hash()`` is salted per process)."""
    digest = hashlib.sha256(advertiser_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def of_shard(advertiser_ids: Iterable[str], shard: tuple[int, int] | None) -> list[str]:
    """The advertisers worker ``shard`` = (I, N) takes: all of them without a shard."""
    if shard is None:
        return list(advertiser_ids)
    return [advertiser_id for advertiser_id in advertiser_ids if in_shard(advertiser_id, *shard)]


__all__ = [
    "advertiser_details",
    "advertiser_ids_for",
    "advertiser_info",
    "context_for",
    "contexts_of",
    "discover_advertiser_ids",
    "fetch_advertisers",
    "in_shard",
    "list_advertisers",
    "of_shard",
]
