"""GMV Max (TikTok Shop) campaigns: stores, campaigns and their reports.

Four GET endpoints, read from the GMV Max world of :mod:`tiktok_ads_mart.emulator.gmv_max_world`:
``gmv_max/store/list/`` (doc 1822001044479041), ``gmv_max/campaign/get/`` (doc 1826463372290177),
``campaign/gmv_max/info/`` (doc 1822000968821762) and ``gmv_max/report/get/`` (docs 1824721673497601 and
1824722485971009, in :mod:`tiktok_ads_mart.emulator.gmv_max_report`). The plain functions below
(``stores``, ``campaigns``, ``campaign_details``, ``daily_cost``, ``campaign_daily``, ``product_daily``)
are the same data for tests to compare the HTTP answers with. docs/emulator.md lists each rule with its
source and what is assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tiktok_ads_mart.emulator.gmv_max_report import report_get, round_ratio
from tiktok_ads_mart.emulator.gmv_max_world import (
    PRODUCT_GMV_MAX,
    PROMOTION_TYPES,
    GmvAccount,
    GmvCampaign,
    Store,
    account,
)
from tiktok_ads_mart.emulator.ids import format_utc, local_date
from tiktok_ads_mart.emulator.params import Call, ParamError, as_id_list, as_string_list, is_blank, page_info

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.world import World

MAX_CAMPAIGN_PAGE_SIZE = 100  # doc 1826463372290177, page_size: 1-100
MAX_STORE_FILTER = 10  # doc 1826463372290177, filtering.store_ids: max size 10
MAX_CAMPAIGN_IDS = 100  # doc 1826463372290177, filtering.campaign_ids: max size 100
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
LIST_FIELDS = (
    "advertiser_id",
    "campaign_id",
    "campaign_name",
    "operation_status",
    "create_time",
    "modify_time",
    "objective_type",
    "secondary_status",
    "roi_protection_compensation_status",
)
"""The fields of a ``gmv_max/campaign/get/`` item, in the doc's order; ``fields`` may name only these."""
LIST_FILTERS = frozenset(
    {
        "gmv_max_promotion_types",
        "store_ids",
        "campaign_ids",
        "campaign_name",
        "primary_status",
        "creation_filter_start_time",
        "creation_filter_end_time",
    }
)
LIST_PRIMARY_STATUSES = frozenset({"STATUS_DELIVERY_OK", "STATUS_DISABLE", "STATUS_DELETE"})
LOCATION_IDS = {
    "US": "6252001", "DE": "2921044", "JP": "1861060", "GB": "2635167", "BR": "3469034",
    "IN": "1269750", "AU": "2077456",
}  # fmt: skip
"""The location id (a GeoNames country id, as TikTok's location ids are) a shop of that region targets."""


# ------------------------------------------------------------------------------------------- rendering
def _number(value: float) -> int | float:
    """A JSON number as TikTok writes budgets and ROI targets: ``300``, ``5.5``."""
    return int(value) if float(value).is_integer() else value


def _list_item(adv_id: str, campaign: GmvCampaign, now: int) -> dict[str, Any]:
    state = campaign.state(now)
    in_effect = campaign.roi_protection_enabled and state.enabled and not state.deleted
    return {
        "advertiser_id": adv_id,
        "campaign_id": campaign.campaign_id,
        "campaign_name": state.name,
        "operation_status": campaign.operation_status(now),
        "create_time": format_utc(campaign.entity.created),
        "modify_time": format_utc(state.modified),
        "objective_type": "PRODUCT_SALES",
        "secondary_status": campaign.secondary_status(now),
        "roi_protection_compensation_status": "IN_EFFECT" if in_effect else "NOT_ELIGIBLE",
    }


def _store_item(store: Store) -> dict[str, Any]:
    return {
        "store_id": store.store_id,
        "is_gmv_max_available": store.is_gmv_max_available,
        "store_authorized_bc_id": store.bc_id,
        "is_owner_bc": store.is_owner_bc,
        "store_authorized_bc_info": {
            "bc_id": store.bc_id,
            "bc_profile_image": f"https://shop-media.example.com/bc/{store.bc_id}.jpeg",
            "bc_name": store.bc_name,
            "user_role": "ADMIN",
        },
        "thumbnail_url": f"https://shop-media.example.com/store/{store.store_id}.jpeg",
        "store_name": store.store_name,
        "store_code": store.store_code,
        "targeting_region_codes": [store.region],
        "store_status": "ACTIVE",
        "store_role": "AD_PROMOTION",
        "exclusive_authorized_advertiser_info": {
            "advertiser_id": store.authorized_advertiser_id,
            "advertiser_name": store.authorized_advertiser_name,
            "advertiser_status": "STATUS_ENABLE",
        },
    }


def _details(adv_id: str, campaign: GmvCampaign, now: int) -> dict[str, Any]:
    state = campaign.state(now)
    budget = _number(state.budget)
    product = campaign.promotion_type == PRODUCT_GMV_MAX
    store = campaign.store
    increase = _number(state.budget * 0.5)
    boosts = {
        "budget_increase_percentage": 50,
        "increase_limit": 10,
        "current_budget": budget,
        "next_increase": increase,
        "remained_times": 10,
        "maximum_budget": _number(state.budget * 6),  # budget + budget x 50% x 10 remaining increases
    }
    out: dict[str, Any] = {
        "advertiser_id": adv_id,
        "operation_status": campaign.operation_status(now),
        "campaign_id": campaign.campaign_id,
        "campaign_name": state.name,
        "store_id": store.store_id,
        "store_authorized_bc_id": store.bc_id,
        "shopping_ads_type": campaign.shopping_ads_type,
        "product_specific_type": campaign.product_specific_type,
    }
    if campaign.product_specific_type == "CUSTOMIZED_PRODUCTS":
        out["item_group_ids"] = [p.item_group_id for p in campaign.products]
    out.update(
        {
            "optimization_goal": "VALUE",
            "roi_protection_enabled": campaign.roi_protection_enabled,
            "deep_bid_type": "VO_MIN_ROAS",
            "roas_bid": _number(campaign.roas_bid),
            "budget": budget,
            "promotion_days": {
                "is_enabled": campaign.promotion_days_enabled,
                "auto_schedule_enabled": campaign.promotion_days_enabled,
                "custom_schedule_list": [],
                "roas_bid_multiplier": 90,
                "adjusted_roas_bid": _number(round(campaign.roas_bid * 0.9, 2)),
                **boosts,
                "estimated_gross_revenue_increase": "24%",
            },
            "auto_budget": {"auto_budget_enabled": campaign.auto_budget_enabled, **boosts},
            "auto_budget_enabled": campaign.auto_budget_enabled,
            "schedule_type": "SCHEDULE_FROM_NOW",
            "schedule_start_time": format_utc(campaign.schedule_start),
            "schedule_end_time": format_utc(campaign.schedule_end),
            "placements": ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"] if product else ["PLACEMENT_TIKTOK"],
            "location_ids": [LOCATION_IDS.get(store.region, LOCATION_IDS["US"])],
            "age_groups": ["AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100"],
            "product_video_specific_type": "AUTO_SELECTION" if product else "UNSET",
            "accelerate_testing_for_new_videos": "ON" if campaign.accelerate_testing else "OFF",
            "identity_list": [
                {"identity_id": store.identity_id, "identity_type": "TTS_TT", "store_id": store.store_id}
            ],
            "affiliate_posts_enabled": product,
            "item_list": [],
            "campaign_custom_anchor_video_id": "",
            "custom_anchor_video_list": [],
        }
    )
    return out


# ---------------------------------------------------------------------------------------- ground truth
def stores(world: World, advertiser_id: str) -> list[dict[str, Any]]:
    """``store_list`` of ``gmv_max/store/list/``: [] for an advertiser without a TikTok Shop."""
    return [_store_item(store) for store in account(world, advertiser_id).stores]


def campaigns(world: World, advertiser_id: str) -> list[dict[str, Any]]:
    """Every GMV Max campaign created at or before the clock, deleted ones included, as list items plus
    ``promotion_type`` (``PRODUCT_GMV_MAX`` / ``LIVE_GMV_MAX``) and ``store_id`` for tests to filter by."""
    now = world.now_epoch
    return [
        {
            **_list_item(advertiser_id, c, now),
            "promotion_type": c.promotion_type,
            "store_id": c.store.store_id,
        }
        for c in account(world, advertiser_id).campaigns_at(now)
    ]


def campaign_details(world: World, advertiser_id: str, campaign_id: str) -> dict[str, Any]:
    """The ``data`` of ``campaign/gmv_max/info/``; KeyError for a campaign not (yet) in the account."""
    now = world.now_epoch
    for campaign in account(world, advertiser_id).campaigns_at(now):
        if campaign.campaign_id == campaign_id:
            return _details(advertiser_id, campaign, now)
    raise KeyError(f"unknown GMV Max campaign {campaign_id}")


@dataclass(frozen=True)
class DailyMetrics:
    """One local day of a campaign (or product), derived metrics from the day's exact sums."""

    cost: Decimal
    net_cost: Decimal
    gross_revenue: Decimal
    orders: int
    cost_per_order: Decimal
    roi: Decimal
    live_views: int = 0
    ten_second_live_views: int = 0
    live_follows: int = 0


def _money(minor: int, decimals: int) -> Decimal:
    return Decimal(minor).scaleb(-decimals)


def _daily(sums: dict[str, int], decimals: int) -> DailyMetrics:
    cost, orders, revenue = sums["cost"], sums["orders"], sums["gross_revenue"]
    return DailyMetrics(
        cost=_money(cost, decimals),
        net_cost=_money(sums.get("net_cost", 0), decimals),
        gross_revenue=_money(revenue, decimals),
        orders=orders,
        cost_per_order=_money(round_ratio(cost, orders, 1), decimals),
        roi=_money(round_ratio(revenue, cost, 100), 2),
        live_views=sums.get("live_views", 0),
        ten_second_live_views=sums.get("10_second_live_views", 0),
        live_follows=sums.get("live_follows", 0),
    )


def _today(acc: GmvAccount, now: int) -> int:
    """Index of the local day the clock is in (may lie past the grid when the clock moved far ahead)."""
    return (local_date(now, acc.advertiser.zone) - acc.first_day).days


def _per_day(
    acc: GmvAccount, present: np.ndarray, series: dict[str, np.ndarray], now: int
) -> dict[date, DailyMetrics]:
    visible = acc.visible(now)
    days = min(acc.days, _today(acc, now) + 1)
    shown = (present & visible)[: days * 24].reshape(days, 24).any(axis=1)
    sums = {k: (v * visible)[: days * 24].reshape(days, 24).sum(axis=1) for k, v in series.items()}
    return {
        acc.day(d): _daily({k: int(v[d]) for k, v in sums.items()}, acc.decimals)
        for d in range(days)
        if shown[d]
    }


def campaign_daily(world: World, advertiser_id: str) -> dict[str, dict[date, DailyMetrics]]:
    """Per campaign (deleted ones included), per local day on which it existed up to the clock: what the
    report's ``["campaign_id", "stat_time_day"]`` rows say with ``campaign_statuses: ["STATUS_ALL"]``."""
    acc = account(world, advertiser_id)
    now = world.now_epoch
    return {c.campaign_id: _per_day(acc, c.exists, c.hourly, now) for c in acc.campaigns_at(now)}


def product_daily(world: World, advertiser_id: str, campaign_id: str) -> dict[str, dict[date, DailyMetrics]]:
    """Per product of one Product GMV Max campaign, per local day: the report's
    ``["campaign_id", "item_group_id", "stat_time_day"]`` rows (net cost is not split by product: 0)."""
    acc = account(world, advertiser_id)
    now = world.now_epoch
    campaign = next(c for c in acc.campaigns_at(now) if c.campaign_id == campaign_id)
    return {
        product.item_group_id: _per_day(
            acc, campaign.exists, {k: v[p] for k, v in campaign.product_hourly.items()}, now
        )
        for p, product in enumerate(campaign.products)
    }


def daily_cost(world: World, advertiser_id: str) -> dict[date, Decimal]:
    """Total GMV Max cost per local day, every campaign (deleted ones too), from the first day of the
    world's history to the clock's day: what the report's ``["advertiser_id", "stat_time_day"]`` says."""
    acc = account(world, advertiser_id)
    now = world.now_epoch
    visible = acc.visible(now)
    days = min(acc.days, _today(acc, now) + 1)
    total = np.zeros(days, dtype=np.int64)
    for campaign in acc.campaigns_at(now):
        total += (campaign.hourly["cost"] * visible)[: days * 24].reshape(days, 24).sum(axis=1)
    return {acc.day(d): _money(int(total[d]), acc.decimals) for d in range(days)}


# ------------------------------------------------------------------------------------------- endpoints
def store_list(call: Call) -> dict[str, Any]:
    """GET gmv_max/store/list/: every shop the account can see; no paging (the doc has none)."""
    _, advertiser_id = call.advertiser()
    return {"store_list": stores(call.emulator.world, advertiser_id)}


def _parse_time(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ParamError(f"{name}: must be a string formatted YYYY-MM-DD HH:MM:SS")
    try:
        return datetime.strptime(value, TIME_FORMAT).strftime(TIME_FORMAT)
    except ValueError:
        raise ParamError(f"{name}: must be formatted YYYY-MM-DD HH:MM:SS, got {value!r}") from None


def _list_predicates(filtering: dict[str, Any]) -> list[Callable[[GmvCampaign, dict[str, Any]], bool]]:
    """The ``filtering`` of gmv_max/campaign/get/ as predicates on (campaign, rendered item)."""
    for key in filtering:
        if key not in LIST_FILTERS:
            raise ParamError(f"filtering.{key}: not a supported filter of gmv_max/campaign/get/")
    given = {k: v for k, v in filtering.items() if v is not None and not is_blank(v)}
    if "gmv_max_promotion_types" not in given:
        raise ParamError("filtering.gmv_max_promotion_types: required (PRODUCT_GMV_MAX and/or LIVE_GMV_MAX)")
    kinds = as_string_list("filtering.gmv_max_promotion_types", given["gmv_max_promotion_types"])
    if not kinds:
        raise ParamError("filtering.gmv_max_promotion_types: must not be empty")
    for kind in kinds:
        if kind not in PROMOTION_TYPES:
            raise ParamError(
                f"filtering.gmv_max_promotion_types: unknown value {kind!r}; use PRODUCT_GMV_MAX or LIVE_GMV_MAX"
            )
    predicates: list[Callable[[GmvCampaign, dict[str, Any]], bool]] = [lambda c, _: c.promotion_type in kinds]
    status = given.get("primary_status")
    if status is None:
        predicates.append(lambda _, item: item["secondary_status"] != "CAMPAIGN_STATUS_DELETE")
    elif status not in LIST_PRIMARY_STATUSES:
        raise ParamError(
            f"filtering.primary_status: must be one of {', '.join(sorted(LIST_PRIMARY_STATUSES))}"
        )
    else:
        wanted = {"STATUS_DELIVERY_OK": "ENABLE", "STATUS_DISABLE": "DISABLE", "STATUS_DELETE": "DELETE"}[
            status
        ]
        predicates.append(lambda _, item: item["secondary_status"] == f"CAMPAIGN_STATUS_{wanted}")
    if "store_ids" in given:
        store_ids = frozenset(
            as_id_list("filtering.store_ids", given["store_ids"], max_items=MAX_STORE_FILTER)
        )
        predicates.append(lambda c, _: c.store.store_id in store_ids)
    if "campaign_ids" in given:
        ids = frozenset(
            as_id_list("filtering.campaign_ids", given["campaign_ids"], max_items=MAX_CAMPAIGN_IDS)
        )
        predicates.append(lambda c, _: c.campaign_id in ids)
    if "campaign_name" in given:
        needle = given["campaign_name"]
        if not isinstance(needle, str):
            raise ParamError("filtering.campaign_name: must be a string")
        predicates.append(lambda _, item: needle.lower() in str(item["campaign_name"]).lower())
    if "creation_filter_start_time" in given:
        after = _parse_time("filtering.creation_filter_start_time", given["creation_filter_start_time"])
        predicates.append(lambda _, item: item["create_time"] >= after)
    if "creation_filter_end_time" in given:
        before = _parse_time("filtering.creation_filter_end_time", given["creation_filter_end_time"])
        predicates.append(lambda _, item: item["create_time"] <= before)
    return predicates


def campaign_get(call: Call) -> dict[str, Any]:
    """GET gmv_max/campaign/get/: ``filtering`` with ``gmv_max_promotion_types`` is required."""
    _, advertiser_id = call.advertiser()
    params = call.params
    if params.raw("filtering") is None:
        raise ParamError("filtering: required parameter is missing (it must name gmv_max_promotion_types)")
    predicates = _list_predicates(params.obj("filtering"))
    fields = params.string_list("fields")
    if fields is not None:
        if not fields:
            raise ParamError("fields: must not be empty")
        for name in fields:
            if name not in LIST_FIELDS:
                raise ParamError(f"fields: unknown field {name!r} for gmv_max/campaign/get/")
    page, page_size = params.page(max_page_size=MAX_CAMPAIGN_PAGE_SIZE)
    world = call.emulator.world
    now = world.now_epoch
    matched = []
    for campaign in account(world, advertiser_id).campaigns_at(now):
        item = _list_item(advertiser_id, campaign, now)
        if all(predicate(campaign, item) for predicate in predicates):
            matched.append(item)
    start = (page - 1) * page_size
    rows = matched[start : start + page_size]
    if fields is not None:
        rows = [{name: row[name] for name in fields} for row in rows]
    return {"list": rows, "page_info": page_info(page, page_size, len(matched))}


def campaign_info(call: Call) -> dict[str, Any]:
    """GET campaign/gmv_max/info/: one campaign's settings; an id the account does not have is a 40002."""
    _, advertiser_id = call.advertiser()
    campaign_id = call.params.required_string("campaign_id")
    try:
        return campaign_details(call.emulator.world, advertiser_id, campaign_id)
    except KeyError:
        raise ParamError(f"campaign_id: GMV Max campaign {campaign_id} does not exist") from None


ENDPOINTS: tuple[tuple[str, Literal["GET", "POST"], Callable[[Call], dict[str, Any]]], ...] = (
    ("gmv_max/store/list/", "GET", store_list),
    ("gmv_max/campaign/get/", "GET", campaign_get),
    ("campaign/gmv_max/info/", "GET", campaign_info),
    ("gmv_max/report/get/", "GET", report_get),
)
"""(path under /open_api/v1.3/, method, handler): the app adds these to its route table."""

__all__ = [
    "ENDPOINTS",
    "LIST_FIELDS",
    "DailyMetrics",
    "campaign_daily",
    "campaign_details",
    "campaign_get",
    "campaign_info",
    "campaigns",
    "daily_cost",
    "product_daily",
    "store_list",
    "stores",
]
