"""Which report requests TikTok accepts, checked in one fixed order and reduced to a hashable ``Query``.

TikTok answers a report it refuses with 40002 and a message naming the parameter; a client that builds
requests wrongly must fail here exactly as it would there, so each rule group below is one function and
``validate`` runs them in the same order every time: report type and level, dimensions, what the report
type allows, metrics, dates, then filters and ordering. A request with several faults is therefore
always refused for the same one. The engine that computes a validated ``Query`` is
:mod:`tiktok_ads_mart.emulator.reports`; the HTTP endpoints that parse the wire format are
:mod:`tiktok_ads_mart.emulator.report_endpoints`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from tiktok_ads_mart.emulator.catalog import (
    ADVERTISER_DAILY_ONLY,
    ATTRIBUTE_LEVELS,
    LEVELS,
    audience_excluded,
    metric_specs,
)
from tiktok_ads_mart.emulator.entities import AUTOMATION_TYPES

DATA_LEVELS: dict[str, str] = {f"AUCTION_{level}": level for level in LEVELS}
ID_DIMENSIONS: dict[str, str] = {
    "ADVERTISER": "advertiser_id",
    "CAMPAIGN": "campaign_id",
    "ADGROUP": "adgroup_id",
    "AD": "ad_id",
}
TIME_DIMENSIONS = ("stat_time_day", "stat_time_hour")
BREAKDOWN_FAMILY: dict[str, str] = {
    "gender": "gender_age",
    "age": "gender_age",
    "country_code": "country_code",
    "platform": "platform",
    "province_id": "province_id",
    "placement": "placement",
    "language": "language",
}
UNSERVED_DIMENSIONS = frozenset({
    "ac", "interest_category", "interest_category_v2", "dma_id",
    "device_brand_id", "contextual_tag", "ad_type", "custom_event_type", "event_source_id", "page_id",
    "component_name", "room_id", "post_id", "image_id", "video_material_id", "minis_id", "search_terms",
    "search_keyword", "match_type", "skan_postback_sequence",
})  # fmt: skip
"""Dimensions TikTok knows that this emulator does not serve (answered with a clear 40002)."""
AD_ID_V2 = "ad_id_v2"
"""The other ID dimension of AUCTION_AD: the ad level, where an Upgraded Smart+ ad's creatives are summed
into the Smart+ ad and a manual ad is itself (``ad_id`` keeps creatives apart; doc 1740302848100353)."""
AD_ID_V2_ATTRIBUTES = frozenset({"ad_name", "ad_id_v2"})
"""The ad-level attribute metrics served beside ``ad_id_v2``. TikTok answers the others (``ad_text``,
``call_to_action``, ``ad_url``, ...) as lists (``ad_text_list``, ...) for a Smart+ ad's row; the emulator
does not, and refuses them there rather than answer them in another shape."""
FILTER_FIELDS: dict[str, str] = {"campaign_ids": "CAMPAIGN", "adgroup_ids": "ADGROUP", "ad_ids": "AD"}
IN_ONLY_FILTERS = frozenset({"ad_ids_v2", "campaign_automation_type"})
"""Filters a synchronous report takes with filter_type IN only: ``ad_ids_v2`` (at most 100 ids of the ad
level) and ``campaign_automation_type`` (the campaign's type), both in the page's own examples."""
MAX_FILTER_IDS = 100  # "you can pass in up to 100 IDs at a time" (doc 1740302848100353)
MAX_TASK_FILTER_IDS = (
    20_000  # asynchronous tasks "filter the data by 20000 IDs at most" (doc 1740302766489602)
)
STATUS_FIELDS = frozenset({"campaign_status", "adgroup_status", "ad_status"})
TASK_FILTER_FIELDS = frozenset({*FILTER_FIELDS, "country_code"})
"""What a task may filter by: "Asynchronous reports only support filtering by campaign_ids, adgroup_ids,
ad_ids or country_code" (doc 1740302766489602, Notes)."""
LIST_FILTER_TYPES = frozenset({"IN", "NOT_IN", "CONTAIN_ANY_OF"})
"""Filter types whose value is a JSON-array string (doc 1740302848100353, ``filter_value``)."""
RESOLVED_IDS = "resolved_ids"
"""Key the HTTP layer adds to a NOT_IN or CONTAIN_ANY_OF id filter: the account's ids that it keeps.

Which ids are *not* listed, or contain a fragment, depends on the account tree, which validation does
not see; the engine keeps the ads whose ancestor is in a set. The wire never carries this key (the HTTP
layer builds each filter from its three documented fields)."""
UV_METRICS = frozenset({
    "average_video_play_per_user", "frequency", "cost_per_1000_reached", "real_time_result",
    "real_time_result_rate", "real_time_cost_per_result", "result", "result_rate", "cost_per_result",
    "reach", "live_play_count",
})  # fmt: skip
"""Metrics an asynchronous report refuses next to an audience dimension (doc 1740302766489602, Notes)."""
AUDIENCE_DIMENSIONS = frozenset({
    "gender", "age", "country_code", "ac", "language", "platform", "interest_category", "placement",
    "contextual_tag",
})  # fmt: skip
"""What doc 1740302766489602 calls audience dimensions (province_id is not among them)."""
MAX_DAYS = {"stat_time_day": 30, "stat_time_hour": 1, None: 365}
"""Synchronous reports' longest span by time dimension (doc 1740302848100353); tasks have none: "There
are no limits on starting times and ending times for asynchronous reports" (doc 1740302766489602)."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Filters: TypeAlias = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[str]] | None
"""``[{field_name, filter_type, filter_value}]`` as TikTok takes it, or ``{field: [ids]}`` for tests."""


class ReportParamError(ValueError):
    """A report request TikTok would refuse with 40002; the message names the parameter."""


@dataclass(frozen=True)
class ReportRequest:
    """A report request as asked, before any check, so the rule groups share one argument."""

    report_type: str | None
    data_level: str | None
    dimensions: Sequence[str] | None
    metrics: Sequence[str] | None = None
    start_date: str | None = None
    end_date: str | None = None
    query_lifetime: bool = False
    include_deleted: bool = False
    filters: Filters = None
    order_field: str | None = None
    order_type: str | None = None
    asynchronous: bool = False  # a task's request: no span limit, no UV metric beside an audience dimension

    @property
    def max_filter_ids(self) -> int:
        return MAX_TASK_FILTER_IDS if self.asynchronous else MAX_FILTER_IDS


@dataclass(frozen=True)
class Query:
    """A validated report request, reduced to what the engine needs (hashable: it keys the cache)."""

    report_type: str
    level: str
    dimensions: tuple[str, ...]
    time_dimension: str | None
    breakdown: str | None  # bucket family, see BREAKDOWN_FAMILY
    breakdown_dimensions: tuple[str, ...]
    metrics: tuple[str, ...]
    first_day: date | None  # None with query_lifetime
    last_day: date | None
    lifetime: bool
    include_deleted: bool
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    order_field: str | None = None  # a non-attribute metric; rows keep time, id, bucket order without it
    order_descending: bool = True
    ad_id_v2: bool = False  # the ID dimension is ad_id_v2 (the ad level of Upgraded Smart+ ads)

    @property
    def id_dimension(self) -> str:
        return AD_ID_V2 if self.ad_id_v2 else ID_DIMENSIONS[self.level]

    @property
    def grouping(self) -> str:
        """What rows are summed into: the level, or ``AD_V2`` (the ad level) with ``ad_id_v2``."""
        return "AD_V2" if self.ad_id_v2 else self.level


@dataclass(frozen=True)
class _Dimensions:
    """The requested dimensions sorted by the role the engine gives each one."""

    names: tuple[str, ...]
    time: str | None
    breakdown: str | None  # bucket family, see BREAKDOWN_FAMILY
    breakdown_names: tuple[str, ...]


def validate(request: ReportRequest) -> Query:
    """Check a request the way TikTok does and normalise it; raises ReportParamError naming the parameter."""
    report_type, level = _check_type_and_level(request)
    dims = _check_dimension_roles(_check_dimension_names(request.dimensions), level, request.data_level)
    _check_report_shape(report_type, dims, request.query_lifetime)
    metrics = _check_metrics(request, report_type, level, dims.time)
    if AD_ID_V2 in dims.names:
        _check_ad_level_metrics(metrics)
    if request.asynchronous:
        _check_task_metrics(dims, metrics)
    first_day, last_day = _check_dates(request, dims.time)
    include_deleted = (
        bool(request.include_deleted) or level == "ADVERTISER" or _asks_for_deleted(request.filters)
    )
    return Query(
        report_type,
        level,
        dims.names,
        dims.time,
        dims.breakdown,
        dims.breakdown_names,
        metrics,
        first_day,
        last_day,
        bool(request.query_lifetime),
        include_deleted,
        _parse_filters(request.filters, request.max_filter_ids),
        *_parse_order(request.order_field, request.order_type),
        AD_ID_V2 in dims.names,
    )


def _check_type_and_level(request: ReportRequest) -> tuple[str, str]:
    """Only BASIC and AUDIENCE are served, both at one of the four AUCTION_* levels."""
    report_type, data_level = request.report_type, request.data_level
    if report_type not in ("BASIC", "AUDIENCE"):
        raise ReportParamError(f"report_type: must be one of BASIC, AUDIENCE, got {report_type!r}")
    if data_level is None:
        raise ReportParamError("data_level: required for BASIC and AUDIENCE reports")
    level = DATA_LEVELS.get(data_level)
    if level is None:
        raise ReportParamError(f"data_level: must be one of {', '.join(DATA_LEVELS)}, got {data_level!r}")
    return report_type, level


def _check_dimension_names(dimensions: Sequence[str] | None) -> tuple[str, ...]:
    """At least one dimension, none repeated, each known; an unserved one says so rather than 'unknown'."""
    names = tuple(dimensions or ())
    if not names:
        raise ReportParamError('dimensions: required, e.g. ["campaign_id", "stat_time_day"]')
    if len(set(names)) != len(names):
        raise ReportParamError("dimensions: a dimension is repeated")
    for dim in names:
        if dim in UNSERVED_DIMENSIONS:
            raise ReportParamError(f"dimensions: {dim} is not supported by this emulator")
        known = (*ID_DIMENSIONS.values(), AD_ID_V2, *TIME_DIMENSIONS, *BREAKDOWN_FAMILY)
        if dim not in known:
            raise ReportParamError(f"dimensions: unknown dimension {dim!r}")
    return names


def _check_dimension_roles(names: tuple[str, ...], level: str, data_level: str | None) -> _Dimensions:
    """Exactly the level's ID dimension (``ad_id`` or ``ad_id_v2`` at AUCTION_AD, never both: assumed,
    as for any two ID dimensions), at most one time dimension and one breakdown family."""
    id_dims = [d for d in names if d in ID_DIMENSIONS.values() or d == AD_ID_V2]
    expected_id = ID_DIMENSIONS[level]
    allowed = [[expected_id], [AD_ID_V2]] if level == "AD" else [[expected_id]]
    if id_dims not in allowed:
        expected = f"{expected_id} or {AD_ID_V2}" if level == "AD" else expected_id
        raise ReportParamError(
            f"dimensions: exactly one ID dimension is allowed and it must match data_level {data_level} "
            f"({expected}), got {id_dims or 'none'}"
        )
    time_dims = [d for d in names if d in TIME_DIMENSIONS]
    if len(time_dims) > 1:
        raise ReportParamError("dimensions: use at most one of stat_time_day and stat_time_hour")
    breakdown_dims = tuple(d for d in names if d in BREAKDOWN_FAMILY)
    families = {BREAKDOWN_FAMILY[d] for d in breakdown_dims}
    if len(families) > 1:
        raise ReportParamError(
            f"dimensions: {', '.join(breakdown_dims)} cannot be combined; use one of gender/age, "
            "country_code, platform, province_id"
        )
    breakdown = families.pop() if families else None
    return _Dimensions(names, time_dims[0] if time_dims else None, breakdown, breakdown_dims)


def _check_report_shape(report_type: str, dims: _Dimensions, lifetime: bool) -> None:
    """What each report type allows: BASIC breaks down by country only, AUDIENCE always breaks down
    (by day at most), and a lifetime report has neither a time nor an audience dimension."""
    if report_type == "BASIC" and dims.breakdown not in (None, "country_code"):
        raise ReportParamError(
            f"dimensions: {', '.join(dims.breakdown_names)} needs report_type AUDIENCE "
            "(BASIC allows country_code)"
        )
    if report_type == "AUDIENCE":
        if dims.breakdown is None:
            raise ReportParamError(
                "dimensions: an AUDIENCE report needs an audience dimension "
                "(gender, age, country_code, platform or province_id)"
            )
        if dims.time == "stat_time_hour":
            raise ReportParamError("dimensions: stat_time_hour is not supported for AUDIENCE reports")
        if lifetime:
            raise ReportParamError("query_lifetime: only supported for report_type BASIC")
    if lifetime and (dims.time or dims.breakdown):
        raise ReportParamError(
            "query_lifetime: no time dimension, audience dimension or country_code is allowed with it"
        )


def _check_metrics(
    request: ReportRequest, report_type: str, level: str, time_dim: str | None
) -> tuple[str, ...]:
    """Known metrics, each available at the level, in the report type and with the time dimension."""
    names = tuple(dict.fromkeys(request.metrics or ("spend", "impressions")))
    specs = metric_specs()
    excluded = audience_excluded()
    for name in names:
        spec = specs.get(name)
        if spec is None:
            raise ReportParamError(f"metrics: unknown metric {name!r}")
        if spec.kind == "attribute" and LEVELS.index(spec.level) > LEVELS.index(level):
            raise ReportParamError(f"metrics: {name} is not available at data_level {request.data_level}")
        if report_type == "AUDIENCE" and name in excluded:
            raise ReportParamError(f"metrics: {name} is not supported in AUDIENCE reports")
        if name in ADVERTISER_DAILY_ONLY and (
            level != "ADVERTISER" or request.query_lifetime or time_dim == "stat_time_hour"
        ):
            raise ReportParamError(
                f"metrics: {name} is only available at data_level AUCTION_ADVERTISER, without "
                "stat_time_hour or query_lifetime"
            )
    return names


def _check_ad_level_metrics(metrics: tuple[str, ...]) -> None:
    """Beside ``ad_id_v2``, ad-level attributes other than ``ad_name`` and ``ad_id_v2`` are refused (see
    ``AD_ID_V2_ATTRIBUTES``); campaign, ad group and advertiser attributes are served as at any level."""
    for name in metrics:
        if ATTRIBUTE_LEVELS.get(name) == "AD" and name not in AD_ID_V2_ATTRIBUTES:
            raise ReportParamError(
                f"metrics: {name} is not supported with the dimension {AD_ID_V2} by this emulator "
                f"(it serves {', '.join(sorted(AD_ID_V2_ATTRIBUTES))} among ad attributes there)"
            )


def _check_task_metrics(dims: _Dimensions, metrics: tuple[str, ...]) -> None:
    """A task refuses UV metrics beside an audience dimension: "Querying UV metrics with audience
    dimensions is not supported in asynchronous reports" (doc 1740302766489602), though the same request
    passes as a synchronous report."""
    audience = [d for d in dims.names if d in AUDIENCE_DIMENSIONS]
    uv = [m for m in metrics if m in UV_METRICS]
    if audience and uv:
        raise ReportParamError(
            f"metrics: {', '.join(uv)} (UV metrics) cannot be combined with the audience dimension "
            f"{audience[0]} in an asynchronous report"
        )


def _check_dates(request: ReportRequest, time_dim: str | None) -> tuple[date | None, date | None]:
    """Both dates unless lifetime, in order, and (synchronous reports only) no longer than the time
    dimension's span limit."""
    if request.query_lifetime:
        return None, None
    first_day = _parse_date("start_date", request.start_date)
    last_day = _parse_date("end_date", request.end_date)
    if last_day < first_day:
        raise ReportParamError("end_date: must not be earlier than start_date")
    span = (last_day - first_day).days + 1
    if not request.asynchronous and span > MAX_DAYS[time_dim]:
        if time_dim is None:
            raise ReportParamError("max time span is 365 days when no time dimension is used")
        limit = MAX_DAYS[time_dim]
        raise ReportParamError(f"max time span is {limit} day{'s' if limit > 1 else ''} when use {time_dim}")
    return first_day, last_day


def _parse_order(order_field: str | None, order_type: str | None) -> tuple[str | None, bool]:
    """Rows sort by a numeric metric only; an attribute has no order TikTok would apply."""
    if order_type not in (None, "", "ASC", "DESC"):
        raise ReportParamError(f"order_type: must be ASC or DESC, got {order_type!r}")
    if not order_field:
        return None, True
    spec = metric_specs().get(order_field)
    if spec is None:
        raise ReportParamError(f"order_field: unknown metric {order_field!r}")
    if spec.kind == "attribute":
        raise ReportParamError(f"order_field: {order_field} is an attribute metric; sort by a numeric one")
    return order_field, order_type != "ASC"


def _parse_date(name: str, value: str | None) -> date:
    """Strictly YYYY-MM-DD: TikTok refuses other spellings that ``date.fromisoformat`` would take."""
    if value is None or value == "":
        raise ReportParamError(f"{name}: required unless query_lifetime is true")
    if not _DATE.match(value):
        raise ReportParamError(f"{name}: must be a date in YYYY-MM-DD format, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportParamError(f"{name}: {value!r} is not a valid date") from None


def _filter_items(filters: Filters) -> list[tuple[str, Any, Any, Any]]:
    """Both filter spellings as (field_name, filter_type, filter_value, resolved ids or None), so the
    checks are written once."""
    if not filters:
        return []
    if isinstance(filters, Mapping):
        return [(str(key), "IN", value, None) for key, value in filters.items()]
    return [
        (str(f.get("field_name")), f.get("filter_type", "IN"), f.get("filter_value"), f.get(RESOLVED_IDS))
        for f in filters
    ]


def _asks_for_deleted(filters: Filters) -> bool:
    """``*_status IN ["STATUS_ALL"]``: what TikTok wants before it reports deleted objects' rows."""
    return any(
        name in STATUS_FIELDS and isinstance(value, list | tuple) and "STATUS_ALL" in value
        for name, _, value, _ in _filter_items(filters)
    )


def check_id_filter(field_name: str, filter_type: Any, value: Any, max_ids: int) -> tuple[str, ...]:
    """One ``campaign_ids``/``adgroup_ids``/``ad_ids`` filter as asked: IN (exact), NOT_IN (exact, none
    of) or CONTAIN_ANY_OF (fuzzy: the id contains one of the values), each with a non-empty JSON array
    of at most ``max_ids`` values (doc 1740302848100353). Returns the values, deduplicated and sorted.
    The HTTP layer calls it before it resolves NOT_IN and CONTAIN_ANY_OF against the account, so the
    cap applies to what the client sent, not to the ids that resolve."""
    if filter_type not in LIST_FILTER_TYPES or not isinstance(value, list | tuple) or not value:
        raise ReportParamError(
            f"filtering: {field_name} takes filter_type IN, NOT_IN or CONTAIN_ANY_OF with a non-empty list"
        )
    if not all(isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip() for v in value):
        raise ReportParamError(f"filtering: every value of {field_name} must be a non-blank id string")
    ids = tuple(sorted({str(v).strip() for v in value}))
    if len(ids) > max_ids:
        raise ReportParamError(f"filtering: {field_name} takes at most {max_ids} ids, got {len(ids)}")
    return ids


def _check_in_filter(field_name: str, filter_type: Any, value: Any, max_ids: int) -> tuple[str, ...]:
    """``ad_ids_v2`` or ``campaign_automation_type``: IN with a non-empty list (the values deduplicated
    and sorted); ``ad_ids_v2`` takes at most ``max_ids`` ids, ``campaign_automation_type`` the types
    campaign/get/ knows."""
    if filter_type != "IN":
        raise ReportParamError(f"filtering: {field_name} takes filter_type IN with a non-empty list")
    if field_name == "ad_ids_v2":
        return check_id_filter(field_name, filter_type, value, max_ids)
    if not isinstance(value, list | tuple) or not value or not set(value) <= AUTOMATION_TYPES:
        raise ReportParamError(
            f"filtering: campaign_automation_type takes IN with a list of {', '.join(sorted(AUTOMATION_TYPES))}"
        )
    return tuple(sorted(set(value)))


def _parse_filters(filters: Filters, max_ids: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[{field_name, filter_type, filter_value}]`` (or ``{field: [ids]}``) on ID fields, as the ids each
    field keeps; several filters on one field keep what all of them keep."""
    parsed: dict[str, tuple[str, ...]] = {}
    for field_name, filter_type, value, resolved in _filter_items(filters):
        if field_name in STATUS_FIELDS:
            if filter_type != "IN" or not isinstance(value, list | tuple) or not value:
                raise ReportParamError(
                    f'filtering: {field_name} takes IN ["STATUS_ALL"] or ["STATUS_NOT_DELETE"]'
                )
            continue
        if field_name in IN_ONLY_FILTERS:
            values = _check_in_filter(field_name, filter_type, value, max_ids)
            parsed[field_name] = (
                tuple(sorted(set(parsed[field_name]) & set(values))) if field_name in parsed else values
            )
            continue
        if field_name not in FILTER_FIELDS:
            raise ReportParamError(
                f"filtering: field_name {field_name!r} is not supported (use campaign_ids, adgroup_ids, "
                "ad_ids, ad_ids_v2, campaign_automation_type, or campaign_status/adgroup_status/ad_status)"
            )
        ids = check_id_filter(field_name, filter_type, value, max_ids)
        if filter_type != "IN":
            if resolved is None:
                raise ReportParamError(
                    f"filtering: {field_name} {filter_type} needs the account's ids ({RESOLVED_IDS})"
                )
            ids = tuple(sorted({str(v) for v in resolved}))
        parsed[field_name] = (
            tuple(sorted(set(parsed[field_name]) & set(ids))) if field_name in parsed else ids
        )
    return tuple(sorted(parsed.items()))


__all__ = [
    "AD_ID_V2",
    "AD_ID_V2_ATTRIBUTES",
    "AUDIENCE_DIMENSIONS",
    "BREAKDOWN_FAMILY",
    "DATA_LEVELS",
    "FILTER_FIELDS",
    "ID_DIMENSIONS",
    "IN_ONLY_FILTERS",
    "LIST_FILTER_TYPES",
    "MAX_DAYS",
    "MAX_FILTER_IDS",
    "MAX_TASK_FILTER_IDS",
    "RESOLVED_IDS",
    "STATUS_FIELDS",
    "TASK_FILTER_FIELDS",
    "TIME_DIMENSIONS",
    "UNSERVED_DIMENSIONS",
    "UV_METRICS",
    "Filters",
    "Query",
    "ReportParamError",
    "ReportRequest",
    "check_id_filter",
    "validate",
]
