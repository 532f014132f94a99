"""The advertisers a credential can read, with the details a person needs to pick one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tiktok_ads_mart.api import TikTokClient
from tiktok_ads_mart.auth.oauth import fetch_advertiser_names
from tiktok_ads_mart.errors import ConfigError
from tiktok_ads_mart.secret import Secret

ADVERTISER_FIELDS = ("advertiser_id", "name", "timezone", "display_timezone", "currency", "status")
#: ``advertiser/info/`` takes at most 100 ids per call.
IDS_PER_CALL = 100


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


async def advertiser_details(client: TikTokClient, advertiser_ids: Sequence[str]) -> list[dict[str, Any]]:
    """``advertiser/info/`` for every id, 100 per call, in the order given."""
    rows: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(advertiser_ids))
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[start : start + IDS_PER_CALL]
        data = await client.get(
            "advertiser/info/", {"advertiser_ids": chunk, "fields": list(ADVERTISER_FIELDS)}
        )
        by_id = {
            str(item.get("advertiser_id")): item for item in data.get("list") or () if isinstance(item, dict)
        }
        rows.extend(
            {field: by_id.get(i, {}).get(field) for field in ADVERTISER_FIELDS} | {"advertiser_id": i}
            for i in chunk
        )
    return rows
