"""Reports of accounts past TikTok's 20,000-ad cut-off, read in id batches that each stay under it.

A synchronous report reads at most the newest 20,000 ads of its scope and says so in the
``X-Tt-Ads-Throttle`` header (doc 1740302848100353; FAQ doc 1738864850353154): the rest of a big
account's rows are simply missing. TikTok's remedy is to filter by ``campaign_ids`` / ``adgroup_ids`` /
``ad_ids``, at most 100 ids a request. So once a report of an advertiser comes back cut, the advertiser's
ads are listed once (ids only), grouped into batches of whole campaigns (or ad groups, for a campaign that
alone passes the cap) that each hold at most 20,000 ads, and every report window of that advertiser is
read batch by batch. An account under the cap never pays for any of this.

Batches split the *entities* a row is about, so a campaign, ad group or ad row comes from exactly one
batch and nothing has to be added up. An advertiser-level row is the sum over every batch, which only
additive metrics survive; those reports of a big account are read as an asynchronous task instead, which
TikTok does not cut (see :mod:`tiktok_ads_mart.sync.tasks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

AD_CAP = 20_000
"""Ads a synchronous report reads at most (doc 1740302848100353)."""
MAX_FILTER_IDS = 100
"""Ids one ``campaign_ids`` / ``adgroup_ids`` / ``ad_ids`` filter takes at most (same doc)."""


@dataclass(frozen=True)
class Batch:
    """One filter that keeps a report under the cap: ``field_name IN ids``."""

    field_name: str
    ids: tuple[str, ...]

    def filtered(self, params: dict[str, Any]) -> dict[str, Any]:
        """The request's parameters with this batch added to its ``filtering``."""
        entry = {
            "field_name": self.field_name,
            "filter_type": "IN",
            "filter_value": orjson.dumps(self.ids).decode(),
        }
        return {**params, "filtering": [*params.get("filtering", []), entry]}


def plan_batches(
    ads: Iterable[tuple[str, str, str]], *, cap: int = AD_CAP, max_ids: int = MAX_FILTER_IDS
) -> list[Batch]:
    """Batches over ``(campaign_id, adgroup_id, ad_id)`` triples: whole campaigns packed in order while
    they fit (at most ``cap`` ads and ``max_ids`` ids), a campaign past the cap by its ad groups, and an ad
    group past it by its ads."""
    tree: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for campaign_id, adgroup_id, ad_id in ads:
        tree[campaign_id][adgroup_id].append(ad_id)
    batches: list[Batch] = []
    campaigns = {c: {g: len(a) for g, a in groups.items()} for c, groups in tree.items()}
    small = {c: sum(sizes.values()) for c, sizes in campaigns.items() if sum(sizes.values()) <= cap}
    batches += _pack("campaign_ids", small, cap, max_ids)
    for campaign_id in sorted(set(campaigns) - set(small)):
        groups = tree[campaign_id]
        fitting = {g: len(a) for g, a in groups.items() if len(a) <= cap}
        batches += _pack("adgroup_ids", fitting, cap, max_ids)
        for adgroup_id in sorted(set(groups) - set(fitting)):
            ids = sorted(groups[adgroup_id])
            batches += [Batch("ad_ids", tuple(ids[i : i + max_ids])) for i in range(0, len(ids), max_ids)]
    return batches


def _pack(field_name: str, sizes: dict[str, int], cap: int, max_ids: int) -> list[Batch]:
    """Ids in order into batches of at most ``max_ids`` ids and ``cap`` ads (each id fits alone)."""
    batches: list[Batch] = []
    current: list[str] = []
    held = 0
    for entity_id in sorted(sizes):
        if current and (held + sizes[entity_id] > cap or len(current) == max_ids):
            batches.append(Batch(field_name, tuple(current)))
            current, held = [], 0
        current.append(entity_id)
        held += sizes[entity_id]
    if current:
        batches.append(Batch(field_name, tuple(current)))
    return batches


__all__ = ["AD_CAP", "MAX_FILTER_IDS", "Batch", "plan_batches"]
