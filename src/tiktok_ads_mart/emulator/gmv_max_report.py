"""``gmv_max/report/get/``: GMV Max reports at account, campaign and product level (docs 1824721673497601,
1824722485971009).

The grouping of ``dimensions`` picks the level: ``advertiser_id`` (the overview of every campaign of the
shop), ``campaign_id`` (Product or LIVE campaign metrics, one ``gmv_max_promotion_types`` value), or
``item_group_id`` with or without ``campaign_id`` (products of the campaigns named in ``campaign_ids``),
each alone, by ``stat_time_day`` or by ``stat_time_hour``. Creative (``item_id``), livestream (``room_id``)
and ``duration`` groupings are documented by TikTok but not emulated: they are refused with a 40002 that
says so. Rows are ``{"dimensions": {...}, "metrics": {...}}`` with values as strings, except the four
``all_shops_*`` metrics the metrics page types as numbers. Every sum is exact (integers in minor units)
and derived metrics (``roi``, ``cost_per_order``, ...) come from the sums of the row they are in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from tiktok_ads_mart.emulator.gmv_max_world import (
    PRODUCT_GMV_MAX,
    GmvAccount,
    GmvCampaign,
    Product,
    account,
)
from tiktok_ads_mart.emulator.ids import format_utc
from tiktok_ads_mart.emulator.params import (
    Call,
    ParamError,
    Params,
    as_id_list,
    as_string_list,
    is_blank,
    page_info,
)

MAX_PAGE_SIZE = 1000  # doc 1824721673497601, page_size: 1-1,000
MAX_IDS = 100  # doc 1824721673497601, campaign_ids / item_group_ids: max size 100
SPAN_DAYS = {None: 365, "stat_time_day": 30, "stat_time_hour": 1}  # doc 1824721673497601, end_date
ID_DIMENSIONS = ("advertiser_id", "campaign_id", "item_group_id")
TIME_DIMENSIONS = ("stat_time_day", "stat_time_hour")
UNSERVED_DIMENSIONS = ("item_id", "room_id", "duration")
LEVELS = {
    frozenset({"advertiser_id"}): "ADVERTISER",
    frozenset({"campaign_id"}): "CAMPAIGN",
    frozenset({"item_group_id"}): "PRODUCT",
    frozenset({"campaign_id", "item_group_id"}): "PRODUCT",
}
"""The id dimensions of each served grouping (each also alone, by day or by hour; doc 1824722485971009)."""

BASIC = ("cost", "orders", "cost_per_order", "gross_revenue", "roi", "net_cost")
CAMPAIGN_ATTRIBUTES = (
    "campaign_id", "operation_status", "campaign_name", "schedule_type", "schedule_start_time",
    "schedule_end_time", "target_roi_budget", "bid_type", "max_delivery_budget", "roas_bid",
)  # fmt: skip
LIVE_ATTRIBUTES = ("tt_account_name", "tt_account_profile_image_url", "identity_id")
LIVE_METRICS = (
    "all_shops_cost_per_order", "all_shops_orders", "all_shops_gross_revenue", "all_shops_roi", "live_views",
    "cost_per_live_view", "10_second_live_views", "cost_per_10_second_live_view", "live_follows",
)  # fmt: skip
PRODUCT_ATTRIBUTES = ("product_name", "item_group_id", "product_image_url", "product_status", "bid_type")
PRODUCT_METRICS = ("cost", "orders", "cost_per_order", "gross_revenue", "roi")
ATTRIBUTES = frozenset({*CAMPAIGN_ATTRIBUTES, *LIVE_ATTRIBUTES, *PRODUCT_ATTRIBUTES})
"""Settings rather than sums: left out of ``total_metrics``, never a sort key."""
METRICS: dict[str, frozenset[str]] = {
    "ADVERTISER": frozenset(BASIC),
    "PRODUCT_CAMPAIGN": frozenset({*CAMPAIGN_ATTRIBUTES, *BASIC}),
    "LIVE_CAMPAIGN": frozenset({*CAMPAIGN_ATTRIBUTES, *LIVE_ATTRIBUTES, *BASIC, *LIVE_METRICS}),
    "PRODUCT": frozenset({*PRODUCT_ATTRIBUTES, *PRODUCT_METRICS}),
}
UNSERVED_METRICS = frozenset(
    {
        "title", "item_id", "tt_account_authorization_type", "shop_content_type", "creative_delivery_status",
        "product_impressions", "product_clicks", "product_click_rate", "ad_click_rate", "ad_conversion_rate",
        "ad_video_view_rate_2s", "ad_video_view_rate_6s", "ad_video_view_rate_p25", "ad_video_view_rate_p50",
        "ad_video_view_rate_p75", "ad_video_view_rate_p100", "live_name", "live_status", "live_launched_time",
        "live_duration",
    }
)  # fmt: skip
"""Creative- and livestream-level metrics: documented, refused here because those levels are not emulated."""
SORT_FIELDS = frozenset(
    {
        *BASIC, "product_impressions", "product_clicks", "product_click_rate", "ad_click_rate",
        "ad_conversion_rate", "ad_video_view_rate_2s", "ad_video_view_rate_6s", "ad_video_view_rate_p25",
        "ad_video_view_rate_p50", "ad_video_view_rate_p75", "ad_video_view_rate_p100", "live_views",
        "cost_per_live_view", "10_second_live_views", "cost_per_10_second_live_view", "live_follows",
    }
)  # fmt: skip
"""doc 1824721673497601, Supported sorting fields (Product and LIVE tables)."""
FILTERS: dict[str, frozenset[str]] = {
    "ADVERTISER": frozenset({"gmv_max_promotion_types"}),
    "CAMPAIGN": frozenset({"gmv_max_promotion_types", "campaign_ids", "campaign_name", "campaign_statuses"}),
    "PRODUCT": frozenset({"campaign_ids", "item_group_ids", "gmv_max_promotion_types"}),
}
DOCUMENTED_FILTERS = frozenset(
    {
        *FILTERS["CAMPAIGN"],
        "item_group_ids",
        "creative_types",
        "creative_delivery_statuses",
        "search_word",
        "room_ids",
        "item_ids",  # not on the report page, but a field of the official SDK's filtering model
    }
)
REPORT_TYPES = {"PRODUCT": PRODUCT_GMV_MAX, "LIVE": "LIVE_GMV_MAX"}
CAMPAIGN_STATUSES = frozenset(
    {"STATUS_DELIVERY_OK", "STATUS_DISABLE", "STATUS_DELETE", "STATUS_NOT_DELIVERY", "STATUS_ALL"}
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def round_ratio(num: int, den: int, scale: int) -> int:
    """round(num * scale / den) half up, in integers; 0 when den is 0 (TikTok shows "0.00" then)."""
    return 0 if den == 0 else (2 * num * scale + den) // (2 * den)


def money_text(minor: int, decimals: int) -> str:
    """Minor units as TikTok's decimal string: 938758 -> "9387.58" (2 decimals), 1234 -> "1234" (JPY)."""
    if decimals == 0:
        return str(minor)
    whole, part = divmod(abs(minor), 10**decimals)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{decimals}d}"


@dataclass(frozen=True)
class GmvReportQuery:
    """A validated report request."""

    level: str  # ADVERTISER | CAMPAIGN | PRODUCT
    metric_set: str  # key of METRICS
    dimensions: tuple[str, ...]
    time: str | None
    metrics: tuple[str, ...]
    first: date
    last: date
    store_id: str
    kinds: frozenset[str]  # PRODUCT_GMV_MAX / LIVE_GMV_MAX
    campaign_ids: frozenset[str] | None
    item_group_ids: frozenset[str] | None
    campaign_name: str | None
    statuses: frozenset[str] | None
    sort_field: str | None
    descending: bool


@dataclass
class _Unit:
    """One row key of the report (a campaign, a product, the account) with its series over the window."""

    labels: dict[str, str]
    campaign: GmvCampaign | None
    product: Product | None
    series: dict[str, np.ndarray]
    present: np.ndarray


# ------------------------------------------------------------------------------------------ validation
def _date(params: Params, name: str) -> date:
    text = params.required_string(name)
    if not _DATE.fullmatch(text):
        raise ParamError(f"{name}: must be formatted YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParamError(f"{name}: not a valid date: {text!r}") from None


def _dimensions(params: Params) -> tuple[tuple[str, ...], str | None, str]:
    dims = as_string_list("dimensions", params.required("dimensions"))
    if not dims:
        raise ParamError("dimensions: must not be empty")
    known = (*ID_DIMENSIONS, *TIME_DIMENSIONS, *UNSERVED_DIMENSIONS)
    for name in dims:
        if name not in known:
            raise ParamError(f"dimensions: unknown dimension {name!r}")
    if len(set(dims)) != len(dims):
        raise ParamError("dimensions: a dimension is repeated")
    if any(name in UNSERVED_DIMENSIONS for name in dims):
        raise ParamError(
            "dimensions: creative (item_id), livestream (room_id) and duration groupings are not emulated"
        )
    times = [name for name in dims if name in TIME_DIMENSIONS]
    level = LEVELS.get(frozenset(name for name in dims if name not in TIME_DIMENSIONS))
    if level is None or len(times) > 1:
        raise ParamError(f"dimensions: {dims} is not a supported grouping of gmv_max/report/get/")
    return tuple(dims), (times[0] if times else None), level


def _filter_list(name: str, value: Any, allowed: frozenset[str]) -> frozenset[str]:
    values = as_string_list(f"filtering.{name}", value)
    if not values:
        raise ParamError(f"filtering.{name}: must not be empty")
    for item in values:
        if item not in allowed:
            raise ParamError(f"filtering.{name}: unknown value {item!r}; use {', '.join(sorted(allowed))}")
    return frozenset(values)


def _checked_metrics(
    metrics: list[str], metric_set: str, dims: tuple[str, ...], campaign_ids: frozenset[str] | None
) -> list[str]:
    """The metrics, each once; one the grouping does not have is a 40002 (unknown ones said so)."""
    wanted = list(dict.fromkeys(metrics))
    for metric in wanted:
        if metric in METRICS[metric_set]:
            continue
        if any(metric in allowed for allowed in METRICS.values()) or metric in UNSERVED_METRICS:
            raise ParamError(f"metrics: {metric} is not available with dimensions {list(dims)}")
        raise ParamError(f"metrics: unknown metric {metric!r}")
    one_campaign = campaign_ids is not None and len(campaign_ids) == 1
    if metric_set == "PRODUCT" and (not one_campaign or "campaign_id" in dims):
        refused = [m for m in wanted if m in ATTRIBUTES]
        if refused:
            raise ParamError(
                f"metrics: attribute metrics ({', '.join(refused)}) need one id in filtering.campaign_ids "
                "and one id dimension"
            )
    return wanted


def _sorting(params: Params, metric_set: str, dims: tuple[str, ...]) -> tuple[str | None, bool]:
    """``sort_field`` (a documented sorting field the grouping has) and whether ``sort_type`` is DESC."""
    sort_field = params.string("sort_field")
    if sort_field is not None:
        if sort_field not in SORT_FIELDS:
            raise ParamError(f"sort_field: unknown sorting field {sort_field!r}")
        if sort_field not in METRICS[metric_set]:
            raise ParamError(f"sort_field: {sort_field} cannot sort rows grouped by {list(dims)}")
    sort_type = params.string("sort_type", default="DESC")
    if sort_type not in ("ASC", "DESC"):
        raise ParamError(f"sort_type: must be ASC or DESC, got {sort_type!r}")
    return sort_field, sort_type == "DESC"


def parse_query(params: Params) -> GmvReportQuery:
    """Validate like TikTok: required parameters, groupings, metrics per level, filters, date spans."""
    store_ids = as_id_list("store_ids", params.required("store_ids"), max_items=1)
    first, last = _date(params, "start_date"), _date(params, "end_date")
    metrics = as_string_list("metrics", params.required("metrics"))
    if not metrics:
        raise ParamError("metrics: must not be empty")
    dims, time, level = _dimensions(params)
    if last < first:
        raise ParamError("end_date: must not be before start_date")
    span = SPAN_DAYS[time]
    if (last - first).days + 1 > span:
        by = {None: "without a time dimension", "stat_time_day": "with stat_time_day"}.get(
            time, "with stat_time_hour"
        )
        raise ParamError(f"end_date: the range may span at most {span} day(s) {by}")
    filtering = {k: v for k, v in params.obj("filtering").items() if v is not None and not is_blank(v)}
    for key in filtering:
        if key not in DOCUMENTED_FILTERS:
            raise ParamError(f"filtering.{key}: not a filter of gmv_max/report/get/")
        if key not in FILTERS[level]:
            raise ParamError(f"filtering.{key}: not supported with dimensions {list(dims)}")
    kinds = frozenset(REPORT_TYPES.values())
    if "gmv_max_promotion_types" in filtering:
        types = _filter_list(
            "gmv_max_promotion_types", filtering["gmv_max_promotion_types"], frozenset(REPORT_TYPES)
        )
        kinds = frozenset(REPORT_TYPES[t] for t in types)
    metric_set = level
    if level == "CAMPAIGN":
        if "gmv_max_promotion_types" not in filtering or len(kinds) != 1:
            raise ParamError(
                'filtering.gmv_max_promotion_types: campaign-level metrics need exactly one type, ["PRODUCT"] or ["LIVE"]'
            )
        metric_set = "PRODUCT_CAMPAIGN" if PRODUCT_GMV_MAX in kinds else "LIVE_CAMPAIGN"
    campaign_ids = item_group_ids = None
    if "campaign_ids" in filtering:
        campaign_ids = frozenset(
            as_id_list("filtering.campaign_ids", filtering["campaign_ids"], max_items=MAX_IDS)
        )
    if "item_group_ids" in filtering:
        item_group_ids = frozenset(
            as_id_list("filtering.item_group_ids", filtering["item_group_ids"], max_items=MAX_IDS)
        )
    if level == "PRODUCT" and campaign_ids is None:
        raise ParamError("filtering.campaign_ids: required for product-level metrics (item_group_id)")
    name = filtering.get("campaign_name")
    if name is not None and not isinstance(name, str):
        raise ParamError("filtering.campaign_name: must be a string")
    statuses = None
    if "campaign_statuses" in filtering:
        statuses = _filter_list("campaign_statuses", filtering["campaign_statuses"], CAMPAIGN_STATUSES)
    wanted = _checked_metrics(metrics, metric_set, dims, campaign_ids)
    sort_field, descending = _sorting(params, metric_set, dims)
    return GmvReportQuery(
        level=level,
        metric_set=metric_set,
        dimensions=dims,
        time=time,
        metrics=tuple(wanted),
        first=first,
        last=last,
        store_id=store_ids[0],
        kinds=kinds,
        campaign_ids=campaign_ids,
        item_group_ids=item_group_ids,
        campaign_name=name,
        statuses=statuses,
        sort_field=sort_field,
        descending=descending,
    )


# ---------------------------------------------------------------------------------------- computation
def _status_kept(campaign: GmvCampaign, statuses: frozenset[str] | None, now: int) -> bool:
    """``campaign_statuses``; none given keeps the undeleted campaigns (the report page's note)."""
    secondary = campaign.secondary_status(now)
    if statuses is None:
        return secondary != "CAMPAIGN_STATUS_DELETE"
    if "STATUS_ALL" in statuses:
        return True
    primary = {  # STATUS_NOT_DELIVERY's secondary statuses (budget, shop, review) never occur in this world
        "CAMPAIGN_STATUS_ENABLE": "STATUS_DELIVERY_OK",
        "CAMPAIGN_STATUS_DISABLE": "STATUS_DISABLE",
        "CAMPAIGN_STATUS_DELETE": "STATUS_DELETE",
    }
    return primary[secondary] in statuses


def _units(acc: GmvAccount, q: GmvReportQuery, now: int, window: slice) -> list[_Unit]:
    chosen = [
        c for c in acc.campaigns_at(now) if c.store.store_id == q.store_id and c.promotion_type in q.kinds
    ]
    if q.campaign_ids is not None:
        chosen = [c for c in chosen if c.campaign_id in q.campaign_ids]
    if q.level == "ADVERTISER":  # the whole shop's GMV Max delivery: deleted campaigns' spend included
        if not chosen:
            return []
        series = {k: np.sum([c.hourly[k][window] for c in chosen], axis=0) for k in chosen[0].hourly}
        present = np.any([c.exists[window] for c in chosen], axis=0)
        return [_Unit({"advertiser_id": acc.advertiser.advertiser_id}, None, None, series, present)]
    if q.level == "CAMPAIGN":
        name = (q.campaign_name or "").lower()
        return [
            _Unit(
                {"campaign_id": c.campaign_id},
                c,
                None,
                {k: v[window] for k, v in c.hourly.items()},
                c.exists[window],
            )
            for c in chosen
            if _status_kept(c, q.statuses, now) and name in c.state(now).name.lower()
        ]
    units: dict[tuple[str, str], _Unit] = {}
    by_campaign = "campaign_id" in q.dimensions
    for c in chosen:
        for p, product in enumerate(c.products):
            if q.item_group_ids is not None and product.item_group_id not in q.item_group_ids:
                continue
            key = (c.campaign_id if by_campaign else "", product.item_group_id)
            series = {k: v[p, window] for k, v in c.product_hourly.items()}
            unit = units.get(key)
            if unit is None:
                labels = {"campaign_id": c.campaign_id} if by_campaign else {}
                labels["item_group_id"] = product.item_group_id
                units[key] = _Unit(labels, c, product, series, c.exists[window])
            else:  # the same product in several of the named campaigns: one row, summed
                unit.series = {k: unit.series[k] + v for k, v in series.items()}
                unit.present = unit.present | c.exists[window]
    return list(units.values())


_RATIOS = {  # metric: (numerator, denominator, scale): cost per order in minor units, ROI in hundredths
    "cost_per_order": ("cost", "orders", 1),
    "roi": ("gross_revenue", "cost", 100),
    "cost_per_live_view": ("cost", "live_views", 1),
    "cost_per_10_second_live_view": ("cost", "10_second_live_views", 1),
    "all_shops_cost_per_order": ("cost", "orders", 1),
    "all_shops_roi": ("gross_revenue", "cost", 100),
}
_SUMMED = {"all_shops_orders": "orders", "all_shops_gross_revenue": "gross_revenue"}
_MONEY = frozenset({"cost", "net_cost", "gross_revenue", "all_shops_gross_revenue", "cost_per_order",
                    "cost_per_live_view", "cost_per_10_second_live_view", "all_shops_cost_per_order"})  # fmt: skip
_NUMBERS = frozenset(
    {"all_shops_orders", "all_shops_gross_revenue", "all_shops_cost_per_order", "all_shops_roi"}
)
"""Typed double / integer on the metrics page; every other metric is a string. The world's livestreams
sell only their own shop's goods, so the ``all_shops_*`` values equal the current shop's."""


def _delivery(name: str, sums: dict[str, int], decimals: int) -> Any:
    """A summed or derived metric of one row, as TikTok writes it."""
    if name in _RATIOS:
        num, den, scale = _RATIOS[name]
        units = round_ratio(sums.get(num, 0), sums.get(den, 0), scale)
    else:
        units = sums.get(_SUMMED.get(name, name), 0)
    if name in _MONEY:
        text = money_text(units, decimals)
    elif name in _RATIOS:  # ROI
        text = money_text(units, 2)
    else:
        text = str(units)
    if name not in _NUMBERS:
        return text
    return units if name == "all_shops_orders" else float(text)


def _value(name: str, sums: dict[str, int], unit: _Unit, acc: GmvAccount, now: int) -> Any:
    decimals = acc.decimals
    if name not in ATTRIBUTES:
        return _delivery(name, sums, decimals)
    if unit.product is not None and name in PRODUCT_ATTRIBUTES:
        return "CUSTOM" if name == "bid_type" else str(getattr(unit.product, name))
    campaign = unit.campaign
    assert campaign is not None, name
    state = campaign.state(now)
    store = campaign.store
    attributes = {
        "campaign_id": campaign.campaign_id,
        "operation_status": campaign.operation_status(now),
        "campaign_name": state.name,
        "schedule_type": "Continuously",
        "schedule_start_time": format_utc(campaign.schedule_start),
        "schedule_end_time": format_utc(campaign.schedule_end),
        "target_roi_budget": money_text(round(state.budget * 10**decimals), decimals),
        "bid_type": "CUSTOM",
        "max_delivery_budget": money_text(0, decimals),
        "roas_bid": f"{campaign.roas_bid:.2f}",
        "tt_account_name": store.identity_name,
        "tt_account_profile_image_url": f"https://shop-media.example.com/identity/{store.identity_id}.jpeg",
        "identity_id": store.identity_id,
    }
    return attributes[name]


def _sort_key(name: str, sums: dict[str, int]) -> float:
    ratios = {
        "cost_per_order": ("cost", "orders"),
        "roi": ("gross_revenue", "cost"),
        "cost_per_live_view": ("cost", "live_views"),
        "cost_per_10_second_live_view": ("cost", "10_second_live_views"),
    }
    if name in ratios:
        num, den = (sums.get(part, 0) for part in ratios[name])
        return num / den if den else 0.0
    return float(sums.get(name, 0))


def run_report(acc: GmvAccount, q: GmvReportQuery, now: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every row of the query (sorted as asked) and the ``total_metrics`` over all of them."""
    low = max((q.first - acc.first_day).days, 0)
    high = min((q.last - acc.first_day).days, acc.days - 1)
    store = acc.store(q.store_id)
    if low > high or store is None:
        return [], _totals(q, {}, acc, now)
    window = slice(low * 24, (high + 1) * 24)
    visible = acc.visible(now)[window]
    width = {None: (high - low + 1) * 24, "stat_time_day": 24, "stat_time_hour": 1}[q.time]
    keyed: list[tuple[int, int, dict[str, int], _Unit]] = []
    for u, unit in enumerate(_units(acc, q, now, window)):
        shown = (unit.present & visible).reshape(-1, width).any(axis=1)
        sums = {k: (v * visible).reshape(-1, width).sum(axis=1) for k, v in unit.series.items()}
        for bucket in np.flatnonzero(shown):
            keyed.append((int(bucket), u, {k: int(v[bucket]) for k, v in sums.items()}, unit))
    keyed.sort(key=lambda row: (row[0], row[1]))
    if q.sort_field is not None:
        field = q.sort_field
        keyed.sort(key=lambda row: _sort_key(field, row[2]), reverse=q.descending)
    rows = []
    for slot, _, sums, unit in keyed:
        dims = dict(unit.labels)
        if q.time is not None:
            day = acc.day(low + (slot if q.time == "stat_time_day" else slot // 24))
            dims[q.time] = f"{day.isoformat()} {0 if q.time == 'stat_time_day' else slot % 24:02d}:00:00"
        rows.append(
            {
                "dimensions": {name: dims[name] for name in q.dimensions},
                "metrics": {name: _value(name, sums, unit, acc, now) for name in q.metrics},
            }
        )
    total: dict[str, int] = {}
    for _, _, sums, _ in keyed:
        for k, v in sums.items():
            total[k] = total.get(k, 0) + v
    return rows, _totals(q, total, acc, now)


def _totals(q: GmvReportQuery, total: dict[str, int], acc: GmvAccount, now: int) -> dict[str, Any]:
    empty = _Unit({}, None, None, {}, np.zeros(0, dtype=bool))
    return {name: _value(name, total, empty, acc, now) for name in q.metrics if name not in ATTRIBUTES}


def report_get(call: Call) -> dict[str, Any]:
    """GET gmv_max/report/get/ (its own rate limits, 8-20 QPS by tier, are not emulated apart)."""
    _, advertiser_id = call.advertiser()
    params = call.params
    query = parse_query(params)
    totals_wanted = params.boolean("enable_total_metrics")
    page, page_size = params.page(max_page_size=MAX_PAGE_SIZE)
    world = call.emulator.world
    acc = account(world, advertiser_id)
    if acc.store(query.store_id) is None:
        raise ParamError(f"store_ids: {query.store_id} is not a TikTok Shop of advertiser {advertiser_id}")
    rows, totals = run_report(acc, query, world.now_epoch)
    start = (page - 1) * page_size
    data: dict[str, Any] = {}
    if totals_wanted:
        data["total_metrics"] = totals
    data["list"] = rows[start : start + page_size]
    data["page_info"] = page_info(page, page_size, len(rows))
    return data


__all__ = [
    "MAX_PAGE_SIZE",
    "METRICS",
    "GmvReportQuery",
    "money_text",
    "parse_query",
    "report_get",
    "round_ratio",
    "run_report",
]
