"""The emulator's metric catalog: what each of TikTok's 826 report metrics means in the fake world.

Only a few integer *base* series are simulated per ad and local hour (``BASE_COLUMNS``). Every other
metric is defined from them so that coarser reports stay exact sums of the fine grain:

- counters are a base series, a fixed integer combination of base series, or a base series switched on
  or off per ad (a linear map per ad, so summing over hours, days, ads or audience buckets commutes);
- money values are a counter times a per-ad unit value in minor currency units (linear again);
- ratios (``cost_per_*``, ``*_rate``, ``ctr``, ``cpm``, ``*_roas``, ``value_per_*``, ``frequency``...) are
  computed per row from their summed parts, and are ``"-"`` when the denominator is 0;
- ``reach`` is NOT additive: it is modelled per row as a fixed share of the row's impressions (see
  :func:`reach_permille`), so a campaign's reach is not the sum of its ads' reach, as on TikTok.

Names outside the hand-modelled core follow TikTok's naming patterns (``_Classifier``: ``cost_per_X`` is
spend / X, ``X_rate`` is X per click or impression in percent, ``X_value``/``value_per_X``/``X_roas`` use
X's money value), so any catalog name is accepted with deterministic, internally consistent values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from tiktok_ads_mart.emulator.formatting import format_count, format_fixed, format_metric, ratio_units
from tiktok_ads_mart.emulator.ids import stable_hash

# Base series simulated per (ad, local hour), in this order and dtype. The dtype bounds what one hour can hold (impressions per ad
# and hour are capped at 60000, so every count derived from them fits 16 bits). "mature" columns are
# attributed to the serving hour and restate over 7 days as the clock moves (attribution restatement).
BASE_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("spend", "int32", False),
    ("voucher_spend", "int32", False),
    ("impressions", "int32", False),
    ("gross_impressions", "int32", False),
    ("clicks", "uint16", False),
    ("conversion", "uint16", True),
    ("real_time_conversion", "uint16", False),
    ("result", "uint16", True),
    ("real_time_result", "uint16", False),
    ("secondary_goal_result", "uint16", True),
    ("video_play_actions", "uint16", False),
    ("video_watched_2s", "uint16", False),
    ("video_watched_6s", "uint16", False),
    ("video_views_p25", "uint16", False),
    ("video_views_p50", "uint16", False),
    ("video_views_p75", "uint16", False),
    ("video_views_p100", "uint16", False),
    ("video_play_seconds", "int32", False),
    ("profile_visits", "uint16", False),
    ("likes", "uint16", False),
    ("comments", "uint16", False),
    ("shares", "uint16", False),
    ("follows", "uint16", False),
    ("clicks_on_music_disc", "uint16", False),
    ("real_time_app_install", "uint16", False),
    ("app_install", "uint16", True),
    ("engaged_view", "uint16", False),
    ("event_attributed", "uint16", True),
    ("event_realtime", "uint16", False),
)
BASE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in BASE_COLUMNS)
BASE_INDEX: dict[str, int] = {name: i for i, name in enumerate(BASE_NAMES)}
MATURING: frozenset[str] = frozenset(name for name, _, mature in BASE_COLUMNS if mature)


# ----------------------------------------------------------------------------------------- series
@dataclass(frozen=True)
class Series:
    """An additive integer series, evaluated per ad before ads are summed into campaigns or ad groups.

    kind "base": a base column; "linear": sum of coef * base over ``terms``; "per_ad": ``terms[0]`` base
    column times a 0/1 switch per ad keyed by ``key``; "value": the ``inner`` counter times a per-ad unit
    value in minor currency units keyed by ``key``.
    """

    kind: str
    terms: tuple[tuple[str, int], ...] = ()
    key: str = ""
    inner: Series | None = None

    def bases(self) -> frozenset[str]:
        """The base columns this series reads."""
        found = {name for name, _ in self.terms}
        if self.inner is not None:
            found |= self.inner.bases()
        return frozenset(found)


def base(name: str) -> Series:
    return Series("base", ((name, 1),))


REACH = Series("reach")
"""Row-level reach (not additive); see :func:`reach_permille`."""


# ----------------------------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class MetricSpec:
    """How one metric is shown.

    kind "attribute": an object property at ``level`` or above; "count": integer string of ``num``;
    "money": ``num`` in minor units shown with the currency's decimals; "ratio": round(num * mul / den)
    shown with ``decimals`` digits (None = the currency's decimals), ``"-"`` when den is 0.
    """

    name: str
    kind: str
    num: Series | None = None
    den: Series | None = None
    mul: int = 1
    decimals: int | None = 2
    level: str = ""

    def series(self) -> tuple[Series, ...]:
        return tuple(s for s in (self.num, self.den) if s is not None)


LEVELS: tuple[str, ...] = ("ADVERTISER", "CAMPAIGN", "ADGROUP", "AD")
ATTRIBUTE_LEVELS: dict[str, str] = {
    **dict.fromkeys(("advertiser_name", "advertiser_id", "currency"), "ADVERTISER"),
    **dict.fromkeys(
        (
            "campaign_name",
            "campaign_id",
            "objective_type",
            "split_test",
            "campaign_budget",
            "campaign_dedicate_type",
            "app_promotion_type",
            "campaign_automation_type",
        ),
        "CAMPAIGN",
    ),
    **dict.fromkeys(
        (
            "adgroup_name",
            "adgroup_id",
            "placement_type",
            "promotion_type",
            "opt_status",
            "adgroup_download_url",
            "profile_image",
            "dpa_target_audience_type",
            "budget",
            "smart_target",
            "pricing_category",
            "billing_event",
            "bid_strategy",
            "bid",
            "bid_secondary_goal",
            "aeo_type",
            "tt_app_id",
            "tt_app_name",
            "mobile_app_id",
        ),
        "ADGROUP",
    ),
    **dict.fromkeys(
        (
            "ad_name",
            "ad_id",
            "ad_id_v2",
            "ad_text",
            "call_to_action",
            "ad_profile_image",
            "ad_url",
            "image_mode",
            "is_aco",
            "is_smart_creative",
            "video_id",
            "file_name",
            "is_removed_from_spc",
            "identity_id",
            "tiktok_item_id",
            "tiktok_name",
            "catalog_name",
            "catalog_modify_time",
        ),
        "AD",
    ),
}
"""Attribute metrics and the data level that first has them (valid there and below)."""

AttributeGetter = Callable[[Any, Any, Any], str]
"""(advertiser, the object at the attribute's level or None, that object's state at now) -> value."""


def _static(key: str) -> AttributeGetter:
    def get(adv: Any, entity: Any, state: Any) -> str:
        value = entity.static.get(key)
        return "-" if value is None else str(value)

    return get


def _app(value: Callable[[Any, Any], str]) -> AttributeGetter:
    def get(adv: Any, entity: Any, state: Any) -> str:
        return value(adv, entity) if entity.static.get("promotion_type") == "APP" else "-"

    return get


def _budget(adv: Any, entity: Any, state: Any) -> str:
    return f"{state.budget:.{adv.currency_decimals}f}"


def _name(adv: Any, entity: Any, state: Any) -> str:
    return str(state.name)


def _entity_id(adv: Any, entity: Any, state: Any) -> str:
    return str(entity.entity_id)


def _fixed(value: str) -> AttributeGetter:
    return lambda adv, entity, state: value


ATTRIBUTE_GETTERS: dict[str, AttributeGetter] = {
    "advertiser_name": lambda adv, entity, state: str(adv.name),
    "advertiser_id": lambda adv, entity, state: str(adv.advertiser_id),
    "currency": lambda adv, entity, state: str(adv.profile.currency),
    "campaign_name": _name,
    "campaign_id": _entity_id,
    "objective_type": _static("objective_type"),
    "split_test": _fixed("CLOSED"),
    "campaign_budget": _budget,
    "campaign_dedicate_type": _fixed("GENERAL"),
    "app_promotion_type": _static("app_promotion_type"),
    "campaign_automation_type": lambda adv, entity, state: str(
        entity.static.get("campaign_automation_type", "MANUAL")
    ),
    "adgroup_name": _name,
    "adgroup_id": _entity_id,
    "placement_type": _static("placement_type"),
    "promotion_type": _static("promotion_type"),
    "opt_status": lambda adv, entity, state: "ENABLE" if state.enabled and not state.deleted else "DISABLE",
    "adgroup_download_url": _app(lambda adv, entity: f"https://apps.example/{entity.static['app_id']}"),
    "profile_image": _fixed("https://p16-sign.example/avatar.jpeg"),
    "dpa_target_audience_type": _fixed("-"),
    "budget": _budget,
    "smart_target": _fixed("-"),
    "pricing_category": _static("billing_event"),
    "billing_event": _static("billing_event"),
    "bid_strategy": lambda adv, entity, state: (
        "BID_STRATEGY_MAX_CONVERSION"
        if entity.static.get("bid_type") == "BID_TYPE_NO_BID"
        else "BID_STRATEGY_BID_CAP"
    ),
    "bid": lambda adv, entity, state: (
        f"{entity.static.get('bid_price') or entity.static.get('conversion_bid_price') or 0:.2f}"
    ),
    "bid_secondary_goal": _fixed("-"),
    "aeo_type": _fixed("-"),
    "tt_app_id": _app(lambda adv, entity: str(entity.static["app_id"])),
    "tt_app_name": _app(lambda adv, entity: f"{adv.name} App"),
    "mobile_app_id": _app(lambda adv, entity: f"com.example.app{adv.index}"),
    "ad_name": _name,
    "ad_id": _entity_id,
    "ad_id_v2": lambda adv, entity, state: str(entity.static.get("ad_id_v2", entity.entity_id)),
    "ad_text": _static("ad_text"),
    "call_to_action": _static("call_to_action"),
    "ad_profile_image": _fixed("https://p16-sign.example/avatar.jpeg"),
    "ad_url": _static("landing_page_url"),
    "image_mode": _fixed("VIDEO"),
    "is_aco": _fixed("false"),
    "is_smart_creative": _fixed("false"),
    "video_id": _static("video_id"),
    "file_name": lambda adv, entity, state: f"{entity.static.get('video_id', 'video')}.mp4",
    "is_removed_from_spc": _fixed("false"),
    "identity_id": _static("identity_id"),
    "tiktok_item_id": _fixed("-"),
    "tiktok_name": _static("display_name"),
    "catalog_name": _fixed("-"),
    "catalog_modify_time": _fixed("-"),
}
"""How each attribute metric reads the world (current names and budgets, so renames show at once)."""

ROW_ATTRIBUTES = frozenset({"campaign_automation_type"})
"""Attributes read from the row's own object rather than its ancestor at the attribute's level: a creative
of an Upgraded Smart+ ad is UPGRADED_SMART_PLUS_CREATIVE where its campaign is UPGRADED_SMART_PLUS
(doc 1740302848100353, the response examples)."""

_SPEND = base("spend")
_IMPRESSIONS = base("impressions")
_CLICKS = base("clicks")
_ENGAGEMENTS = Series(
    "linear",
    tuple((n, 1) for n in ("clicks", "likes", "comments", "shares", "follows", "profile_visits")),
)


def _count(name: str, series: Series | None = None) -> MetricSpec:
    return MetricSpec(name, "count", series or base(name))


def _cost(name: str, den: Series, mul: int = 1) -> MetricSpec:
    return MetricSpec(name, "ratio", _SPEND, den, mul, None)


def _percent(name: str, num: Series, den: Series) -> MetricSpec:
    return MetricSpec(name, "ratio", num, den, 10_000, 2)


def _core() -> dict[str, MetricSpec]:
    specs = [
        MetricSpec("spend", "money", _SPEND),
        MetricSpec("billed_cost", "money", _SPEND),
        MetricSpec("cash_spend", "money", Series("linear", (("spend", 1), ("voucher_spend", -1)))),
        MetricSpec("voucher_spend", "money", base("voucher_spend")),
        _count("impressions"),
        _count("gross_impressions"),
        _count("clicks"),
        _percent("ctr", _CLICKS, _IMPRESSIONS),
        _cost("cpc", _CLICKS),
        _cost("cpm", _IMPRESSIONS, 1000),
        _count("reach", REACH),
        MetricSpec("frequency", "ratio", _IMPRESSIONS, REACH, 100, 2),
        _cost("cost_per_1000_reached", REACH, 1000),
        MetricSpec(
            "average_video_play", "ratio", base("video_play_seconds"), base("video_play_actions"), 100
        ),
        MetricSpec("average_video_play_per_user", "ratio", base("video_play_seconds"), REACH, 100),
        _count("engagements", _ENGAGEMENTS),
        _percent("engagement_rate", _ENGAGEMENTS, _IMPRESSIONS),
        _percent("profile_visits_rate", base("profile_visits"), _IMPRESSIONS),
        _cost("real_time_app_install_cost", base("real_time_app_install")),
        _cost("cost_per_app_install", base("app_install")),
    ]
    for name in ("conversion", "real_time_conversion"):
        prefix = "real_time_" if name.startswith("real_time") else ""
        specs += [
            _count(name),
            _cost(f"{prefix}cost_per_conversion", base(name)),
            _percent(f"{prefix}conversion_rate", base(name), _CLICKS),
            _percent(f"{prefix}conversion_rate_v2", base(name), _IMPRESSIONS),
        ]
    for name in ("result", "real_time_result", "secondary_goal_result"):
        prefix = "real_time_" if name.startswith("real_time") else ""
        stem = name.removeprefix("real_time_")
        specs += [
            _count(name),
            _cost(f"{prefix}cost_per_{stem}", base(name)),
            _percent(f"{prefix}{stem}_rate", base(name), _IMPRESSIONS),
        ]
    for name in BASE_NAMES:
        if name not in ("spend", "voucher_spend", "video_play_seconds", "event_attributed", "event_realtime"):
            specs.append(_count(name))
    return {spec.name: spec for spec in specs}


# Derived counters pick their base series from a pool that matches the name's nature.
_VIEW_POOL = ("video_views_p25", "video_views_p75", "video_watched_6s", "engaged_view", "video_views_p100")
_CLICK_POOL = ("clicks_on_music_disc", "profile_visits", "shares", "follows")
_EVENT_POOL = ("conversion", "result", "event_attributed", "secondary_goal_result", "app_install")
_REALTIME_POOL = ("real_time_conversion", "real_time_result", "event_realtime", "real_time_app_install")
_PREFIXES = ("onsite_", "website_", "offline_", "native_growth_", "messaging_", "skan_", "ix_", "real_time_")


def _pool(stem: str) -> tuple[tuple[str, ...], Series]:
    """The base pool for a derived counter and the denominator its ``*_rate`` uses."""
    if "real_time" in stem:
        return _REALTIME_POOL, _CLICKS
    if any(word in stem for word in ("impression", "impr", "view", "video", "play", "visit", "live_")):
        return _VIEW_POOL, _IMPRESSIONS
    if "click" in stem:
        return _CLICK_POOL, _IMPRESSIONS
    return _EVENT_POOL, _CLICKS


def _stable_pick(options: tuple[str, ...], key: str) -> str:
    return options[stable_hash("pool", key) % len(options)]


class _Classifier:
    """Maps a catalog name to a MetricSpec by TikTok's naming patterns (cost_per_X, X_rate, X_roas...)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.core = _core()
        self.names = frozenset(names)
        self.counters = frozenset(n for n in names if self._is_counter_name(n)) | frozenset(
            n for n, s in self.core.items() if s.kind == "count" and n != "reach"
        )

    @staticmethod
    def _is_counter_name(name: str) -> bool:
        if name in ATTRIBUTE_LEVELS:
            return False
        words = ("cost", "rate", "roas", "value", "revenue", "avg", "average", "ctr", "duration")
        return not any(word in name for word in words)

    def counter(self, stem: str) -> tuple[Series, Series]:
        """The additive series behind a counter name (resolved to a catalog counter when one matches)."""
        name = self.resolve(stem)
        if name in self.core and self.core[name].kind == "count" and self.core[name].num is not None:
            spec_num = self.core[name].num
            assert spec_num is not None
            denominator = _CLICKS if name in MATURING or "conversion" in name else _IMPRESSIONS
            return spec_num, denominator
        pool, denominator = _pool(name)
        if "_v2" in stem:
            denominator = _IMPRESSIONS
        return Series("per_ad", ((_stable_pick(pool, name), 1),), key=name), denominator

    def resolve(self, stem: str) -> str:
        candidates = [stem, f"total_{stem}", f"{stem}s", stem.removesuffix("s"), stem.removeprefix("total_")]
        for prefix in _PREFIXES:
            if stem.startswith(prefix):
                rest = stem.removeprefix(prefix)
                candidates += [
                    f"{prefix}total_{rest}",
                    f"{prefix}total_{rest.removesuffix('s')}",
                    f"{prefix}unique_{rest}",
                    f"{prefix}{rest}s",
                ]
        for candidate in candidates:
            if candidate in self.counters:
                return candidate
        return stem

    def value(self, stem: str) -> Series:
        counter, _ = self.counter(stem)
        return Series("value", key=f"value:{self.resolve(stem)}", inner=counter)

    def classify(self, name: str) -> MetricSpec:
        if name in self.core:
            return self.core[name]
        if name in ATTRIBUTE_LEVELS:
            return MetricSpec(name, "attribute", level=ATTRIBUTE_LEVELS[name])
        if "roas" in name:
            stem = name.replace("_roas", "").replace("roas_", "").replace("roas", "value")
            return MetricSpec(name, "ratio", self.value(stem), _SPEND, 100, 2)
        for marker in ("avg_value_per_", "total_value_per_", "value_per_"):
            if marker in name:
                head, _, tail = name.partition(marker)
                stem = f"{head}{tail}"
                counter, _ = self.counter(stem)
                return MetricSpec(name, "ratio", self.value(stem), counter, 1, None)
        for marker in ("cost_per_", "cost_pre_", "cost_total_", "cost_"):
            if marker in name:
                head, _, tail = name.partition(marker)
                stem = f"{head}{'total_' if marker == 'cost_total_' else ''}{tail}"
                return _cost(name, self.counter(stem)[0])
        if name.endswith("_cost"):
            return _cost(name, self.counter(name.removesuffix("_cost"))[0])
        if "rate" in name or name.endswith("ctr"):
            stem = name.replace("_rate_v2", "_v2").replace("_rate", "").replace("rate", "")
            if name.endswith("ctr"):
                stem = name.removesuffix("ctr") + "clicks"
            counter, denominator = self.counter(stem)
            return _percent(name, counter, denominator)
        if "avg" in name or "average" in name or "duration" in name:
            return MetricSpec(name, "ratio", base("video_play_seconds"), base("video_play_actions"), 100, 2)
        if "value" in name or "revenue" in name:
            stem = name.replace("_value", "").replace("value_", "")
            return MetricSpec(name, "money", self.value(stem))
        return MetricSpec(name, "count", self.counter(name)[0])


@cache
def catalog_names() -> tuple[str, ...]:
    """Every metric name of the shipped ``report-metrics.txt`` (the set TikTok documents), in order."""
    text = resources.files("tiktok_ads_mart").joinpath("data/report-metrics.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def metric_specs() -> dict[str, MetricSpec]:
    """The spec of every accepted metric name."""
    names = catalog_names()
    classifier = _Classifier(names)
    specs = {name: classifier.classify(name) for name in names}
    for name, spec in classifier.core.items():
        specs.setdefault(name, spec)
    return specs


def _block(first: str, last: str) -> frozenset[str]:
    names = catalog_names()
    return frozenset(names[names.index(first) : names.index(last) + 1])


@cache
def audience_excluded() -> frozenset[str]:
    """Metrics an AUDIENCE report refuses: reach family, secondary goal, cash/voucher spend, billed cost,
    every video-play and engagement metric and the app-install trio (Airbyte's NOT_AUDIENCE_METRICS)."""
    return frozenset(
        {
            "reach",
            "cost_per_1000_reached",
            "frequency",
            "secondary_goal_result",
            "cost_per_secondary_goal_result",
            "secondary_goal_result_rate",
            "cash_spend",
            "voucher_spend",
            "billed_cost",
            "real_time_app_install",
            "real_time_app_install_cost",
            "app_install",
        }
    ) | _block("video_play_actions", "profile_visits_rate")


ADVERTISER_DAILY_ONLY: frozenset[str] = frozenset({"cash_spend", "voucher_spend"})
"""Metrics TikTok serves at advertiser level with daily or range grain only (no hourly, no lifetime)."""


def reach_permille(entity_hashes: np.ndarray, days_covered: int, hourly: bool) -> np.ndarray:
    """Reach as a share (per mille) of impressions for rows of the given entities and time grain.

    Reach is unique users, so it is not additive: each row's reach is ``ceil(impressions * share/1000)``
    with a share fixed per entity (55-90%) that shrinks for rows spanning more days (people come back)
    and grows for single hours. It is always between 1 and impressions for a row with impressions.
    """
    share = 550 + (entity_hashes % 351)
    if hourly:
        shares: np.ndarray = np.minimum(1000, share + 80)
    else:
        shares = np.maximum(150, share * 1000 // (1000 + 35 * max(0, days_covered - 1)))
    return shares


__all__ = [
    "ADVERTISER_DAILY_ONLY",
    "ATTRIBUTE_GETTERS",
    "ATTRIBUTE_LEVELS",
    "BASE_COLUMNS",
    "BASE_INDEX",
    "BASE_NAMES",
    "LEVELS",
    "MATURING",
    "REACH",
    "ROW_ATTRIBUTES",
    "MetricSpec",
    "Series",
    "audience_excluded",
    "catalog_names",
    "format_count",
    "format_fixed",
    "format_metric",
    "metric_specs",
    "ratio_units",
    "reach_permille",
]
