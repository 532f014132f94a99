"""Which requests a stream needs: one job per advertiser and date window, and the cursor to keep.

Reports are read in the widest windows TikTok allows, from the cursor minus the attribution lookback up
to today in the advertiser's timezone; entities are listed whole (TikTok's ``modified_after`` exists on
``ad/get/`` only, and an ad's row changes with its parents' names and statuses, which do not move its
``modify_time``); assets by the ids not loaded before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tiktok_ads_mart.catalog import MAX_WINDOW_DAYS, STATUS_FILTER_FIELD, EntitySpec, ReportSpec, StreamSpec
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.sync.arrow import AdvertiserContext
from tiktok_ads_mart.sync.batches import Batch


@dataclass(frozen=True)
class Job:
    """One logical request series: a stream, an advertiser, and (for reports) one date window."""

    spec: StreamSpec
    advertiser_id: str
    params: dict[str, Any]
    window: tuple[date, date] | None = None
    batch: Batch | None = None  # the id filter that keeps a big account's report under the cap
    known: frozenset[str] = frozenset()  # a lookup stream's ids loaded before: not asked for again


@dataclass(frozen=True)
class PlanSettings:
    """The parts of the settings that decide which requests a stream makes."""

    now: datetime
    start_date: date | None
    end_date: date | None
    lookback_days: int
    default_history_days: int
    include_deleted: bool

    @property
    def backfill(self) -> bool:
        """An explicit date range loads that range and leaves the incremental state alone."""
        return self.start_date is not None or self.end_date is not None

    @classmethod
    def from_settings(cls, settings: SyncSettings) -> PlanSettings:
        return cls(
            now=settings.clock(),
            start_date=settings.start_date,
            end_date=settings.end_date,
            lookback_days=settings.lookback_days,
            default_history_days=settings.default_history_days,
            include_deleted=settings.include_deleted,
        )


def local_today(now: datetime, ctx: AdvertiserContext) -> date:
    """Today in the advertiser's timezone: TikTok's report dates are advertiser-local."""
    return now.astimezone(ctx.zone).date()


def date_windows(start: date, end: date, span_days: int) -> list[tuple[date, date]]:
    """Split [start, end] into the widest windows TikTok allows (both ends inclusive)."""
    windows: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + timedelta(days=span_days - 1))
        windows.append((cursor, last))
        cursor = last + timedelta(days=1)
    return windows


def report_range(plan: PlanSettings, ctx: AdvertiserContext, cursor: str | None) -> tuple[date, date] | None:
    """The days to read: the explicit range, or from the cursor minus the lookback, up to today.

    The cursor is the last day that loaded; it is always read again (it may have been partial) together
    with ``lookback_days`` before it, so restated conversions are picked up and no hour is lost.
    """
    today = local_today(plan.now, ctx)
    end = plan.end_date or today
    if plan.start_date is not None:
        start = plan.start_date
    elif cursor is not None and not plan.backfill:
        start = date.fromisoformat(cursor) - timedelta(days=plan.lookback_days)
    else:
        start = today - timedelta(days=plan.default_history_days)
    if start > end:
        return None
    return start, end


def report_params(spec: ReportSpec, advertiser_id: str, include_deleted: bool) -> dict[str, Any]:
    params: dict[str, Any] = {
        "advertiser_id": advertiser_id,
        "dimensions": list(spec.dimensions),
        "metrics": list(spec.metrics),
    }
    if not spec.integrated:  # a report of its own kind (GMV Max): its filters, no report type or level
        filtering = dict(spec.filtering)
        if include_deleted and spec.deleted_filter is not None:
            filtering[spec.deleted_filter[0]] = spec.deleted_filter[1]
        if filtering:
            params["filtering"] = filtering
        return params
    params["report_type"] = spec.report_type
    params["data_level"] = spec.data_level
    status_field = STATUS_FILTER_FIELD[spec.level]
    if include_deleted and status_field is not None:
        params["filtering"] = [
            {"field_name": status_field, "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
        ]
    return params


def plan_report(
    spec: ReportSpec, ctx: AdvertiserContext, cursor: str | None, plan: PlanSettings
) -> tuple[list[Job], str | None]:
    """The jobs for one advertiser and the cursor to store once all of them loaded (None: keep)."""
    base = report_params(spec, ctx.advertiser_id, plan.include_deleted)
    if spec.grain == "lifetime":
        return [Job(spec, ctx.advertiser_id, {**base, "query_lifetime": True})], None
    span = report_range(plan, ctx, cursor)
    if span is None:
        return [], None
    windows = date_windows(span[0], span[1], MAX_WINDOW_DAYS[spec.grain])
    jobs = [
        Job(spec, ctx.advertiser_id, {**base, "start_date": a.isoformat(), "end_date": b.isoformat()}, (a, b))
        for a, b in windows
    ]
    new_cursor = None if plan.backfill else span[1].isoformat()
    if cursor is not None and new_cursor is not None and new_cursor < cursor:
        new_cursor = cursor
    return jobs, new_cursor


def plan_entity(spec: EntitySpec, advertiser_id: str, known: Iterable[str], plan: PlanSettings) -> list[Job]:
    """The listing's requests for one advertiser: one, and one more for deleted objects where TikTok's
    listing has no status that includes them."""
    params: dict[str, Any] = {"advertiser_id": advertiser_id, **dict(spec.params)}
    filtering: dict[str, Any] = dict(params.pop("filtering", None) or {})
    if plan.include_deleted and spec.status_all:
        filtering["primary_status"] = spec.status_all
    if filtering:
        params["filtering"] = filtering
    if plan.include_deleted and spec.deleted_status:  # no STATUS_ALL here: the deleted ones apart
        deleted = {**params, "filtering": {**filtering, "primary_status": spec.deleted_status}}
        return [Job(spec, advertiser_id, params), Job(spec, advertiser_id, deleted)]
    remembered = spec.lookup is not None and spec.lookup.remember
    return [Job(spec, advertiser_id, params, known=frozenset(known) if remembered else frozenset())]


__all__ = [
    "Job",
    "PlanSettings",
    "date_windows",
    "local_today",
    "plan_entity",
    "plan_report",
    "report_params",
    "report_range",
]
