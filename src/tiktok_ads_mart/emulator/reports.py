"""The report engine: exact aggregation of the hourly fine grain into a query's rows, and fast paging.

What a request may ask, and the 40002 for what it may not, is
:mod:`tiktok_ads_mart.emulator.report_validation`; this module starts from its validated ``Query``. The
numbers come from each advertiser's delivery store (:mod:`tiktok_ads_mart.emulator.delivery`): a query
reads its days (or the hours of one day) as seen at the clock, splits them into audience buckets,
evaluates derived series per ad, sums ads into the requested level and keeps rows with delivery. Working
on integer columns until the end keeps every coarser number an exact sum of the fine grain, and strings
are only produced for the rows of the requested page.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any

import numpy as np

from tiktok_ads_mart.emulator.catalog import REACH, MetricSpec, Series, base, metric_specs, reach_permille
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
from tiktok_ads_mart.emulator.report_validation import (
    DATA_LEVELS,
    FILTER_FIELDS,
    ID_DIMENSIONS,
    Query,
    ReportParamError,
    ReportRequest,
    validate,
)

CACHE_SIZE = 16
CACHE_MAX_ROWS = 2_000_000
AD_CAP = 20_000
"""A synchronous report reads at most this many ads, the newest by creation time (doc 1740302848100353;
FAQ doc 1738864850353154); asynchronous tasks read them all."""


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
        ads_cut: int = 0,
    ) -> None:
        self.ads_cut = ads_cut  # ads left out by the 20,000-ad cap (0: none)
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


def execute(data: AccountData, query: Query, now: int, *, ad_cap: int | None = None) -> ReportResult:
    """Rows of a validated query at clock ``now``: exact sums of the fine grain, ordered time, id, bucket.

    With ``ad_cap`` (synchronous reports), only the newest ``ad_cap`` of the ads the filters keep are read.
    """
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
    ads_cut = 0
    keep_ads = _ad_mask(data, query.filters) if query.filters else None
    if ad_cap is not None and len(data.adv.ads) > ad_cap:  # only an account that big can be cut
        scope = keep_ads if keep_ads is not None else np.ones(len(data.adv.ads), dtype=bool)
        keep_ads, ads_cut = _newest_ads(data, scope, now, ad_cap, query.include_deleted)
    if keep_ads is not None:
        mask = keep_ads[:, None]
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
    level = query.grouping  # the data level, or the ad level of ad_id_v2 (Smart+ creatives summed)
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
        query.id_dimension: (data.sorted_ids[level], row_entity)
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
        ads_cut=ads_cut,
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


def _newest_ads(
    data: AccountData, keep: np.ndarray, now: int, cap: int, include_deleted: bool
) -> tuple[np.ndarray, int]:
    """TikTok's cut-off: of the ads in the request's scope (its id filters; deleted ones only when the
    status filter asks for them: an assumption, the reference is silent), the newest ``cap`` by creation
    time are read and the rest left out. Returns the new mask and how many ads it left out."""
    ads = data.adv.ads
    created = data.ad_created
    scope = keep & (created <= now)
    if not include_deleted:
        scope &= ~np.array([ad.deleted_at(now) for ad in ads], dtype=bool)
    count = int(scope.sum())
    if count <= cap:
        return keep, 0
    candidates = np.flatnonzero(scope)
    newest_first = candidates[np.lexsort((-candidates, -created[candidates]))]
    trimmed = np.zeros(len(ads), dtype=bool)
    trimmed[newest_first[:cap]] = True
    return trimmed, count - cap


def _ad_mask(data: AccountData, filters: tuple[tuple[str, tuple[str, ...]], ...]) -> np.ndarray:
    """Ads kept by the id filters (``campaign_ids``/``adgroup_ids``/``ad_ids``, ``ad_ids_v2``: the ad's
    ad-level id) and ``campaign_automation_type`` (its campaign's), as a mask over the store's ads."""
    keep = np.ones(len(data.adv.ads), dtype=bool)
    for field_name, ids in filters:
        wanted = set(ids)
        if field_name == "ad_ids_v2":
            keep &= np.array([i in wanted for i in data.ad_level_ids], dtype=bool)
        elif field_name == "campaign_automation_type":
            keep &= np.array([
                ad.ancestor("CAMPAIGN").static.get("campaign_automation_type", "MANUAL") in wanted
                for ad in data.adv.ads
            ], dtype=bool)  # fmt: skip
        else:
            level = FILTER_FIELDS[field_name]
            keep &= np.array([ad.ancestor(level).entity_id in wanted for ad in data.adv.ads], dtype=bool)
    return keep


__all__ = [  # validation lives in report_validation; its names stay importable from here
    "DATA_LEVELS",
    "ID_DIMENSIONS",
    "AccountData",
    "Query",
    "ReportCache",
    "ReportParamError",
    "ReportRequest",
    "ReportResult",
    "execute",
    "validate",
]
