"""The report engine: validation like TikTok's, exact aggregation of the hourly fine grain, fast paging.

The numbers come from each advertiser's delivery store (:mod:`tiktok_ads_mart.emulator.delivery`): a
query reads its days (or the hours of one day) as seen at the clock, splits them into audience buckets,
evaluates derived series per ad, sums ads into the requested level and keeps rows with delivery. Working
on integer columns until the end keeps every coarser number an exact sum of the fine grain, and strings
are only produced for the rows of the requested page.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from tiktok_ads_mart.emulator.catalog import (
    ADVERTISER_DAILY_ONLY,
    LEVELS,
    REACH,
    MetricSpec,
    Series,
    audience_excluded,
    base,
    metric_specs,
    reach_permille,
)
from tiktok_ads_mart.emulator.delivery import AccountData
from tiktok_ads_mart.emulator.formatting import (
    Labels,
    MetricBlock,
    PageWriter,
    RowLayout,
    format_metric,
    json_strings,
)
from tiktok_ads_mart.emulator.ids import AGES, GENDERS

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
}
UNSERVED_DIMENSIONS = frozenset({
    "ac", "language", "placement", "interest_category", "interest_category_v2", "dma_id",
    "device_brand_id", "contextual_tag", "ad_type", "custom_event_type", "event_source_id", "page_id",
    "component_name", "room_id", "post_id", "image_id", "video_material_id", "minis_id", "search_terms",
    "search_keyword", "match_type", "skan_postback_sequence", "ad_id_v2",
})  # fmt: skip
"""Dimensions TikTok knows that this emulator does not serve (answered with a clear 40002)."""
FILTER_FIELDS: dict[str, str] = {"campaign_ids": "CAMPAIGN", "adgroup_ids": "ADGROUP", "ad_ids": "AD"}
STATUS_FIELDS = frozenset({"campaign_status", "adgroup_status", "ad_status"})
MAX_DAYS = {"stat_time_day": 30, "stat_time_hour": 1, None: 365}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CACHE_SIZE = 16
CACHE_MAX_ROWS = 2_000_000


class ReportParamError(ValueError):
    """A report request TikTok would refuse with 40002; the message names the parameter."""


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


def validate(
    *,
    report_type: str | None,
    data_level: str | None,
    dimensions: Sequence[str] | None,
    metrics: Sequence[str] | None,
    start_date: str | None,
    end_date: str | None,
    query_lifetime: bool,
    include_deleted: bool,
    filters: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[str]] | None,
    order_field: str | None = None,
    order_type: str | None = None,
) -> Query:
    """Check a request the way TikTok does and normalise it; raises ReportParamError naming the parameter."""
    if report_type not in ("BASIC", "AUDIENCE"):
        raise ReportParamError(f"report_type: must be one of BASIC, AUDIENCE, got {report_type!r}")
    if data_level is None:
        raise ReportParamError("data_level: required for BASIC and AUDIENCE reports")
    level = DATA_LEVELS.get(data_level)
    if level is None:
        raise ReportParamError(f"data_level: must be one of {', '.join(DATA_LEVELS)}, got {data_level!r}")
    dims = tuple(dimensions or ())
    if not dims:
        raise ReportParamError('dimensions: required, e.g. ["campaign_id", "stat_time_day"]')
    if len(set(dims)) != len(dims):
        raise ReportParamError("dimensions: a dimension is repeated")
    id_dims = [d for d in dims if d in ID_DIMENSIONS.values()]
    time_dims = [d for d in dims if d in TIME_DIMENSIONS]
    breakdown_dims = tuple(d for d in dims if d in BREAKDOWN_FAMILY)
    for dim in dims:
        if dim in UNSERVED_DIMENSIONS:
            raise ReportParamError(f"dimensions: {dim} is not supported by this emulator")
        if dim not in ID_DIMENSIONS.values() and dim not in TIME_DIMENSIONS and dim not in BREAKDOWN_FAMILY:
            raise ReportParamError(f"dimensions: unknown dimension {dim!r}")
    expected_id = ID_DIMENSIONS[level]
    if id_dims != [expected_id]:
        raise ReportParamError(
            f"dimensions: exactly one ID dimension is allowed and it must match data_level {data_level} "
            f"({expected_id}), got {id_dims or 'none'}"
        )
    if len(time_dims) > 1:
        raise ReportParamError("dimensions: use at most one of stat_time_day and stat_time_hour")
    time_dim = time_dims[0] if time_dims else None
    families = {BREAKDOWN_FAMILY[d] for d in breakdown_dims}
    if len(families) > 1:
        raise ReportParamError(
            f"dimensions: {', '.join(breakdown_dims)} cannot be combined; use one of gender/age, "
            "country_code, platform, province_id"
        )
    breakdown = families.pop() if families else None
    if report_type == "BASIC" and breakdown not in (None, "country_code"):
        raise ReportParamError(
            f"dimensions: {', '.join(breakdown_dims)} needs report_type AUDIENCE (BASIC allows country_code)"
        )
    if report_type == "AUDIENCE":
        if breakdown is None:
            raise ReportParamError(
                "dimensions: an AUDIENCE report needs an audience dimension "
                "(gender, age, country_code, platform or province_id)"
            )
        if time_dim == "stat_time_hour":
            raise ReportParamError("dimensions: stat_time_hour is not supported for AUDIENCE reports")
        if query_lifetime:
            raise ReportParamError("query_lifetime: only supported for report_type BASIC")
    if query_lifetime and (time_dim or breakdown):
        raise ReportParamError(
            "query_lifetime: no time dimension, audience dimension or country_code is allowed with it"
        )
    names = _validate_metrics(metrics, report_type, level, data_level, time_dim, query_lifetime)
    first_day = last_day = None
    if not query_lifetime:
        first_day, last_day = _parse_date("start_date", start_date), _parse_date("end_date", end_date)
        if last_day < first_day:
            raise ReportParamError("end_date: must not be earlier than start_date")
        span = (last_day - first_day).days + 1
        if span > MAX_DAYS[time_dim]:
            if time_dim is None:
                raise ReportParamError("max time span is 365 days when no time dimension is used")
            limit = MAX_DAYS[time_dim]
            raise ReportParamError(
                f"max time span is {limit} day{'s' if limit > 1 else ''} when use {time_dim}"
            )
    return Query(
        report_type,
        level,
        dims,
        time_dim,
        breakdown,
        breakdown_dims,
        names,
        first_day,
        last_day,
        bool(query_lifetime),
        bool(include_deleted) or level == "ADVERTISER" or _asks_for_deleted(filters),
        _parse_filters(filters),
        *_parse_order(order_field, order_type),
    )


def _validate_metrics(
    metrics: Sequence[str] | None,
    report_type: str,
    level: str,
    data_level: str,
    time_dim: str | None,
    lifetime: bool,
) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(metrics or ("spend", "impressions")))
    specs = metric_specs()
    excluded = audience_excluded()
    for name in names:
        spec = specs.get(name)
        if spec is None:
            raise ReportParamError(f"metrics: unknown metric {name!r}")
        if spec.kind == "attribute" and LEVELS.index(spec.level) > LEVELS.index(level):
            raise ReportParamError(f"metrics: {name} is not available at data_level {data_level}")
        if report_type == "AUDIENCE" and name in excluded:
            raise ReportParamError(f"metrics: {name} is not supported in AUDIENCE reports")
        if name in ADVERTISER_DAILY_ONLY and (
            level != "ADVERTISER" or lifetime or time_dim == "stat_time_hour"
        ):
            raise ReportParamError(
                f"metrics: {name} is only available at data_level AUCTION_ADVERTISER, without "
                "stat_time_hour or query_lifetime"
            )
    return names


def _parse_order(order_field: str | None, order_type: str | None) -> tuple[str | None, bool]:
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
    if value is None or value == "":
        raise ReportParamError(f"{name}: required unless query_lifetime is true")
    if not _DATE.match(value):
        raise ReportParamError(f"{name}: must be a date in YYYY-MM-DD format, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportParamError(f"{name}: {value!r} is not a valid date") from None


def _filter_items(
    filters: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[str]] | None,
) -> list[tuple[str, Any, Any]]:
    if not filters:
        return []
    if isinstance(filters, Mapping):
        return [(str(key), "IN", value) for key, value in filters.items()]
    return [(str(f.get("field_name")), f.get("filter_type", "IN"), f.get("filter_value")) for f in filters]


def _asks_for_deleted(filters: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[str]] | None) -> bool:
    """``*_status IN ["STATUS_ALL"]``: what TikTok wants before it reports deleted objects' rows."""
    return any(
        name in STATUS_FIELDS and isinstance(value, list | tuple) and "STATUS_ALL" in value
        for name, _, value in _filter_items(filters)
    )


def _parse_filters(
    filters: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[str]] | None,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[{field_name, filter_type: IN, filter_value: [...]}]`` (or ``{field: [ids]}``) on ID fields."""
    parsed: dict[str, tuple[str, ...]] = {}
    for field_name, filter_type, value in _filter_items(filters):
        if field_name in STATUS_FIELDS:
            if filter_type != "IN" or not isinstance(value, list | tuple) or not value:
                raise ReportParamError(
                    f'filtering: {field_name} takes IN ["STATUS_ALL"] or ["STATUS_NOT_DELETE"]'
                )
            continue
        if field_name not in FILTER_FIELDS:
            raise ReportParamError(
                f"filtering: field_name {field_name!r} is not supported (use campaign_ids, adgroup_ids, "
                "ad_ids, or campaign_status/adgroup_status/ad_status)"
            )
        if filter_type != "IN" or not isinstance(value, list | tuple) or not value:
            raise ReportParamError(f"filtering: {field_name} takes filter_type IN with a non-empty list")
        ids = tuple(sorted({str(v) for v in value}))
        parsed[field_name] = (
            tuple(sorted(set(parsed[field_name]) & set(ids))) if field_name in parsed else ids
        )
    return tuple(sorted(parsed.items()))


# ----------------------------------------------------------------------------------------- results
class ReportResult:
    """All rows of one report at one clock value, kept as integer columns; pages are formatted on demand.

    ``total`` is the row count; ``page(page, page_size)`` gives API-shaped rows
    ``{"dimensions": {...}, "metrics": {...}}`` (1-based pages, [] past the end); ``totals()`` gives
    ``total_metrics`` (non-attribute metrics over every row).
    """

    def __init__(
        self,
        *,
        dimension_names: tuple[str, ...],
        dimension_labels: dict[str, tuple[list[str], np.ndarray]],
        metric_specs: list[MetricSpec],
        series: dict[Any, np.ndarray],
        attribute_values: dict[str, tuple[list[str], np.ndarray]],
        currency_decimals: int,
        total_series: dict[Any, int],
    ) -> None:
        self.dimension_names = dimension_names
        self.metric_names = tuple(spec.name for spec in metric_specs)
        self._labels = dimension_labels
        self._specs = metric_specs
        self._series = series
        self._attributes = attribute_values
        self._decimals = currency_decimals
        self._total_series = total_series
        self.total = int(next(iter(series.values())).shape[0]) if series else 0
        self._writer: PageWriter | None = None
        self._numeric: MetricBlock | None = None

    def page(self, page: int, page_size: int) -> list[dict[str, Any]]:
        start = max(0, (page - 1) * page_size)
        stop = min(self.total, start + page_size)
        if start >= stop:
            return []
        window = slice(start, stop)
        dimension_columns = [self._label_column(name, window) for name in self.dimension_names]
        metric_columns = [self._metric_column(spec, window) for spec in self._specs]
        dimension_names, metric_names = self.dimension_names, self.metric_names
        # Columns all have the page's length, so strict zips would only add per-row checks to the hot path.
        return [
            {
                "dimensions": dict(zip(dimension_names, dims, strict=False)),
                "metrics": dict(zip(metric_names, mets, strict=False)),
            }
            for dims, mets in zip(
                zip(*dimension_columns, strict=False), zip(*metric_columns, strict=False), strict=False
            )
        ]

    def page_json(self, page: int, page_size: int) -> bytes:
        """``orjson.dumps(self.page(page, page_size))``, byte for byte, written straight from the columns.

        What the HTTP layer serves: a 1000-row page of 60 metrics spent most of its CPU building row dicts
        that orjson then walked again. Here labels and attribute values are JSON-encoded once per list,
        numeric metrics are shown a block at a time, and the page is one join over a grid of pieces (see
        ``formatting``).
        """
        start = max(0, (page - 1) * page_size)
        stop = min(self.total, start + page_size)
        if start >= stop:
            return b"[]"
        window = slice(start, stop)
        if self._writer is None or self._numeric is None:
            names = [(spec.name, spec.kind != "attribute") for spec in self._specs]
            sources: list[Labels | None] = []
            for name in self.dimension_names:
                labels, index = self._labels[name]
                sources.append((json_strings(labels), index))
            for spec in self._specs:
                if spec.kind == "attribute":
                    values, index = self._attributes[spec.name]
                    sources.append((json_strings(values), index))
                else:
                    sources.append(None)
            self._writer = PageWriter(RowLayout.of(self.dimension_names, names), sources)
            numeric = [spec for spec in self._specs if spec.kind != "attribute"]
            self._numeric = MetricBlock(numeric, self._decimals)
        block, series = self._numeric, self._series
        return self._writer.write(
            window, stop - start, lambda values, columns: block.fill(values, columns, series, window)
        )

    def rows(self) -> list[dict[str, Any]]:
        """Every row (convenience for tests and the asynchronous report path)."""
        return self.page(1, self.total) if self.total else []

    def totals(self) -> dict[str, str]:
        """``total_metrics``: each non-attribute metric computed over the sum of all rows."""
        series = {key: np.array([value], dtype=np.int64) for key, value in self._total_series.items()}
        out: dict[str, str] = {}
        for spec in self._specs:
            if spec.kind != "attribute":
                out[spec.name] = format_metric(spec, series, slice(0, 1), self._decimals)[0]
        return out

    def _label_column(self, name: str, window: slice) -> list[str]:
        labels, index = self._labels[name]
        return [labels[i] for i in index[window].tolist()]

    def _metric_column(self, spec: MetricSpec, window: slice) -> list[str]:
        if spec.kind == "attribute":
            values, index = self._attributes[spec.name]
            return [values[i] for i in index[window].tolist()]
        return format_metric(spec, self._series, window, self._decimals)


class ReportCache:
    """A small LRU of results keyed by (advertiser, query, clock), so paging one query is O(page).

    Bounded by entries and by rows held (a big AUDIENCE result is tens of MB of integer columns).
    """

    def __init__(self, size: int = CACHE_SIZE, max_rows: int = CACHE_MAX_ROWS) -> None:
        self._size = size
        self._max_rows = max_rows
        self._rows = 0
        self._items: OrderedDict[Any, ReportResult] = OrderedDict()

    def get(self, key: Any) -> ReportResult | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Any, result: ReportResult) -> None:
        previous = self._items.pop(key, None)
        if previous is not None:
            self._rows -= previous.total
        self._items[key] = result
        self._rows += result.total
        while len(self._items) > 1 and (len(self._items) > self._size or self._rows > self._max_rows):
            _, evicted = self._items.popitem(last=False)
            self._rows -= evicted.total


def day_labels(first_day: date, count: int) -> list[str]:
    return [f"{first_day + timedelta(days=i)} 00:00:00" for i in range(count)]


def hour_labels(day: date) -> list[str]:
    return [f"{day} {hour:02d}:00:00" for hour in range(24)]


_IMPRESSIONS = base("impressions")


def execute(data: AccountData, query: Query, now: int) -> ReportResult:
    """Rows of a validated query at clock ``now``: exact sums of the fine grain, ordered time, id, bucket."""
    specs = [metric_specs()[name] for name in query.metrics]
    wanted: set[Series] = {_IMPRESSIONS}
    order_spec = metric_specs()[query.order_field] if query.order_field else None
    for spec in [*specs, *([order_spec] if order_spec else [])]:
        wanted.update(s for s in spec.series() if s != REACH)
    bases = sorted({name for s in wanted for name in s.bases()})
    first, stop, days_covered = _day_range(data, query, now)
    hourly = query.time_dimension == "stat_time_hour"
    empty = not data.adv.ads or first >= stop
    if hourly and not empty:
        arrays = {n: data.at_clock(n, now, first * 24, first * 24 + 24) for n in bases}
        time_labels = hour_labels(data.first_day + timedelta(days=first))
    elif not empty:
        arrays = {n: data.days_at(now, first, stop, n) for n in bases}
        time_labels = day_labels(data.first_day + timedelta(days=first), stop - first)
    if empty:
        arrays = {n: np.zeros((len(data.adv.ads), 0), dtype=np.int64) for n in bases}
        time_labels = []
    if query.filters:
        mask = _ad_mask(data, query.filters)[:, None]
        arrays = {n: v * mask for n, v in arrays.items()}
    if query.breakdown is not None:
        arrays = data.split(query.breakdown, arrays)
    else:
        arrays = {n: v[:, :, None] for n, v in arrays.items()}
    if query.time_dimension is None:
        arrays = {n: v.sum(axis=1, keepdims=True) for n, v in arrays.items()}
        time_labels = [""]
    bucket_names: dict[str, list[str]] = {}
    if query.breakdown == "gender_age":
        if len(query.breakdown_dimensions) == 2:
            bucket_names = {
                "gender": [g for g in GENDERS for _ in AGES],
                "age": [a for _ in GENDERS for a in AGES],
            }
        else:  # one of the two: sum the other away (exact)
            only = query.breakdown_dimensions[0]
            axis = -1 if only == "gender" else -2
            arrays = {
                n: v.reshape(*v.shape[:2], len(GENDERS), len(AGES)).sum(axis=axis) for n, v in arrays.items()
            }
            bucket_names = {only: list(GENDERS if only == "gender" else AGES)}
    elif query.breakdown is not None:
        bucket_names = {query.breakdown_dimensions[0]: data.bucket_labels(query.breakdown)}
    level = query.level
    order = data.order[level]
    grouped = {s: data.group(level, _evaluate(data, s, arrays))[order] for s in wanted}
    impressions = grouped[_IMPRESSIONS]
    entities, _, buckets = impressions.shape
    keep = impressions > 0
    if not query.include_deleted:
        keep &= ~data.deleted(level, now)[:, None, None]
    index = np.flatnonzero(keep.transpose(1, 0, 2))
    row_time, rest = np.divmod(index, entities * buckets)
    row_entity, row_bucket = np.divmod(rest, buckets)
    series = {s: v.transpose(1, 0, 2).reshape(-1)[index] for s, v in grouped.items()}
    totals = {s: int(v.sum()) for s, v in series.items()}
    if any(REACH in spec.series() for spec in [*specs, *([order_spec] if order_spec else [])]):
        row_days = days_covered if query.time_dimension is None else 1
        permille = reach_permille(data.id_hash[level][row_entity], row_days, hourly)
        series[REACH] = (series[_IMPRESSIONS] * permille + 999) // 1000
        total_permille = reach_permille(data.id_hash["ADVERTISER"], days_covered, False)
        totals[REACH] = int((totals[_IMPRESSIONS] * total_permille[0] + 999) // 1000)
    if order_spec is not None:
        permutation = _row_order(order_spec, series, query.order_descending)
        row_time, row_entity, row_bucket = (
            row_time[permutation],
            row_entity[permutation],
            row_bucket[permutation],
        )
        series = {s: v[permutation] for s, v in series.items()}
    labels: dict[str, tuple[list[str], np.ndarray]] = {
        ID_DIMENSIONS[level]: (data.sorted_ids[level], row_entity)
    }
    if query.time_dimension is not None:
        labels[query.time_dimension] = (time_labels, row_time)
    for dim, names in bucket_names.items():
        labels[dim] = (names, row_bucket)
    attributes = {
        spec.name: (data.attribute_values(level, spec.name, now), row_entity)
        for spec in specs
        if spec.kind == "attribute"
    }
    return ReportResult(
        dimension_names=query.dimensions,
        dimension_labels=labels,
        metric_specs=specs,
        series=series,
        attribute_values=attributes,
        currency_decimals=data.adv.currency_decimals,
        total_series=totals,
    )


def _row_order(spec: MetricSpec, series: dict[Any, np.ndarray], descending: bool) -> np.ndarray:
    """``order_field``: a stable sort by the metric's value; rows showing "-" come last either way."""
    assert spec.num is not None
    key = series[spec.num].astype(np.float64)
    if spec.kind == "ratio":
        assert spec.den is not None
        den = series[spec.den]
        key = np.where(den > 0, key * spec.mul / np.where(den > 0, den, 1), np.nan)
    key = -key if descending else key
    permutation: np.ndarray = np.argsort(np.where(np.isnan(key), np.inf, key), kind="stable")
    return permutation


def _day_range(data: AccountData, query: Query, now: int) -> tuple[int, int, int]:
    """Grid day indexes [first, stop) the query reads, and how many calendar days it spans."""
    if query.lifetime:
        stop = int(np.searchsorted(data.day_start, now, side="left"))
        return 0, min(stop, data.days), max(1, min(stop, data.days))
    assert query.first_day is not None and query.last_day is not None
    first = (query.first_day - data.first_day).days
    stop = (query.last_day - data.first_day).days + 1
    span = stop - first
    return max(0, first), min(data.days, max(0, stop)), span


def _evaluate(data: AccountData, series: Series, arrays: dict[str, np.ndarray]) -> np.ndarray:
    if series.kind == "base":
        return arrays[series.terms[0][0]]
    if series.kind == "linear":
        total = np.zeros_like(arrays[series.terms[0][0]])
        for name, coefficient in series.terms:
            total += coefficient * arrays[name]
        return total
    if series.kind == "per_ad":
        switched: np.ndarray = arrays[series.terms[0][0]] * data.per_ad("switch", series.key)[:, None, None]
        return switched
    assert series.kind == "value" and series.inner is not None
    valued: np.ndarray = (
        _evaluate(data, series.inner, arrays) * data.per_ad("unit", series.key)[:, None, None]
    )
    return valued


def _ad_mask(data: AccountData, filters: tuple[tuple[str, tuple[str, ...]], ...]) -> np.ndarray:
    """Ads kept by ``campaign_ids``/``adgroup_ids``/``ad_ids`` filters, as a mask over the store's ads."""
    keep = np.ones(len(data.adv.ads), dtype=bool)
    for field_name, ids in filters:
        wanted = set(ids)
        level = FILTER_FIELDS[field_name]
        keep &= np.array([ad.ancestor(level).entity_id in wanted for ad in data.adv.ads], dtype=bool)
    return keep


__all__ = [
    "DATA_LEVELS",
    "ID_DIMENSIONS",
    "AccountData",
    "Query",
    "ReportCache",
    "ReportParamError",
    "ReportResult",
    "execute",
    "validate",
]
