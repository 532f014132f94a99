"""The stream table: every table `sync` can load, as data.

One engine in :mod:`tiktok_ads_mart.sync.source` runs every row of this table, so adding a report is one
line here. Entity streams list objects; report streams are generated from levels x grains x breakdowns
instead of being copied per stream, and custom reports from the config file become the same
:class:`ReportSpec` rows.

Report naming: ``<level>_report_<grain>[_by_<breakdown>]`` for BASIC reports and
``<level>_audience_report_<grain>_by_<breakdown>`` for AUDIENCE reports, with the levels ``advertiser``,
``campaign``, ``adgroup`` and ``ad`` (TikTok's own spelling, as in ``adgroup_id``), e.g.
``campaign_report_daily``, ``ad_report_hourly``, ``adgroup_report_daily_by_country``,
``campaign_audience_report_daily_by_gender_age``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

Level = Literal["advertiser", "campaign", "adgroup", "ad"]
Grain = Literal["daily", "hourly", "lifetime"]
ReportType = Literal["BASIC", "AUDIENCE", "GMV_MAX"]

LEVELS: tuple[Level, ...] = ("advertiser", "campaign", "adgroup", "ad")
GRAINS: tuple[Grain, ...] = ("daily", "hourly", "lifetime")
REPORT_TYPES: tuple[ReportType, ...] = ("BASIC", "AUDIENCE")
"""What ``report/integrated/get/`` takes (custom reports choose one); GMV Max has its own endpoint."""

DATA_LEVEL: dict[Level, str] = {
    "advertiser": "AUCTION_ADVERTISER",
    "campaign": "AUCTION_CAMPAIGN",
    "adgroup": "AUCTION_ADGROUP",
    "ad": "AUCTION_AD",
}
ID_DIMENSION: dict[Level, str] = {
    "advertiser": "advertiser_id",
    "campaign": "campaign_id",
    "adgroup": "adgroup_id",
    "ad": "ad_id",
}
STATUS_FILTER_FIELD: dict[Level, str | None] = {
    "advertiser": None,
    "campaign": "campaign_status",
    "adgroup": "adgroup_status",
    "ad": "ad_status",
}
TIME_DIMENSION: dict[Grain, str | None] = {
    "daily": "stat_time_day",
    "hourly": "stat_time_hour",
    "lifetime": None,
}
MAX_WINDOW_DAYS: dict[Grain, int] = {"daily": 30, "hourly": 1, "lifetime": 0}
"""Widest date span TikTok accepts per request: 30 days with stat_time_day, 1 day with stat_time_hour."""

BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "country": ("country_code",),
    "gender_age": ("gender", "age"),
    "platform": ("platform",),
    "province": ("province_id",),
    "placement": ("placement",),
    "language": ("language",),
}
"""Breakdown name (the ``_by_<name>`` suffix) to the dimensions it adds."""

AUDIENCE_DIMENSIONS: frozenset[str] = frozenset({
    "gender", "age", "platform", "province_id", "ac", "language", "placement", "interest_category",
    "interest_category_v2", "dma_id", "device_brand_id", "contextual_tag",
})  # fmt: skip
"""Breakdowns only AUDIENCE reports take; ``country_code`` is the one both report types take."""
BASIC_DIMENSIONS: frozenset[str] = frozenset({
    "country_code", "ad_type", "custom_event_type", "event_source_id", "page_id", "component_name",
    "room_id", "post_id", "image_id", "video_material_id", "minis_id", "search_terms", "search_keyword",
    "match_type", "skan_postback_sequence",
})  # fmt: skip
"""Breakdowns BASIC reports take (the contract's list)."""

REPORT_PAGE_SIZE = 1000
REPORT_PATH = "report/integrated/get/"
"""The synchronous report endpoint every report stream reads."""
ENTITY_PAGE_SIZE = 1000
AUDIENCE_PAGE_SIZE = 100

# --- metrics -------------------------------------------------------------------------------------

AIRBYTE_COMMON_METRICS: tuple[str, ...] = (
    "spend", "cpc", "cpm", "impressions", "clicks", "ctr", "reach", "cost_per_1000_reached", "frequency",
    "video_play_actions", "video_watched_2s", "video_watched_6s", "average_video_play",
    "average_video_play_per_user", "video_views_p25", "video_views_p50", "video_views_p75",
    "video_views_p100", "profile_visits", "likes", "comments", "shares", "follows", "clicks_on_music_disc",
    "real_time_app_install", "real_time_app_install_cost", "app_install",
)  # fmt: skip
"""The fixed set Airbyte requests at every level (the contract, section 3)."""

CONVERSION_METRICS: tuple[str, ...] = (
    "conversion", "cost_per_conversion", "conversion_rate", "conversion_rate_v2",
    "real_time_conversion", "real_time_cost_per_conversion", "real_time_conversion_rate",
    "real_time_conversion_rate_v2",
)  # fmt: skip
RESULT_METRICS: tuple[str, ...] = (
    "result", "cost_per_result", "result_rate",
    "real_time_result", "real_time_cost_per_result", "real_time_result_rate",
)  # fmt: skip
VALUE_METRICS: tuple[str, ...] = (
    "complete_payment", "cost_per_complete_payment", "value_per_complete_payment", "complete_payment_roas",
    "total_complete_payment_rate", "onsite_shopping", "cost_per_onsite_shopping",
    "total_onsite_shopping_value", "onsite_shopping_roas",
)  # fmt: skip
"""What ad spend earns, asked for by users of every peer: purchases (website: complete payment; TikTok
Shop: on-site shopping), their value, cost per purchase and return on ad spend."""
SECONDARY_GOAL_METRICS: tuple[str, ...] = (
    "secondary_goal_result", "cost_per_secondary_goal_result", "secondary_goal_result_rate",
)  # fmt: skip

LEVEL_ATTRIBUTES: dict[Level, tuple[str, ...]] = {
    "advertiser": (),
    "campaign": ("campaign_name",),
    "adgroup": (
        "campaign_name", "campaign_id", "adgroup_name", "placement_type", "tt_app_id", "tt_app_name",
        "mobile_app_id", "promotion_type", "dpa_target_audience_type",
    ),
    "ad": (
        "campaign_name", "campaign_id", "adgroup_name", "placement_type", "tt_app_id", "tt_app_name",
        "mobile_app_id", "promotion_type", "dpa_target_audience_type", "adgroup_id", "ad_name", "ad_text",
    ),
}  # fmt: skip
"""Attribute metrics Airbyte adds per level: names and parent ids, so a report row reads on its own."""

ADVERTISER_DAILY_EXTRA: tuple[str, ...] = ("cash_spend", "voucher_spend")
"""Only at advertiser level, only daily (TikTok refuses them hourly and for lifetime)."""

NOT_AUDIENCE_METRICS: frozenset[str] = frozenset(
    {
        "reach", "cost_per_1000_reached", "frequency", "secondary_goal_result",
        "cost_per_secondary_goal_result", "secondary_goal_result_rate", "cash_spend", "voucher_spend",
        "video_play_actions", "video_watched_2s", "video_watched_6s", "average_video_play",
        "average_video_play_per_user", "video_views_p25", "video_views_p50", "video_views_p75",
        "video_views_p100", "profile_visits", "likes", "comments", "shares", "follows",
        "clicks_on_music_disc", "real_time_app_install", "real_time_app_install_cost", "app_install",
    }
)  # fmt: skip
"""Metrics AUDIENCE reports do not carry (Airbyte's NOT_AUDIENCE_METRICS)."""


def default_metrics(level: Level, grain: Grain, report_type: ReportType) -> tuple[str, ...]:
    """Airbyte's sets plus the conversion, result and value families; ``currency`` always, first."""
    names: list[str] = ["currency", *LEVEL_ATTRIBUTES[level], *AIRBYTE_COMMON_METRICS]
    names += [*CONVERSION_METRICS, *RESULT_METRICS, *VALUE_METRICS]
    if level in ("adgroup", "ad") or report_type == "BASIC":
        names += SECONDARY_GOAL_METRICS
    if level == "advertiser" and grain == "daily" and report_type == "BASIC":
        names += ADVERTISER_DAILY_EXTRA
    if report_type == "AUDIENCE":
        names = [name for name in names if name not in NOT_AUDIENCE_METRICS]
    return tuple(dict.fromkeys(names))


@cache
def metric_catalog() -> tuple[str, ...]:
    """Every metric name TikTok's report endpoint knows, in the catalog's order."""
    text = resources.files("tiktok_ads_mart").joinpath("data/report-metrics.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def attribute_metrics() -> frozenset[str]:
    """Descriptive (string) metrics: the catalog lists them first, before ``spend``."""
    names = metric_catalog()
    return frozenset(names[: names.index("spend")])


_DECIMAL_HINTS = (
    "spend", "cost", "cpc", "cpm", "ctr", "rate", "roas", "value", "frequency", "average", "avg_",
    "budget", "bid", "per_", "duration", "revenue", "ratio", "_cpa", "cpv", "amount", "gmv", "_percent",
)  # fmt: skip


@cache
def metric_kind(name: str) -> Literal["string", "count", "decimal"]:
    """How a metric is typed in the mart: attributes are strings, tallies int64, the rest decimals.

    Money, ratios and averages are recognised by their name parts (cost_per_*, *_rate, *_roas,
    *_value, spend, cpc, cpm, ctr, frequency, average_*); every other numeric metric counts events.
    """
    if name in attribute_metrics():
        return "string"
    if name.endswith("roi") or any(hint in name for hint in _DECIMAL_HINTS):
        return "decimal"
    return "count"


# --- stream specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """Where a lookup stream's ids come from, and how TikTok takes them.

    Assets (videos, images) are not listed by TikTok: they are asked for by id, and the ids are what
    another stream's rows carry (an ad's ``video_id`` and ``image_ids``). An asset does not change once
    uploaded, so only ids not loaded before are requested.
    """

    source: str  # the stream whose rows carry the ids
    fields: tuple[str, ...]  # fields of those rows holding an id or a list of ids
    param: str  # the request parameter that takes the ids (one id, not a list, when ``batch`` is 1)
    batch: int  # the most ids TikTok takes in one request
    remember: bool = True  # False: what the ids name changes (a campaign's details): asked for every run


@dataclass(frozen=True)
class EntitySpec:
    """An object listing: one table of TikTok objects, merged on advertiser_id + the object's id."""

    name: str
    path: str
    id_field: str
    page_size: int = ENTITY_PAGE_SIZE
    per_advertiser: bool = True
    status_all: str | None = None  # the `primary_status` value that includes deleted objects
    deleted_suffix: str | None = "_DELETE"  # secondary_status ending that marks deleted (incl. cascades)
    timestamp_fields: tuple[str, ...] = ("create_time", "modify_time")
    decimal_fields: tuple[str, ...] = ()
    list_key: str = "list"  # where the answer's ``data`` holds the rows ("": ``data`` is the one row)
    deleted_status: str | None = None  # a listing without STATUS_ALL: deleted objects asked for apart
    params: tuple[tuple[str, Any], ...] = field(default=(), hash=False)  # sent with every request
    columns: tuple[str, ...] = ()  # the fields kept (besides the keys); empty: every field TikTok sends
    lookup: Lookup | None = None  # asked for by id, not listed (see Lookup)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return ("advertiser_id",) if self.id_field == "advertiser_id" else ("advertiser_id", self.id_field)


@dataclass(frozen=True)
class ReportSpec:
    """One report table: ``report/integrated/get/`` at a level and grain, with optional breakdowns."""

    name: str
    report_type: ReportType
    level: Level
    grain: Grain
    breakdown: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    custom: bool = False
    id_field: str | None = None  # the row's id dimension when not the level's own (``ad_id_v2``)
    endpoint: str = REPORT_PATH
    per_store: bool = False  # asked once per TikTok Shop store of the advertiser (``store_ids``)
    filtering: tuple[tuple[str, Any], ...] = field(default=(), hash=False)  # sent with every request
    deleted_filter: tuple[str, Any] | None = field(default=None, hash=False)  # asks for deleted objects
    id_filter: Lookup | None = None  # a report that must name its objects: their ids, from a stream

    @property
    def path(self) -> str:
        return self.endpoint

    @property
    def integrated(self) -> bool:
        """Read from ``report/integrated/get/`` (or as its report task), not a report of its own kind."""
        return self.endpoint == REPORT_PATH

    @property
    def definition(self) -> dict[str, Any]:
        """What shapes the report's table: a custom report whose definition changes needs a new table."""
        return {
            "report_type": self.report_type,
            "level": self.level,
            "granularity": self.grain,
            "breakdown": list(self.breakdown),
            "metrics": list(self.metrics),
        }

    @property
    def data_level(self) -> str:
        return DATA_LEVEL[self.level]

    @property
    def id_dimension(self) -> str:
        return self.id_field or ID_DIMENSION[self.level]

    @property
    def time_dimension(self) -> str | None:
        return TIME_DIMENSION[self.grain]

    @property
    def dimensions(self) -> tuple[str, ...]:
        """What is sent as ``dimensions``: the level's id, the time dimension, the breakdown."""
        time = (self.time_dimension,) if self.time_dimension else ()
        return (self.id_dimension, *time, *self.breakdown)

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The merge key: advertiser_id + the level's id + time and breakdown dimensions."""
        return tuple(dict.fromkeys(("advertiser_id", *self.dimensions)))

    @property
    def page_size(self) -> int:
        return REPORT_PAGE_SIZE


StreamSpec = EntitySpec | ReportSpec

CREATIVE_STREAMS: tuple[EntitySpec, ...] = (
    EntitySpec(
        "videos", "file/video/ad/info/", "video_id", deleted_suffix=None,
        lookup=Lookup("ads", ("video_id",), "video_ids", 60),
        columns=(
            "file_name", "duration", "size", "width", "height", "format", "bit_rate", "preview_url",
            "preview_url_expire_time", "video_cover_url", "material_id", "signature", "create_time",
            "modify_time",
        ),
        decimal_fields=("duration",),
    ),
    EntitySpec(
        "images", "file/image/ad/info/", "image_id", deleted_suffix=None,
        lookup=Lookup("ads", ("image_ids",), "image_ids", 100),
        columns=(
            "file_name", "size", "width", "height", "format", "image_url", "material_id", "signature",
            "displayable", "create_time", "modify_time",
        ),
    ),
    EntitySpec(
        "identities", "identity/get/", "identity_id", page_size=100, deleted_suffix=None,
        list_key="identity_list", timestamp_fields=(),
    ),
    EntitySpec("pixels", "pixel/list/", "pixel_id", page_size=20, deleted_suffix=None, list_key="pixels"),
)  # fmt: skip
"""What the ads are made of and who runs them: assets by id (see Lookup), identities and pixels listed."""

ADGROUP_MONEY = ("budget", "bid_price", "conversion_bid_price", "deep_cpa_bid", "roas_bid")
"""An ad group's money fields, manual or Upgraded Smart+: exact decimals."""

SMART_PLUS_STREAMS: tuple[EntitySpec, ...] = (
    EntitySpec(
        "smart_plus_campaigns", "smart_plus/campaign/get/", "campaign_id", status_all="STATUS_ALL",
        decimal_fields=("budget", "current_budget"),
    ),
    EntitySpec(
        "smart_plus_ad_groups", "smart_plus/adgroup/get/", "adgroup_id", status_all="STATUS_ALL",
        decimal_fields=ADGROUP_MONEY,
    ),
    EntitySpec("smart_plus_ads", "smart_plus/ad/get/", "smart_plus_ad_id", page_size=100, status_all="STATUS_ALL"),
)  # fmt: skip
"""Upgraded Smart+ objects as TikTok's own Smart+ endpoints describe them (doc 1843312818332930); the same
campaigns and ad groups are also rows of ``campaigns`` and ``ad_groups`` (``campaign_automation_type``),
and their creatives rows of ``ads`` (doc 1854103649826817)."""

GMV_MAX_PROMOTION_TYPES = ("PRODUCT_GMV_MAX", "LIVE_GMV_MAX")
GMV_MAX_STREAMS: tuple[EntitySpec, ...] = (
    EntitySpec(
        "gmv_max_stores", "gmv_max/store/list/", "store_id", deleted_suffix=None, list_key="store_list",
        timestamp_fields=(),
    ),
    EntitySpec(
        "gmv_max_campaigns", "gmv_max/campaign/get/", "campaign_id", page_size=100,
        params=(("filtering", {"gmv_max_promotion_types": list(GMV_MAX_PROMOTION_TYPES)}),),
        deleted_status="STATUS_DELETE",
    ),
    EntitySpec(
        "gmv_max_campaign_details", "campaign/gmv_max/info/", "campaign_id", deleted_suffix=None, list_key="",
        lookup=Lookup("gmv_max_campaigns", ("campaign_id",), "campaign_id", 1, remember=False),
        timestamp_fields=(), decimal_fields=("budget", "roas_bid"),
    ),
)  # fmt: skip
"""TikTok Shop's GMV Max: the stores (doc 1822001044479041), the campaigns listed (doc 1826463372290177)
and each one's details (doc 1822000968821762: store, product or LIVE, budget and ROI target)."""

GMV_MAX_METRICS = ("cost", "net_cost", "orders", "cost_per_order", "gross_revenue", "roi")
"""The GMV Max report's core metrics (doc 1824722485971009); ROI is gross revenue over cost."""
GMV_MAX_REPORT_PATH = "gmv_max/report/get/"

ENTITY_STREAMS: tuple[EntitySpec, ...] = (
    EntitySpec(
        "advertisers", "advertiser/info/", "advertiser_id", per_advertiser=False, deleted_suffix=None,
        timestamp_fields=("create_time",), decimal_fields=("balance",),
    ),
    EntitySpec(
        "campaigns", "campaign/get/", "campaign_id", status_all="STATUS_ALL",
        decimal_fields=("budget", "roas_bid"),
    ),
    EntitySpec(
        "ad_groups", "adgroup/get/", "adgroup_id", status_all="STATUS_ALL",
        decimal_fields=ADGROUP_MONEY,
    ),
    # Re-listed in full, not by `modified_after`: an ad row carries its campaign's and ad group's names and
    # a status that follows a deleted parent, and none of those move the ad's own modify_time.
    EntitySpec("ads", "ad/get/", "ad_id", status_all="STATUS_ALL"),
    EntitySpec(
        "custom_audiences", "dmp/custom_audience/list/", "audience_id", page_size=AUDIENCE_PAGE_SIZE,
        deleted_suffix=None, timestamp_fields=("create_time", "expired_time"),
    ),
    *CREATIVE_STREAMS,
    *SMART_PLUS_STREAMS,
    *GMV_MAX_STREAMS,
)  # fmt: skip


def _basic_reports() -> list[ReportSpec]:
    specs = [
        ReportSpec(f"{level}_report_{grain}", "BASIC", level, grain) for level in LEVELS for grain in GRAINS
    ]
    specs += [
        ReportSpec(f"{level}_report_daily_by_country", "BASIC", level, "daily", BREAKDOWNS["country"])
        for level in ("adgroup", "ad")
    ]
    return specs


def _audience_reports() -> list[ReportSpec]:
    specs = [
        ReportSpec(f"{level}_audience_report_daily_by_{by}", "AUDIENCE", level, "daily", BREAKDOWNS[by])
        for level in LEVELS
        for by in ("gender_age", "country", "platform", "placement", "language")
    ]
    specs.append(
        ReportSpec("ad_audience_report_daily_by_province", "AUDIENCE", "ad", "daily", ("province_id",))
    )
    return specs


def _with_default_metrics(spec: ReportSpec) -> ReportSpec:
    return replace(spec, metrics=spec.metrics or default_metrics(spec.level, spec.grain, spec.report_type))


def _ad_v2_reports() -> list[ReportSpec]:
    """Ad-level rows by ``ad_id_v2``: an Upgraded Smart+ ad is one row, not one per creative (doc
    1854103649826817); a manual ad's ``ad_id_v2`` is its ``ad_id``. Its attribute metrics are the parents'."""
    metrics = [m for m in default_metrics("ad", "daily", "BASIC") if m not in ("ad_name", "ad_text")]
    return [
        ReportSpec("ad_v2_report_daily", "BASIC", "ad", "daily", metrics=tuple(metrics), id_field="ad_id_v2")
    ]


def _gmv_max_reports() -> list[ReportSpec]:
    """One store at a time (``store_ids`` takes one); Product and LIVE campaigns apart, as TikTok asks."""
    kinds = {"product": "PRODUCT", "live": "LIVE"}
    specs = [
        ReportSpec(
            f"gmv_max_{kind}_campaign_report_daily", "GMV_MAX", "campaign", "daily", metrics=GMV_MAX_METRICS,
            endpoint=GMV_MAX_REPORT_PATH, per_store=True,
            filtering=(("gmv_max_promotion_types", [promotion]),),
            deleted_filter=("campaign_statuses", ["STATUS_ALL"]),
        )
        for kind, promotion in kinds.items()
    ]  # fmt: skip
    specs.append(
        ReportSpec(
            "gmv_max_product_report_daily", "GMV_MAX", "campaign", "daily", ("item_group_id",),
            metrics=tuple(m for m in GMV_MAX_METRICS if m != "net_cost"), endpoint=GMV_MAX_REPORT_PATH,
            per_store=True, filtering=(("gmv_max_promotion_types", ["PRODUCT"]),),
            id_filter=Lookup("gmv_max_campaigns", ("campaign_id",), "campaign_ids", 100),
        )
    )  # fmt: skip
    return specs


REPORT_STREAMS: tuple[ReportSpec, ...] = (
    *(_with_default_metrics(spec) for spec in (*_basic_reports(), *_audience_reports())),
    *_ad_v2_reports(),
    *_gmv_max_reports(),
)

_ALL_SPECS: tuple[StreamSpec, ...] = (*ENTITY_STREAMS, *REPORT_STREAMS)
BUILTIN_STREAMS: dict[str, StreamSpec] = {spec.name: spec for spec in _ALL_SPECS}
"""Every built-in stream by name, entities first; the default selection is all of them."""


STORE_STREAM = "gmv_max_stores"
"""Where a per-store report (``ReportSpec.per_store``) finds the advertiser's TikTok Shop stores."""

STORE_FIELDS = ("store_id", "is_gmv_max_available")
"""What a per-store report takes from a store row (see :func:`store_runs_gmv_max`)."""


def _source_fields() -> dict[str, tuple[str, ...]]:
    """Each source stream's fields that lookups and id filters name, so no second list can drift."""
    found: dict[str, dict[str, None]] = {STORE_STREAM: dict.fromkeys(STORE_FIELDS)}
    for spec in BUILTIN_STREAMS.values():
        taker = spec.lookup if isinstance(spec, EntitySpec) else spec.id_filter
        if taker is not None:
            found.setdefault(taker.source, {}).update(dict.fromkeys(taker.fields))
    return {source: tuple(fields) for source, fields in found.items()}


SOURCE_FIELDS: dict[str, tuple[str, ...]] = _source_fields()
"""The fields other streams take from a source stream's rows (all a run keeps of them for that)."""


def id_sources(spec: StreamSpec) -> set[str]:
    """The streams whose rows name what ``spec`` asks for: a lookup's source, a per-store report's stores."""
    if isinstance(spec, EntitySpec):
        return {spec.lookup.source} if spec.lookup is not None else set()
    sources = {STORE_STREAM} if spec.per_store else set()
    return sources | ({spec.id_filter.source} if spec.id_filter is not None else set())


def ids_in(rows: Iterable[Mapping[str, Any]], fields: tuple[str, ...]) -> list[str]:
    """The distinct ids that ``fields`` of ``rows`` hold (an id, or a list of ids), in first-seen order."""
    found: dict[str, None] = {}
    for row in rows:
        for name in fields:
            value = row.get(name)
            for one in value if isinstance(value, list | tuple) else (value,):
                if one not in (None, ""):
                    found[str(one)] = None
    return list(found)


def rows_of(spec: EntitySpec, data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The rows of one answer: under ``list_key``, or the answer itself for an endpoint of one object."""
    if not spec.list_key:
        return [data] if data else []
    rows: list[Mapping[str, Any]] = data.get(spec.list_key) or []
    return rows


def store_runs_gmv_max(store: Mapping[str, Any]) -> bool:
    """A store the GMV Max report can be asked about (TikTok marks the others unavailable)."""
    return store.get("is_gmv_max_available") is not False


__all__ = [
    "ADVERTISER_DAILY_EXTRA",
    "AUDIENCE_DIMENSIONS",
    "BASIC_DIMENSIONS",
    "BREAKDOWNS",
    "BUILTIN_STREAMS",
    "DATA_LEVEL",
    "ENTITY_STREAMS",
    "GRAINS",
    "ID_DIMENSION",
    "LEVELS",
    "MAX_WINDOW_DAYS",
    "NOT_AUDIENCE_METRICS",
    "REPORT_PATH",
    "REPORT_STREAMS",
    "REPORT_TYPES",
    "SOURCE_FIELDS",
    "STATUS_FILTER_FIELD",
    "STORE_STREAM",
    "TIME_DIMENSION",
    "VALUE_METRICS",
    "EntitySpec",
    "Grain",
    "Level",
    "Lookup",
    "ReportSpec",
    "ReportType",
    "StreamSpec",
    "attribute_metrics",
    "default_metrics",
    "id_sources",
    "ids_in",
    "metric_catalog",
    "metric_kind",
    "rows_of",
    "store_runs_gmv_max",
]
