"""Id batches for accounts past TikTok's 20,000-ad cut-off: every ad in exactly one batch, no batch over
the cap or over 100 ids, whole campaigns where they fit."""

from __future__ import annotations

from collections import Counter

from tiktok_ads_mart.sync.batches import Batch, plan_batches


def _tree(campaigns: int, adgroups: int, ads: int) -> list[tuple[str, str, str]]:
    return [
        (f"c{c:03}", f"c{c:03}g{g:03}", f"c{c:03}g{g:03}a{a:05}")
        for c in range(campaigns)
        for g in range(adgroups)
        for a in range(ads)
    ]


def _ads_of(batch: Batch, triples: list[tuple[str, str, str]]) -> list[str]:
    column = {"campaign_ids": 0, "adgroup_ids": 1, "ad_ids": 2}[batch.field_name]
    wanted = set(batch.ids)
    return [t[2] for t in triples if t[column] in wanted]


def test_every_ad_lands_in_exactly_one_batch_under_both_limits() -> None:
    triples = _tree(150, 10, 30)  # 45,000 ads in 150 campaigns of 300
    batches = plan_batches(triples)
    seen = Counter(ad for batch in batches for ad in _ads_of(batch, triples))
    assert set(seen) == {t[2] for t in triples} and set(seen.values()) == {1}
    assert all(len(b.ids) <= 100 and len(_ads_of(b, triples)) <= 20_000 for b in batches)
    assert {b.field_name for b in batches} == {"campaign_ids"}
    assert len(batches) == 3  # 66 + 66 + 18 campaigns: as few requests as the limits allow


def test_a_campaign_past_the_cap_is_split_by_ad_group_and_an_ad_group_by_ads() -> None:
    huge_campaign = [("big", f"g{g}", f"g{g}a{a}") for g in range(30) for a in range(1_000)]
    huge_adgroup = [("odd", "one", f"x{a}") for a in range(20_050)]
    triples = [*_tree(3, 2, 5), *huge_campaign, *huge_adgroup]
    batches = plan_batches(triples)
    seen = Counter(ad for batch in batches for ad in _ads_of(batch, triples))
    assert set(seen) == {t[2] for t in triples} and set(seen.values()) == {1}
    assert all(len(b.ids) <= 100 and len(_ads_of(b, triples)) <= 20_000 for b in batches)
    kinds = Counter(b.field_name for b in batches)
    assert kinds == {"campaign_ids": 1, "adgroup_ids": 2, "ad_ids": 201}


def test_a_batch_adds_its_filter_to_the_request() -> None:
    params = {
        "filtering": [{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}]
    }
    filtered = Batch("campaign_ids", ("1", "2")).filtered(params)
    assert filtered["filtering"][1] == {
        "field_name": "campaign_ids",
        "filter_type": "IN",
        "filter_value": '["1","2"]',
    }
    assert len(params["filtering"]) == 1  # the job's own parameters are left alone
