"""`sync`: find the advertisers, run the dlt pipeline over the source, and sum up what happened.

The order matters for "killed at any moment, started again, same rows": packages a killed run left in
dlt's working directory are normalized and loaded first, then the new run extracts from the state
those packages carried. State moves only inside a load package, so it can never run ahead of the data.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import gc
import logging
import math
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson
import pyarrow as pa

from tiktok_ads_mart.catalog import ADVERTISER_INFO_BATCH
from tiktok_ads_mart.config import SyncSettings
from tiktok_ads_mart.engine import Extractor, PlanSettings, RunStats
from tiktok_ads_mart.errors import (
    ApiError,
    PermissionDenied,
    SyncInterrupted,
    TikTokAdsMartError,
    TransportError,
)
from tiktok_ads_mart.pipeline_lock import make_private, pipeline_lock
from tiktok_ads_mart.secret import Secret
from tiktok_ads_mart.stopping import StopRequested, raise_if_stop_requested, stop_between_pages
from tiktok_ads_mart.transform import AdvertiserContext, ParsedPages, parse_report_page, zone_for

# dlt phones home unless told not to; this tool only talks to TikTok and the destination.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "CRITICAL")  # failures reach the summary as one line
# dlt holds up to this many rows per table before writing them to the table's file. Its default of 5,000
# rows (about 3 MB) is held by each of 32 tables at once: all streams together peaked at 321 MB, with
# 2,500 at 313 MB. Much lower makes many small parquet row groups and a 1M-row load less predictable.
os.environ.setdefault("DATA_WRITER__BUFFER_MAX_ITEMS", "2500")

log = logging.getLogger("tiktok_ads_mart.sync")


class Reporter(Protocol):
    """What `sync` tells the display (see :mod:`tiktok_ads_mart.progress`)."""

    def start(self, stats: RunStats, client_stats: Callable[[], Any], qps: int) -> None: ...
    def phase(self, name: str) -> None: ...
    def stop(self) -> None: ...


class _SilentReporter:
    def start(self, stats: RunStats, client_stats: Callable[[], Any], qps: int) -> None:
        return None

    def phase(self, name: str) -> None:
        return None

    def stop(self) -> None:
        return None


@dataclass
class SyncResult:
    """The summary of one run; ``exit_code`` is non-zero when any advertiser failed."""

    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    duration: float = 0.0
    advertisers: int = 0
    fatal: TikTokAdsMartError | None = None
    destination: str = ""
    dataset_name: str = ""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.fatal is not None else 0


def _token_source(settings: SyncSettings) -> Any:
    from tiktok_ads_mart.auth import resolve_token_source

    qps, qpm = settings.rate_limits
    from tiktok_ads_mart.api import RateLimits

    return resolve_token_source(
        settings.profile, api_base=settings.named_api_base(), limits=RateLimits(qps=qps, qpm=qpm)
    )


REPORT_PATH = "report/integrated/get/"


class ArrowReportTransport(httpx.AsyncBaseTransport):
    """Reads successful report pages into arrow as they arrive, outside the GIL.

    A 1000-row page is about a megabyte of JSON; parsing it into Python objects and building arrow
    columns from them costs more than everything else in the sync. This transport parses the body with
    pyarrow's JSON reader in a worker thread, parks the arrow rows in ``pages`` and hands the client a
    small envelope carrying the key (``data.arrow_page``). Anything else (another endpoint, an error
    envelope, HTTP errors, a body pyarrow will not read) passes through untouched, so the client's
    one envelope boundary, its retries and its error classes still see every failure.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, pages: ParsedPages) -> None:
        self._inner = inner
        self.pages = pages

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if response.status_code != 200 or not request.url.path.endswith(REPORT_PATH):
            return response
        try:
            body = await response.aread()
        finally:  # a run that stops cancels requests mid-body: their connections go back all the same
            await response.aclose()
        try:
            dimensions = tuple(orjson.loads(request.url.params["dimensions"]))
            metrics = tuple(orjson.loads(request.url.params["metrics"]))
        except (KeyError, orjson.JSONDecodeError, TypeError):
            parsed = None
        else:
            parsed = await asyncio.to_thread(parse_report_page, dimensions, metrics, body)
        if parsed is not None:
            key = self.pages.put(parsed)
            data = {"list": [], "page_info": parsed.page_info, "arrow_page": key}
            body = orjson.dumps({"code": 0, "message": "OK", "request_id": parsed.request_id, "data": data})
        # the body is decoded now: length, compression and chunking headers no longer describe it
        stale = {"content-length", "content-encoding", "transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in stale]
        return httpx.Response(200, headers=headers, content=body, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def api_base_for(settings: SyncSettings, token: Any) -> str:
    """Where to send requests: a stored credential's host (bound to its issuer when it was resolved),
    else the host the run was pointed at, else production.

    A profile logged in against the sandbox or the emulator must not be sent to production just
    because ``sync`` was run without ``--api-base``, nor anywhere a config file names.
    """
    from tiktok_ads_mart.api.hosts import url_for_bare_token, url_for_stored_token

    stored = getattr(token, "api_base", None)
    if stored:
        return url_for_stored_token(str(stored), settings.named_api_base(), settings.profile)
    return url_for_bare_token(settings.named_api_base())


def default_client_factory(settings: SyncSettings, token: Any, pages: ParsedPages) -> Callable[[], Any]:
    """A factory the engine calls inside its own loop (an httpx pool belongs to one loop).

    Returns the client and the httpx client it was given, which the engine closes after it.
    """
    from tiktok_ads_mart.api import RateLimits, TikTokClient
    from tiktok_ads_mart.api.transport import http_transport

    qps, qpm = settings.rate_limits

    def build() -> tuple[Any, httpx.AsyncClient]:
        http = httpx.AsyncClient(
            transport=ArrowReportTransport(http_transport(settings.concurrency), pages),
            timeout=httpx.Timeout(60.0, connect=10.0),
            headers={"Accept": "application/json"},
        )
        client = TikTokClient(
            api_base_for(settings, token), token, limits=RateLimits(qps=qps, qpm=qpm), http=http
        )
        return client, http

    return build


async def discover_advertiser_ids(client: Any, token: Any) -> list[str]:
    """Every advertiser the credential reads: the stored list, else ``oauth2/advertiser/get/``."""
    known = tuple(getattr(token, "advertiser_ids", ()) or ())
    if known:
        return list(known)
    from tiktok_ads_mart.auth.advertisers import advertiser_ids_for

    app_id = os.environ.get("TIKTOK_APP_ID") or getattr(token, "app_id", None)
    secret = os.environ.get("TIKTOK_APP_SECRET")
    return await advertiser_ids_for(client, (), app_id, Secret(secret) if secret else None)


async def fetch_advertisers(
    client: Any, advertiser_ids: Sequence[str], stats: RunStats
) -> list[dict[str, Any]]:
    """``advertiser/info/`` 100 ids a call; a batch refused for permission is retried id by id."""
    rows: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(advertiser_ids))
    for start in range(0, len(ids), ADVERTISER_INFO_BATCH):
        chunk = ids[start : start + ADVERTISER_INFO_BATCH]
        try:
            data = await client.get("advertiser/info/", {"advertiser_ids": chunk})
            rows += [dict(item) for item in data.get("list") or () if isinstance(item, dict)]
        except PermissionDenied:
            for advertiser_id in chunk:
                try:
                    data = await client.get("advertiser/info/", {"advertiser_ids": [advertiser_id]})
                    rows += [dict(item) for item in data.get("list") or () if isinstance(item, dict)]
                except (PermissionDenied, ApiError, TransportError) as exc:
                    stats.fail("advertisers", advertiser_id, exc)
    returned = {str(row.get("advertiser_id")) for row in rows}
    for advertiser_id in ids:
        if advertiser_id not in returned and advertiser_id not in stats.failures:
            stats.fail(
                "advertisers",
                advertiser_id,
                PermissionDenied(40001, "advertiser not returned by advertiser/info/"),
            )
    return rows


def context_for(row: dict[str, Any]) -> AdvertiserContext:
    """Report times are in ``timezone``; TikTok also gives an IANA ``display_timezone`` to fall back on."""
    candidates = [str(row.get(key)) for key in ("timezone", "display_timezone") if row.get(key)]
    timezone = next((name for name in candidates if zone_for(name) is not None), "UTC")
    if candidates and zone_for(candidates[0]) is None:
        log.warning(
            "advertiser %s: unknown timezone %r, using %s", row.get("advertiser_id"), candidates[0], timezone
        )
    currency = row.get("currency")
    return AdvertiserContext(str(row["advertiser_id"]), str(currency) if currency else None, timezone)


def make_destination(settings: SyncSettings) -> Any:
    """dlt's destination by name; DuckDB gets a file path and a memory cap, others dlt's own config."""
    if settings.destination == "duckdb":
        from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        credentials = DuckDbCredentials(str(settings.duckdb_path.resolve()))
        credentials.global_config = {
            "memory_limit": settings.duckdb_memory_limit,
            "preserve_insertion_order": False,
            "threads": settings.duckdb_threads,
        }
        from tiktok_ads_mart.duckdb_load import key_replacing_duckdb

        return key_replacing_duckdb(credentials)
    from tiktok_ads_mart.config import dlt_destination

    return dlt_destination(settings)


def avoid_sqlalchemy_import(destination: str) -> None:
    """Keep dlt from importing SQLAlchemy (15-30 MB) just to print a connection URL in its load info.

    dlt formats every destination's credentials through SQLAlchemy's ``URL`` when SQLAlchemy is
    installed, else through its own drop-in shims; data engineers' environments often have it
    installed. Only dlt's ``sqlalchemy`` destination needs the real one.
    """
    compat = "dlt.common.libs.sql_alchemy_compat"
    if destination == "sqlalchemy" or compat in sys.modules or "sqlalchemy" in sys.modules:
        return
    from dlt.common.libs import sql_alchemy_shims

    sys.modules[compat] = sql_alchemy_shims


def make_pipeline(settings: SyncSettings) -> Any:
    import dlt

    avoid_sqlalchemy_import(settings.destination)
    # a loaded package's files are a full copy of what went into the mart: dlt deletes them once loaded
    os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
    return dlt.pipeline(
        pipeline_name=settings.pipeline_name,
        destination=make_destination(settings),
        dataset_name=settings.dataset_name,
        pipelines_dir=str(settings.resolved_pipelines_dir()),
    )


def _loader_format(settings: SyncSettings) -> str | None:
    return "parquet" if settings.destination in ("duckdb", "motherduck", "filesystem") else None


M_ARENA_MAX = -8  # glibc mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas before the worker threads start: each thread's arena keeps
    its own freed fragments, which shows up as peak RSS; two are plenty for this workload."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


def release_memory() -> None:
    """Give the extraction's freed buffers back to the OS before DuckDB takes its share (peak RSS)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


MAX_DUCKDB_MEMORY_RETRIES = 4
LOAD_WORKERS_DUCKDB = 1
LOAD_WORKERS = 20  # dlt's default


def load_with_memory_fallback(pipeline: Any, settings: SyncSettings) -> Any:
    """Load; if DuckDB runs out of its (small) memory cap, load the pending package again with twice the cap.

    DuckDB's out-of-memory error is transient to dlt, so the package stays pending and nothing is lost;
    the cap is a peak-RSS budget, not a correctness limit.
    """
    # DuckDB runs one statement at a time per file anyway; parallel jobs would only add up their memory
    workers = LOAD_WORKERS_DUCKDB if settings.destination == "duckdb" else LOAD_WORKERS
    for attempt in range(MAX_DUCKDB_MEMORY_RETRIES + 1):
        try:
            return pipeline.load(workers=workers)
        except Exception as exc:
            if settings.destination != "duckdb" or not is_duckdb_out_of_memory(exc):
                raise
            if attempt == MAX_DUCKDB_MEMORY_RETRIES:
                raise
            settings = replace(settings, duckdb_memory_limit=_doubled(settings.duckdb_memory_limit))
            log.warning(
                "DuckDB ran out of memory (%s); loading again with memory_limit=%s",
                str(exc).strip().splitlines()[0][:200],
                settings.duckdb_memory_limit,
            )
            pipeline = make_pipeline(settings)
    return None


# DuckDB's words when its cap is too small: an operator's "Out of Memory", or a commit that cannot get a
# block for the rows a transaction kept in memory (up to a row group of them, whatever the cap).
_DUCKDB_MEMORY_ERRORS = re.compile(r"Out of Memory|could not allocate block|failed to pin block")


def is_duckdb_out_of_memory(exc: BaseException) -> bool:
    return _DUCKDB_MEMORY_ERRORS.search(str(exc)) is not None


def _doubled(limit: str) -> str:
    match = re.match(r"^(\d+(?:\.\d+)?)(.*)$", limit)
    if match is None:
        return "1GB"
    return f"{float(match.group(1)) * 2:g}{match.group(2)}"


def drop_pending(pipeline: Any) -> int:
    """Discard the packages an earlier run could not load, and rewind the state to before them.

    A load job the destination refuses for good (a column it will not take, a permission) keeps its
    package pending, and every later run tries it again first. Dropping it must not lose days: dlt
    restores the pipeline's state to what it was when that package was extracted, so the cursors it
    carried are gone too and the next extraction reads those days again.
    """
    plan = pipeline.abort_packages()
    if plan is None:
        return 0
    dropped = len(plan["packages_to_delete"]) + len(plan["extracted_packages_to_delete"])
    return dropped + (1 if plan["package_to_abort"] else 0)


# State moves only past days that loaded, so stopping is safe at any moment.
INTERRUPTED = ": what was loaded stays, and the next sync goes on from there"
PENDING_HINT = (
    "; its rows wait in a load package that the next sync loads first"
    " (`sync --drop-pending` discards it and reads its days again)"
)


def finish_pending(pipeline: Any, settings: SyncSettings) -> None:
    """Complete the packages a killed run left (``pipeline.has_pending_data``); they carry the state this
    run continues from."""
    log.info("completing load packages left by an interrupted run")
    pipeline.normalize()
    load_with_memory_fallback(pipeline, settings)


# A package per this many rows or seconds when requests are rate-bound (see load_in_cycles).
CYCLE_ROWS = 150_000
CYCLE_SECONDS = 15.0


def load_in_cycles(
    pipeline: Any,
    settings: SyncSettings,
    extractor: Extractor,
    advertiser_rows: list[dict[str, Any]],
    plan: PlanSettings,
    stats: RunStats,
    reporter: Reporter,
) -> None:
    """Extract, normalize and load package after package until every stream has handed over its rows.

    While a package is normalized and loaded the engine keeps requesting into its bounded buffer, so the
    load overlaps the requests; after the last answer only the last, small package is left to load. That
    pays when requests wait for the rate limit (the CPU is idle then). Without a limit the requests keep
    both cores busy and the buffer fills within a second of a load starting: loads in between would
    stall the requests and hold the buffer and the load's memory at once, so such a run is one package.
    """
    from tiktok_ads_mart.source import CycleBudget, SourceRun, tiktok_ads_source

    run = SourceRun(
        extractor,
        advertiser_rows,
        settings.selected_streams(),
        plan,
        stats,
        settings.table_format,
        replace_keys=settings.destination == "duckdb",
        upsert=settings.destination == "filesystem",
    )
    while True:
        raise_if_stop_requested()  # a stop asked for during the last load ends the run between packages
        reporter.phase("extracting")
        budget = (
            CycleBudget(max_rows=CYCLE_ROWS, max_seconds=CYCLE_SECONDS)
            if settings.rate_limits[0] > 0
            else CycleBudget(max_rows=sys.maxsize, max_seconds=math.inf)
        )
        pipeline.extract(tiktok_ads_source(run, budget), loader_file_format=_loader_format(settings))
        if run.finished:
            extractor.close()  # its connections, buffers and threads are not needed for the last load
        release_memory()
        reporter.phase("normalizing")
        pipeline.normalize()
        reporter.phase("loading")
        load_with_memory_fallback(pipeline, settings)
        if run.finished:
            return


async def _advertisers(
    extractor: Extractor, settings: SyncSettings, token: Any, stats: RunStats
) -> list[dict[str, Any]]:
    ids = list(settings.advertiser_ids) or await discover_advertiser_ids(extractor.client, token)
    return await fetch_advertisers(extractor.client, ids, stats)


def run_sync(
    settings: SyncSettings,
    *,
    token_source: Any = None,
    client_factory: Callable[[], Any] | None = None,
    reporter: Reporter | None = None,
    drop_pending_packages: bool = False,
) -> SyncResult:
    """Load every selected stream of every advertiser into the destination; never raises for one advertiser.

    Args:
        settings: the resolved run (see :func:`tiktok_ads_mart.config.load_settings`).
        token_source: overrides the stored profile / ``TIKTOK_ACCESS_TOKEN`` (the demo, tests).
        client_factory: builds the API client inside the engine loop (tests pass one over ASGI).
        reporter: the live display; silent by default.
        drop_pending_packages: discard what an earlier run could not load (see :func:`drop_pending`)
            instead of loading it first.

    Returns:
        The summary. Failures of single advertisers are in ``failures``; an expired credential in ``fatal``.

    Raises:
        PipelineBusy: another sync holds the same pipeline (see :mod:`tiktok_ads_mart.pipeline_lock`).
    """
    with stop_between_pages(), pipeline_lock(settings.resolved_pipelines_dir(), settings.pipeline_name):
        started = time.monotonic()
        # Arrow's default mimalloc pool keeps freed pages; the system allocator hands them back (peak RSS).
        pa.set_memory_pool(pa.system_memory_pool())
        limit_malloc_arenas()
        reporter = reporter or _SilentReporter()
        stats = RunStats()
        token = token_source if token_source is not None else _token_source(settings)
        pages = ParsedPages()
        factory = client_factory or default_client_factory(settings, token, pages)
        extractor = Extractor(
            factory,
            stats,
            concurrency=settings.concurrency,
            max_buffered_pages=2 * settings.concurrency,
            pages=pages,
        )
        result = SyncResult(destination=settings.destination, dataset_name=settings.dataset_name)
        qps, _ = settings.rate_limits
        reporter.start(stats, lambda: getattr(extractor.client, "stats", None), qps)
        pipeline: Any = None
        try:
            # the advertisers are asked for while dlt is imported and the pipeline set up
            reporter.phase("discovering advertisers")
            discovery = extractor.start(_advertisers(extractor, settings, token, stats))
            pipeline = make_pipeline(settings)
            reporter.phase("reading the destination's state")
            # state lives in the destination too: a mart that was dropped or moved starts over, not at the cursor
            pipeline.sync_destination()
            if drop_pending_packages and (dropped := drop_pending(pipeline)):
                log.warning(
                    "dropped %d load package(s) an earlier run could not load; their days are read again",
                    dropped,
                )
            if pipeline.has_pending_data:
                reporter.phase("finishing an interrupted load")
                finish_pending(pipeline, settings)
            reporter.phase("discovering advertisers")
            advertiser_rows = discovery.result()
            extractor.contexts = {
                ctx.advertiser_id: ctx
                for ctx in map(context_for, advertiser_rows)
                if ctx.advertiser_id not in stats.failures
            }
            result.advertisers = len(extractor.contexts)
            plan = PlanSettings(
                now=settings.clock(),
                start_date=settings.start_date,
                end_date=settings.end_date,
                lookback_days=settings.lookback_days,
                default_history_days=settings.default_history_days,
                include_deleted=settings.include_deleted,
            )
            load_in_cycles(pipeline, settings, extractor, advertiser_rows, plan, stats, reporter)
            prune_loaded_packages(pipeline)
            make_private(settings.resolved_pipelines_dir())
        except TikTokAdsMartError:
            raise
        except KeyboardInterrupt as exc:
            raise _interrupted(exc) from None
        except Exception as exc:
            error = _as_error(exc, settings)
            if (
                not isinstance(error, SyncInterrupted)
                and pipeline is not None
                and _has_pending_data(pipeline)
            ):
                error = TikTokAdsMartError(f"{error}{PENDING_HINT}")
            raise error from None
        finally:
            reporter.stop()
            client_stats = getattr(extractor.client, "stats", None)
            extractor.close()
            if client_stats is not None:
                result.requests = int(getattr(client_stats, "requests", 0))
                result.throttled = int(getattr(client_stats, "throttled", 0))
                result.retries = int(getattr(client_stats, "retries", 0))
        result.rows = stats.rows_by_stream()
        result.failures = dict(stats.failures)
        result.fatal = stats.fatal
        result.duration = time.monotonic() - started
        return result


def prune_loaded_packages(pipeline: Any) -> None:
    """Delete the bookkeeping dlt keeps of every package it loaded (a schema copy each, forever); no run
    reads it again. Pending packages, which resume needs, live elsewhere and stay."""
    from dlt.common.storages.load_storage import LoadStorage

    loaded = Path(pipeline.working_dir) / "load" / LoadStorage.LOADED_FOLDER
    if loaded.is_dir():
        for package in loaded.iterdir():
            shutil.rmtree(package, ignore_errors=True)


def _has_pending_data(pipeline: Any) -> bool:
    try:
        return bool(pipeline.has_pending_data)
    except Exception:  # the working directory itself may be what failed
        return False


def _interrupted(exc: KeyboardInterrupt) -> SyncInterrupted:
    """A stop that was asked for (SIGINT or SIGTERM) or a second Ctrl-C, as one line and 128 + signal."""
    signal_number = exc.signal_number if isinstance(exc, StopRequested) else signal.SIGINT
    what = (
        "interrupted"
        if signal_number == signal.SIGINT
        else f"stopped by {signal.Signals(signal_number).name}"
    )
    return SyncInterrupted(f"{what}{INTERRUPTED}", signal_number)


DUCKDB_FILE_LOCKED = re.compile(
    r'Could not set lock on file "([^"]+)": Conflicting lock is held in (.+?) \(PID (\d+)\)'
)


_NO_SPACE = re.compile(r"No space left on device|failed to offload data block", re.IGNORECASE)
_FILE_IN_MESSAGE = re.compile(r'file "([^"]+)"')


def _full_disk(cause: BaseException, text: str, settings: SyncSettings) -> str | None:
    """A full disk, named by the folder that could not be written (the DuckDB file's, or dlt's)."""
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        where = Path(str(cause.filename)).parent if cause.filename else settings.resolved_pipelines_dir()
    elif _NO_SPACE.search(text):
        named = _FILE_IN_MESSAGE.search(text)
        where = Path(named.group(1)).parent if named else settings.duckdb_path.resolve().parent
    else:
        return None
    return f"disk full at {where}: free some space there and run sync again"


def _as_error(exc: Exception, settings: SyncSettings) -> TikTokAdsMartError:
    """dlt's and the destination's exceptions as one masked line."""
    cause: BaseException = exc
    while cause.__cause__ is not None and not isinstance(cause, TikTokAdsMartError):
        cause = cause.__cause__
    if isinstance(cause, TikTokAdsMartError):
        return cause
    if isinstance(cause, KeyboardInterrupt):  # dlt wraps a stop that lands in one of its steps
        return _interrupted(cause)
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if full := _full_disk(cause, text, settings):
        return TikTokAdsMartError(full)
    if locked := DUCKDB_FILE_LOCKED.search(text):  # dlt words it as a credentials problem
        path, holder, pid = locked.groups()
        return TikTokAdsMartError(
            f"the DuckDB file {path} is open in another process ({Path(holder).name}, PID {pid}); "
            "DuckDB lets one process at a time open a file for writing: close it there and run sync again"
        )
    if settings.destination_credentials is not None:
        text = text.replace(settings.destination_credentials.reveal(), "**********")
    error = TikTokAdsMartError(f"loading into {settings.destination} failed: {text}")
    return error


__all__ = [
    "ArrowReportTransport",
    "Reporter",
    "SyncResult",
    "context_for",
    "discover_advertiser_ids",
    "drop_pending",
    "fetch_advertisers",
    "finish_pending",
    "make_destination",
    "make_pipeline",
    "run_sync",
]
