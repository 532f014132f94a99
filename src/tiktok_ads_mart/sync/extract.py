"""The engine: every request of a run on one asyncio loop in a thread, and the plan of what to request.

Why this shape (option "b" of the design notes in docs/sync.md): requests run on one asyncio loop in a
background thread (:class:`Extractor`), shared by every stream and advertiser under the client's one
rate limiter, with ``concurrency`` requests in flight. Each page is turned into a pyarrow table on that
thread and handed to its stream's queue, which the dlt resources of :mod:`tiktok_ads_mart.source`
drain. Memory is bounded: a page holds a request slot until it is queued, and at most
``max_buffered_pages`` tables wait in the queues.

Nothing here imports dlt, so a run can start its first requests while dlt is still being imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from tiktok_ads_mart.catalog import (
    MAX_WINDOW_DAYS,
    STATUS_FILTER_FIELD,
    EntitySpec,
    ReportSpec,
    StreamSpec,
)
from tiktok_ads_mart.errors import ApiError, AuthExpired, PermissionDenied, TikTokAdsMartError, TransportError
from tiktok_ads_mart.transform import (
    AdvertiserContext,
    ParsedPages,
    entity_table,
    report_table,
    report_table_from_arrow,
)

log = logging.getLogger("tiktok_ads_mart.sync")
T = TypeVar("T")
MODIFIED_AFTER_MAX_AGE = timedelta(days=180)  # TikTok keeps modified_after within 6 months
MODIFIED_AFTER_OVERLAP = timedelta(hours=1)


@dataclass(frozen=True)
class Job:
    """One logical request series: a stream, an advertiser, and (for reports) one date window."""

    spec: StreamSpec
    advertiser_id: str
    params: dict[str, Any]
    window: tuple[date, date] | None = None


@dataclass
class StreamProgress:
    """Per stream and advertiser: what the live display and the summary show."""

    pages: int = 0
    rows: int = 0
    windows_total: int = 0
    windows_done: int = 0
    failed: str | None = None


@dataclass
class RunStats:
    """Everything counted during one run; written by the engine thread, read by the display."""

    progress: dict[tuple[str, str], StreamProgress] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # advertiser_id -> first error line
    fatal: TikTokAdsMartError | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def entry(self, stream: str, advertiser_id: str) -> StreamProgress:
        with self.lock:
            return self.progress.setdefault((stream, advertiser_id), StreamProgress())

    def fail(self, stream: str, advertiser_id: str, error: BaseException) -> None:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        with self.lock:
            self.progress.setdefault((stream, advertiser_id), StreamProgress()).failed = message
            self.failures.setdefault(advertiser_id, f"{stream}: {message}")

    def rows_by_stream(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        with self.lock:
            for (stream, _), entry in self.progress.items():
                totals[stream] = totals.get(stream, 0) + entry.rows
        return totals


@dataclass(frozen=True)
class WindowDone:
    job: Job
    max_modified: str | None = None


@dataclass(frozen=True)
class WindowFailed:
    job: Job
    error: BaseException


END = object()


class Extractor:
    """An asyncio loop in a thread that runs every request; pages come back as tables on queues.

    Args:
        client_factory: builds the API client inside the loop (httpx clients belong to one loop); it may
            return ``(client, *resources)`` whose ``aclose`` runs after the client's.
        stats: the run's counters, shared with the display.
        concurrency: requests in flight at once (cover rate x latency to keep the limiter busy).
        max_buffered_pages: converted pages waiting for dlt at most, bounding memory.
        convert_threads: threads that parse and convert pages (``asyncio.to_thread`` on the loop). Each
            holds a page's body, its parsed strings and its typed table at once; on two cores three keep
            up with the requests, and six only add their pages to the peak memory (about 4 MB each).
        pages: where :class:`tiktok_ads_mart.sync.ArrowReportTransport` parks pages it parsed.

    ``contexts`` (advertiser id -> currency and timezone) is filled by the caller before streams run.
    """

    def __init__(
        self,
        client_factory: Callable[[], Any],
        stats: RunStats,
        *,
        concurrency: int = 16,
        max_buffered_pages: int = 32,
        convert_threads: int = 3,
        pages: ParsedPages | None = None,
    ) -> None:
        self.stats = stats
        self.pages = pages if pages is not None else ParsedPages()
        self._closers: list[Any] = []
        self.contexts: dict[str, AdvertiserContext] = {}
        self._client_factory = client_factory
        self._concurrency = concurrency
        self._max_buffered = max(max_buffered_pages, concurrency)
        self._loop = asyncio.new_event_loop()
        self._converters = ThreadPoolExecutor(convert_threads, thread_name_prefix="tiktok-convert")
        self._loop.set_default_executor(self._converters)
        self._thread = threading.Thread(target=self._loop.run_forever, name="tiktok-extract", daemon=True)
        self._thread.start()
        self.client: Any = self.call(self._open())
        self._denied: set[str] = set()

    async def _open(self) -> Any:
        self._slots = asyncio.Semaphore(self._concurrency)
        self._buffer = asyncio.Semaphore(self._max_buffered)
        client = self._client_factory()
        if isinstance(client, tuple):  # (client, resources to close after it)
            client, *self._closers = client
        if hasattr(client, "__aenter__"):
            client = await client.__aenter__()
        return client

    def call(self, coro: Awaitable[T]) -> T:
        """Run ``coro`` on the engine loop and wait for its result (discovery, small calls)."""
        return self.start(coro).result()

    def start(self, coro: Awaitable[T]) -> Future[T]:
        """Run ``coro`` on the engine loop without waiting, so the caller can prepare the pipeline meanwhile."""
        return asyncio.run_coroutine_threadsafe(_as_coroutine(coro), self._loop)

    def close(self) -> None:
        """Close the client and stop the loop; idempotent."""
        if not self._loop.is_running():
            return
        # Requests still in flight (a run that failed) are cancelled before their client is closed under
        # them, so they end quietly instead of failing as bugs against a closed connection pool.
        pending = asyncio.run_coroutine_threadsafe(_cancel_all(), self._loop)
        with contextlib.suppress(Exception):
            pending.result(timeout=5)
        try:
            if hasattr(self.client, "aclose"):
                self.call(self.client.aclose())
            for resource in self._closers:
                self.call(resource.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._converters.shutdown(wait=False)

    def release_buffer(self) -> None:
        """The consumer took a page off a queue: one more may be converted and queued."""
        self._loop.call_soon_threadsafe(self._buffer.release)

    def submit(self, jobs: list[Job]) -> queue.SimpleQueue[Any]:
        """Start ``jobs`` (all of one stream); their pages, window markers and an end mark arrive on the queue."""
        out: queue.SimpleQueue[Any] = queue.SimpleQueue()
        asyncio.run_coroutine_threadsafe(self._run_stream(jobs, out), self._loop)
        return out

    async def _run_stream(self, jobs: list[Job], out: queue.SimpleQueue[Any]) -> None:
        try:
            await asyncio.gather(*(self._run_job(job, out) for job in jobs))
        finally:
            out.put(END)

    async def _run_job(self, job: Job, out: queue.SimpleQueue[Any]) -> None:
        name = job.spec.name
        if self.stats.fatal is not None or job.advertiser_id in self._denied:
            out.put(WindowFailed(job, self.stats.fatal or PermissionDenied(40001, "advertiser skipped")))
            return
        latest: list[str] = []
        try:
            first = await self._fetch_and_emit(job, 1, out, latest)
            total = _total_pages(first)
            if total > 1:
                await _all_or_none(
                    self._fetch_and_emit(job, page, out, latest) for page in range(2, total + 1)
                )
            out.put(WindowDone(job, max(latest) if latest else None))
        except AuthExpired as exc:
            self.stats.fatal = self.stats.fatal or exc
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except PermissionDenied as exc:
            self._denied.add(job.advertiser_id)
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except (ApiError, TransportError) as exc:
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except Exception as exc:  # a bug must not hang the run: report it as this window's failure
            log.exception("unexpected failure in %s for advertiser %s", name, job.advertiser_id)
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))

    async def _fetch_and_emit(
        self, job: Job, page: int, out: queue.SimpleQueue[Any], latest: list[str]
    ) -> dict[str, Any]:
        spec = job.spec
        params = {**job.params, "page": page, "page_size": spec.page_size}
        async with self._slots:
            if self.stats.fatal is not None or job.advertiser_id in self._denied:
                raise self.stats.fatal or PermissionDenied(
                    40001, "advertiser skipped after a permission error"
                )
            data: dict[str, Any] = await self.client.get(spec_path(spec), params)
            entry = self.stats.entry(spec.name, job.advertiser_id)
            entry.pages += 1
            table = await asyncio.to_thread(self._to_table, job, data)
            if table is not None:
                if (
                    isinstance(spec, EntitySpec)
                    and spec.modified_after
                    and "modify_time" in table.column_names
                ):
                    top = pc.max(table["modify_time"]).as_py()
                    if top is not None:
                        latest.append(top.strftime("%Y-%m-%d %H:%M:%S"))
                await self._buffer.acquire()
                entry.rows += table.num_rows
                out.put(table)
        return data

    def _to_table(self, job: Job, data: dict[str, Any]) -> pa.Table | None:
        """Runs in a worker thread: pyarrow's casts release the GIL, the loop keeps serving requests."""
        spec = job.spec
        if isinstance(spec, ReportSpec):
            ctx = self.contexts[job.advertiser_id]
            key = data.get("arrow_page")
            if isinstance(key, str):
                parsed = self.pages.take(key)
                return report_table_from_arrow(spec, parsed.rows, ctx) if len(parsed.rows) else None
            rows = data.get("list") or []
            return report_table(spec, rows, ctx) if rows else None
        rows = data.get("list") or []
        return entity_table(spec, rows, job.advertiser_id) if rows else None


async def _all_or_none(coroutines: Iterable[Coroutine[Any, Any, Any]]) -> None:
    """Run the pages of one window together; the first failure cancels the rest (no orphan pages
    arrive after the window was reported failed)."""
    tasks = [asyncio.ensure_future(coroutine) for coroutine in coroutines]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _total_pages(data: dict[str, Any]) -> int:
    info = data.get("page_info") or {}
    try:
        return int(info.get("total_page") or 0)
    except (TypeError, ValueError):
        return 0


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _cancel_all() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def spec_path(spec: StreamSpec) -> str:
    return spec.path if isinstance(spec, EntitySpec) else "report/integrated/get/"


# --- planning --------------------------------------------------------------------------------------


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
        return self.start_date is not None or self.end_date is not None


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
        "report_type": spec.report_type,
        "data_level": spec.data_level,
        "dimensions": list(spec.dimensions),
        "metrics": list(spec.metrics),
    }
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


def plan_entity(spec: EntitySpec, advertiser_id: str, cursor: str | None, plan: PlanSettings) -> Job:
    params: dict[str, Any] = {"advertiser_id": advertiser_id}
    filtering: dict[str, Any] = {}
    if plan.include_deleted and spec.status_all:
        filtering["primary_status"] = spec.status_all
    if spec.modified_after and cursor is not None and not plan.backfill:
        since = datetime.strptime(cursor, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) - MODIFIED_AFTER_OVERLAP
        if plan.now - since < MODIFIED_AFTER_MAX_AGE:
            filtering["modified_after"] = since.strftime("%Y-%m-%d %H:%M:%S")
    if filtering:
        params["filtering"] = filtering
    return Job(spec, advertiser_id, params)


__all__ = [
    "END",
    "Extractor",
    "Job",
    "PlanSettings",
    "RunStats",
    "StreamProgress",
    "WindowDone",
    "WindowFailed",
    "date_windows",
    "local_today",
    "plan_entity",
    "plan_report",
    "report_params",
    "report_range",
    "spec_path",
]
