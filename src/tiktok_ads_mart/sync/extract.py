"""The engine: every request of a run on one asyncio loop in a thread, and the plan of what to request.

Why this shape (option "b" of the design notes in docs/sync.md): requests run on one asyncio loop in a
background thread (:class:`Extractor`), shared by every stream and advertiser under the client's one
rate limiter, with ``concurrency`` requests in flight. Each page is turned into a pyarrow table on that
thread and handed to its stream's queue, which the dlt resources of :mod:`tiktok_ads_mart.sync.source`
drain. Memory is bounded: a page holds a request slot until it is queued, and at most
``max_buffered_pages`` tables wait in the queues.

Nothing here imports dlt, so a run can start its first requests while dlt is still being imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import tempfile
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa

from tiktok_ads_mart.api import TikTokClient
from tiktok_ads_mart.api.paging import total_pages
from tiktok_ads_mart.catalog import (
    BUILTIN_STREAMS,
    SOURCE_FIELDS,
    STORE_STREAM,
    EntitySpec,
    Lookup,
    ReportSpec,
    StreamSpec,
    id_sources,
    ids_in,
    rows_of,
    store_runs_gmv_max,
)
from tiktok_ads_mart.errors import (
    ApiError,
    AuthExpired,
    DailyQuotaUsedUp,
    PermissionDenied,
    TikTokAdsMartError,
    TransportError,
    Unreachable,
    printable,
)
from tiktok_ads_mart.sync.arrow import (
    AdvertiserContext,
    ParsedPage,
    entity_table,
    report_decoder,
    report_table,
    report_table_from_arrow,
    report_table_from_columns,
)
from tiktok_ads_mart.sync.batches import Batch, plan_batches
from tiktok_ads_mart.sync.plan import Job
from tiktok_ads_mart.sync.stats import RunStats
from tiktok_ads_mart.sync.tasks import csv_batches, read_task_csv, task_can_read

log = logging.getLogger("tiktok_ads_mart.sync")

ClientFactory = Callable[[], TikTokClient]
"""Builds the API client inside the extractor's loop: an httpx pool belongs to the loop it was made on."""
T = TypeVar("T")


@dataclass(frozen=True)
class WindowDone:
    job: Job
    ids: tuple[str, ...] = ()  # a lookup's ids TikTok answered, remembered so they are not asked again


@dataclass(frozen=True)
class WindowFailed:
    job: Job
    error: BaseException


END = object()


class Extractor:
    """An asyncio loop in a thread that runs every request; pages come back as tables on queues.

    Args:
        client_factory: builds the API client inside the loop (httpx clients belong to one loop).
        stats: the run's counters, shared with the display.
        concurrency: requests in flight at once (cover rate x latency to keep the limiter busy).
        max_buffered_pages: converted pages waiting for dlt at most, bounding memory.
        report_mode: ``sync``, ``async`` or ``auto``: when report windows are read as tasks (see
            :meth:`_read_window`).
        convert_threads: threads that parse and convert pages (``asyncio.to_thread`` on the loop). Each
            holds a page's body, its parsed strings and its typed table at once; on two cores three keep
            up with the requests, and six only add their pages to the peak memory (about 4 MB each).

    ``contexts`` (advertiser id -> currency and timezone) is filled by the caller before streams run.
    """

    def __init__(
        self,
        client_factory: ClientFactory,
        stats: RunStats,
        *,
        concurrency: int = 16,
        max_buffered_pages: int = 32,
        convert_threads: int = 3,
        report_mode: str = "sync",
    ) -> None:
        self.stats = stats
        self.report_mode = report_mode
        self._first_pages: dict[tuple[str, str], asyncio.Future[int]] = {}  # (stream, advertiser): page count
        self.contexts: dict[str, AdvertiserContext] = {}
        self._client_factory = client_factory
        self._concurrency = concurrency
        self._max_buffered = max(max_buffered_pages, concurrency)
        self._loop = asyncio.new_event_loop()
        self._converters = ThreadPoolExecutor(convert_threads, thread_name_prefix="tiktok-convert")
        self._loop.set_default_executor(self._converters)
        self._thread = threading.Thread(target=self._loop.run_forever, name="tiktok-extract", daemon=True)
        self._thread.start()
        self.client: TikTokClient = self.call(self._open())
        self._denied: set[str] = set()  # advertisers no request reaches any more (retried to the end)
        self._failed_streams: set[tuple[str, str]] = set()  # (stream, advertiser) likewise
        self._past_cap: set[str] = set()  # advertisers whose reports came back cut to 20,000 ads
        self._batches: dict[str, asyncio.Future[list[Batch]]] = {}  # their ids, batched under the cap
        #: Streams of this run: a lookup takes its ids from its source stream's rows when it runs too.
        self.selected: frozenset[str] = frozenset()
        self._taps: dict[tuple[str, str], _Tap] = {}  # (source stream, advertiser): the rows' ids
        self._sources: set[str] = set()  # the streams whose ids other streams of the run take
        self._ended: set[int] = set()  # source listings (by id of their Job) whose end was counted

    async def _open(self) -> TikTokClient:
        self._slots = asyncio.Semaphore(self._concurrency)
        self._buffer = asyncio.Semaphore(self._max_buffered)
        return self._client_factory()

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
            self.call(self.client.aclose())
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
        for job in jobs:  # a source's ids are whole once every listing of the advertiser has ended
            if job.spec.name in self._sources:
                self._tap_for(job.spec.name, job.advertiser_id).jobs_left += 1
        try:
            await asyncio.gather(*(self._run_job(job, out) for job in jobs))
        finally:
            out.put(END)

    async def _run_job(self, job: Job, out: queue.SimpleQueue[Any]) -> None:
        name = job.spec.name
        if skipped := self._skip(job):
            self._tapped(job, skipped)
            out.put(WindowFailed(job, skipped))
            return
        answered: list[str] = []
        try:
            await self._read_window(job, out, answered)
            self._tapped(job, None)
            out.put(WindowDone(job, tuple(answered)))
        except (AuthExpired, Unreachable, DailyQuotaUsedUp) as exc:  # no later request can do better
            self.stats.fatal = self.stats.fatal or exc
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except PermissionDenied as exc:  # this endpoint only: a missing scope, or this advertiser's
            self._tapped(job, exc)  # what takes its ids from this stream is refused with it
            self._failed_streams.add((name, job.advertiser_id))
            self.stats.deny(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except TransportError as exc:  # retried to the end: the advertiser's other windows would be too
            self._denied.add(job.advertiser_id)
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except ApiError as exc:  # this request is wrong (a custom report's metric...): the stream stops
            self._failed_streams.add((name, job.advertiser_id))
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except TikTokAdsMartError as exc:  # skipped (see _skip) after the window started
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        except Exception as exc:  # a bug must not hang the run: report it as this window's failure
            log.exception("unexpected failure in %s for advertiser %s", name, job.advertiser_id)
            self.stats.fail(name, job.advertiser_id, exc)
            out.put(WindowFailed(job, exc))
        finally:
            self._tapped(
                job, TikTokAdsMartError(f"{name} could not be read for advertiser {job.advertiser_id}")
            )

    async def _read_window(self, job: Job, out: queue.SimpleQueue[Any], answered: list[str]) -> None:
        """Pages, a report task, or id batches: whichever gives the window whole for the fewest requests.

        A report task is used when asked for (``async``), when the advertiser is past TikTok's 20,000-ad
        cut-off (a task is not cut, and costs less than listing the ads and batching), and in ``auto``
        for the windows of a stream whose first window's page 1 said it has
        :data:`TASK_WORTHWHILE_PAGES` pages or more. A report a task refuses (reach beside an audience
        breakdown) stays on pages, in batches past the cut-off.
        """
        spec = job.spec
        if isinstance(spec, EntitySpec) and spec.lookup is not None:
            await self._look_up(job, spec, spec.lookup, out, answered)
            return
        if not isinstance(spec, ReportSpec):
            await self._read_pages(job, out)
            return
        if spec.per_store:
            await self._read_per_store(job, out)
            return
        past_cap = job.advertiser_id in self._past_cap
        if task_can_read(spec) and (self.report_mode == "async" or past_cap):
            await self._read_as_task(job, out)
            return
        if past_cap:
            await self._read_in_batches(job, out)
            return
        first_page: asyncio.Future[int] | None = None
        if self.report_mode == "auto" and task_can_read(spec):
            key = (spec.name, job.advertiser_id)
            measured = self._first_pages.get(key)
            if measured is None:  # this window measures the stream: the others wait for its page 1
                first_page = self._first_pages[key] = asyncio.get_running_loop().create_future()
            elif await asyncio.shield(measured) >= TASK_WORTHWHILE_PAGES:
                await self._read_as_task(job, out)
                return
        try:
            await self._read_pages(job, out, first_page)
        except _CutOff:
            if job.advertiser_id not in self._past_cap:
                self._past_cap.add(job.advertiser_id)
                log.warning(
                    "advertiser %s has more than 20,000 ads, more than a report page covers: its "
                    "reports are read as report tasks, or in id batches where a task cannot serve them",
                    job.advertiser_id,
                )
            await self._read_window(job, out, answered)

    async def _read_pages(
        self,
        job: Job,
        out: queue.SimpleQueue[Any],
        first_page: asyncio.Future[int] | None = None,
    ) -> None:
        """Every page of the window; ``first_page`` learns the page count as soon as page 1 tells it
        (0 if page 1 failed)."""
        try:
            total = await self._fetch_and_emit(job, 1, out)
        except BaseException:
            if first_page is not None and not first_page.done():
                first_page.set_result(0)
            raise
        if first_page is not None and not first_page.done():
            first_page.set_result(total)
        if total > 1:
            await _all_or_none(self._fetch_and_emit(job, page, out) for page in range(2, total + 1))

    async def _read_in_batches(self, job: Job, out: queue.SimpleQueue[Any]) -> None:
        """The window again, one id batch at a time, each under TikTok's 20,000-ad cap (see ``batches``)."""
        if isinstance(job.spec, ReportSpec) and job.spec.level == "advertiser":  # one sum over every ad
            raise TikTokAdsMartError(
                f"{job.spec.name}: the account has more than 20,000 ads, so TikTok's report pages leave "
                "some out, and a report task does not take reach or frequency beside an audience "
                "breakdown: no request gives these rows whole"
            )
        batches = await self._batches_of(job.advertiser_id)
        log.debug("%s for %s: %d id batches", job.spec.name, job.advertiser_id, len(batches))
        await _all_or_none(
            self._read_pages(
                Job(job.spec, job.advertiser_id, batch.filtered(job.params), job.window, batch), out
            )
            for batch in batches
        )

    async def _read_as_task(self, job: Job, out: queue.SimpleQueue[Any]) -> None:
        """One report window as an asynchronous task; its CSV is converted and queued a block at a time."""
        assert isinstance(job.spec, ReportSpec)
        spec, ctx = job.spec, self.contexts[job.advertiser_id]
        with tempfile.TemporaryFile(prefix="tiktok-report-") as file:  # private, and gone on close
            await read_task_csv(self.client, job.params, file)
            blocks = csv_batches(file, [*spec.dimensions, *spec.metrics])
            entry = self.stats.entry(spec.name, job.advertiser_id)
            entry.pages += 1
            while (table := await asyncio.to_thread(_next_table, blocks, spec, ctx)) is not None:
                await self._buffer.acquire()
                entry.rows += table.num_rows
                out.put(table)

    # -- ids taken from another stream's rows: lookups (videos, images) and per-store reports (GMV Max)

    def select(self, specs: Iterable[StreamSpec]) -> None:
        """The run's streams: a source stream that runs too hands its ids over instead of being listed twice."""
        specs = list(specs)
        self.selected = frozenset(spec.name for spec in specs)
        self._sources = {source for spec in specs for source in id_sources(spec)}

    def _tap(self, job: Job, data: Mapping[str, Any]) -> None:
        """Keep the id fields of a source stream's page for the streams that take their ids from it."""
        spec = job.spec
        if spec.name in self._sources and isinstance(spec, EntitySpec):
            fields = SOURCE_FIELDS[spec.name]
            rows = rows_of(spec, data)
            self._tap_for(spec.name, job.advertiser_id).rows.extend(
                {name: row.get(name) for name in fields} for row in rows
            )

    def _tapped(self, job: Job, error: TikTokAdsMartError | None) -> None:
        """One of the source stream's listings of the advertiser ended; the last one to end hands the ids
        over, complete, or lost with the first error."""
        if job.spec.name not in self._sources or id(job) in self._ended:
            return
        self._ended.add(id(job))
        tap = self._tap_for(job.spec.name, job.advertiser_id)
        tap.error = tap.error or error
        tap.jobs_left -= 1
        if tap.jobs_left <= 0 and not tap.done.done():
            tap.done.set_result(tap.error or tap.rows)

    def _tap_for(self, source: str, advertiser_id: str) -> _Tap:
        key = (source, advertiser_id)
        tap = self._taps.get(key)
        if tap is None:
            tap = self._taps[key] = _Tap(asyncio.get_running_loop().create_future())
            if source not in self.selected:  # nobody lists it in this run: list it once, ids only
                tap.listing = asyncio.ensure_future(self._list_source(source, advertiser_id, tap))
        return tap

    async def _list_source(self, source: str, advertiser_id: str, tap: _Tap) -> None:
        spec = BUILTIN_STREAMS[source]
        assert isinstance(spec, EntitySpec)
        params: dict[str, Any] = {"advertiser_id": advertiser_id}
        if spec.status_all:
            params["filtering"] = {"primary_status": spec.status_all}
        fields = SOURCE_FIELDS[source]
        try:
            async for data in self.client.paginate(
                spec.path, params, page_size=spec.page_size, concurrency=4
            ):
                tap.rows.extend({name: row.get(name) for name in fields} for row in rows_of(spec, data))
        except TikTokAdsMartError as exc:
            tap.done.set_result(exc)
        except BaseException:
            tap.done.set_result(
                TikTokAdsMartError(f"{source} could not be listed for advertiser {advertiser_id}")
            )
            raise
        else:
            tap.done.set_result(tap.rows)

    async def _source_rows(self, source: str, job: Job) -> list[dict[str, Any]]:
        outcome = await asyncio.shield(self._tap_for(source, job.advertiser_id).done)
        if isinstance(outcome, PermissionDenied):  # skipped like its source, for its source's scope
            self.stats.refused_through[job.spec.name] = source
            raise outcome
        if isinstance(outcome, BaseException):
            raise TikTokAdsMartError(f"its ids come from {source}, which failed: {outcome}")
        return outcome

    async def _look_up(
        self, job: Job, spec: EntitySpec, lookup: Lookup, out: queue.SimpleQueue[Any], answered: list[str]
    ) -> None:
        """The assets the source rows name and no earlier run loaded, as many ids a request as TikTok takes."""
        named = ids_in(await self._source_rows(lookup.source, job), lookup.fields)
        wanted = [i for i in named if i not in job.known]
        batches = [wanted[at : at + lookup.batch] for at in range(0, len(wanted), lookup.batch)]

        async def one(batch: list[str]) -> None:
            async with self._slots:
                if skipped := self._skip(job):
                    raise skipped
                ids: str | list[str] = batch[0] if lookup.batch == 1 else batch
                data = await self.client.get(
                    spec.path, {"advertiser_id": job.advertiser_id, lookup.param: ids}
                )
                entry = self.stats.entry(spec.name, job.advertiser_id)
                entry.pages += 1
                rows = rows_of(spec, data)
                answered.extend(str(row[spec.id_field]) for row in rows if row.get(spec.id_field))
                table = await asyncio.to_thread(self._to_table, job, data) if rows else None
                if table is not None:
                    await self._buffer.acquire()
                    entry.rows += table.num_rows
                    out.put(table)

        await _all_or_none(one(batch) for batch in batches)

    async def _read_per_store(self, job: Job, out: queue.SimpleQueue[Any]) -> None:
        """A report TikTok gives one store at a time: the window once for each store that runs GMV Max."""
        spec = job.spec
        assert isinstance(spec, ReportSpec)
        rows = await self._source_rows(STORE_STREAM, job)
        stores = [str(row["store_id"]) for row in rows if row.get("store_id") and store_runs_gmv_max(row)]
        requests = [{**job.params, "store_ids": [store]} for store in dict.fromkeys(stores)]
        if spec.id_filter is not None:  # a report that must name its objects, a batch of ids at a time
            source_rows = await self._source_rows(spec.id_filter.source, job)
            named, size, param = (
                ids_in(source_rows, spec.id_filter.fields),
                spec.id_filter.batch,
                spec.id_filter.param,
            )
            requests = [
                {**params, "filtering": {**params.get("filtering", {}), param: named[at : at + size]}}
                for params in requests
                for at in range(0, len(named), size)
            ]
        await _all_or_none(
            self._read_pages(Job(spec, job.advertiser_id, params, job.window), out) for params in requests
        )

    def _batches_of(self, advertiser_id: str) -> asyncio.Future[list[Batch]]:
        """The advertiser's id batches, listed once however many windows ask at the same time."""
        batches = self._batches.get(advertiser_id)
        if batches is None:
            batches = self._batches[advertiser_id] = asyncio.ensure_future(self._list_batches(advertiser_id))
        return batches

    async def _list_batches(self, advertiser_id: str) -> list[Batch]:
        """Every ad of the advertiser, deleted ones too (a report may ask for them), as ids only."""
        params = {
            "advertiser_id": advertiser_id,
            "fields": ["ad_id", "adgroup_id", "campaign_id"],
            "filtering": {"primary_status": "STATUS_ALL"},
        }
        triples: list[tuple[str, str, str]] = []
        async for data in self.client.paginate(AD_LIST_PATH, params, concurrency=4):
            for ad in data.get("list") or []:
                triples.append((str(ad["campaign_id"]), str(ad["adgroup_id"]), str(ad["ad_id"])))
        log.info(
            "advertiser %s has %d ads: its reports that a task cannot serve are read in id batches",
            advertiser_id,
            len(triples),
        )
        return plan_batches(triples)

    def _skip(self, job: Job) -> TikTokAdsMartError | None:
        """Why ``job`` is not requested at all: the run stopped, the advertiser failed, or its stream did."""
        if self.stats.fatal is not None:
            return self.stats.fatal
        if job.advertiser_id in self._denied:
            return TikTokAdsMartError("advertiser skipped after an earlier failure")
        if (job.spec.name, job.advertiser_id) in self._failed_streams:
            return TikTokAdsMartError("window skipped after an earlier one of the stream failed")
        return None

    async def _fetch_and_emit(self, job: Job, page: int, out: queue.SimpleQueue[Any]) -> int:
        """Fetch one page and queue its table; returns how many pages the window has (from page_info).

        Only the count comes back, not the page, and the page is let go once it is a table: a page
        held while its table waits for room in the buffer, or until the window's last page arrived,
        would add up in memory (the parsed strings are about as big as the typed table)."""
        spec = job.spec
        params = {**job.params, "page": page, "page_size": spec.page_size}
        async with self._slots:
            if skipped := self._skip(job):
                raise skipped
            if isinstance(spec, ReportSpec):
                answer = await self.client.request(
                    "GET", spec.path, params=params, decode=report_decoder(spec)
                )
                if answer.warning:  # TikTok read only the newest 20,000 ads: these rows are not all
                    if job.batch is not None:
                        raise TikTokAdsMartError(
                            f"{spec.name}: a batch of {len(job.batch.ids)} {job.batch.field_name} was still cut "
                            f"to 20,000 ads ({printable(answer.warning)})"
                        )
                    raise _CutOff
                data: ParsedPage | dict[str, Any] = answer.data
            else:
                data = await self.client.get(spec.path, params)
                self._tap(job, data)
            entry = self.stats.entry(spec.name, job.advertiser_id)
            entry.pages += 1
            pages = total_pages(data)
            table = await asyncio.to_thread(self._to_table, job, data)
            del data
            if table is not None:
                await self._buffer.acquire()
                entry.rows += table.num_rows
                out.put(table)
        return pages

    def _to_table(self, job: Job, data: ParsedPage | dict[str, Any]) -> pa.Table | None:
        """Runs in a worker thread: pyarrow's casts release the GIL, the loop keeps serving requests."""
        spec = job.spec
        if isinstance(data, ParsedPage):  # the decoder read it into arrow already
            assert isinstance(spec, ReportSpec)
            ctx = self.contexts[job.advertiser_id]
            return report_table_from_arrow(spec, data.rows, ctx) if len(data.rows) else None
        if isinstance(spec, ReportSpec):
            rows = data.get("list") or []
            return report_table(spec, rows, self.contexts[job.advertiser_id]) if rows else None
        rows = rows_of(spec, data)
        return entity_table(spec, rows, job.advertiser_id) if rows else None


def _next_table(blocks: Iterator[pa.Table], spec: ReportSpec, ctx: AdvertiserContext) -> pa.Table | None:
    """The next CSV block as a typed report table (in a worker thread: parsing and casts), or None."""
    block = next(blocks, None)
    return None if block is None else report_table_from_columns(spec, block, ctx)


TASK_WORTHWHILE_PAGES = 4
"""A window of this many report pages costs more requests than a report task (create, a check or two,
download), so in ``auto`` the stream's later windows for that advertiser are read as tasks."""


@dataclass
class _Tap:
    """A source stream's id fields for one advertiser; ``done`` gets them whole, or the error that lost them."""

    done: asyncio.Future[list[dict[str, Any]] | TikTokAdsMartError]
    rows: list[dict[str, Any]] = field(default_factory=list)
    listing: asyncio.Future[None] | None = None  # listing the source itself, when it is not in the run
    jobs_left: int = 0  # the source stream's listings of the advertiser still running
    error: TikTokAdsMartError | None = None


class _CutOff(Exception):
    """A report page came back cut to the newest 20,000 ads (``X-Tt-Ads-Throttle``)."""


AD_LIST_PATH = "ad/get/"


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


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _cancel_all() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


__all__ = ["END", "ClientFactory", "Extractor", "WindowDone", "WindowFailed"]
